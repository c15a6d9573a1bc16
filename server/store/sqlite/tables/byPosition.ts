import type { Column } from 'drizzle-orm';

/** What a select of these columns returns, as drizzle types it. */
export type ColumnValues<C extends Record<string, Column>> = {
  [K in keyof C]: C[K]['_']['notNull'] extends true ? C[K]['_']['data'] : C[K]['_']['data'] | null;
};

/**
 * Columns in a fixed order, for the hot raw SELECTs that read rows as arrays: the select list
 * and the reader both come from the drizzle schema, so they cannot drift apart, and each value
 * is decoded by its column (JSON, flags, blobs) as drizzle would decode it.
 */
export function byPosition<C extends Record<string, Column>>(columns: C) {
  const fields = Object.entries(columns).map(([key, column]) => ({ key, column }));
  return {
    count: fields.length,
    /** `alias.column, …` (bare names without an alias) in the order `read` expects. */
    list: (alias?: string): string =>
      fields
        .map(({ column }) => (alias === undefined ? column.name : `${alias}.${column.name}`))
        .join(', '),
    /** The columns' values from `values[offset]` on. */
    read: (values: readonly unknown[], offset = 0): ColumnValues<C> => {
      const row: Record<string, unknown> = {};
      fields.forEach(({ key, column }, i) => {
        const value = values[offset + i];
        row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
      });
      return row as ColumnValues<C>;
    },
  };
}
