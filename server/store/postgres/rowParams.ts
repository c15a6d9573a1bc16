import { getTableColumns } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

export interface RowParams<T extends PgTable> {
  /** `id, widget_id, …`: every column, in schema order. */
  columns: string;
  /** `$first::text, $…::bigint, …`: a typed placeholder per column, numbered from `first`. */
  placeholders: (first: number) => string;
  /** The row's values in column order, encoded as drizzle would (jsonb as JSON text). */
  values: (row: T['$inferInsert']) => unknown[];
}

/**
 * For hand-written statements that insert a whole row of `table` (the data-modifying CTEs drizzle
 * cannot express): the column list, placeholders and encoder, derived from the schema so a new
 * column cannot be forgotten in one of them.
 */
export function rowParams<T extends PgTable>(table: T): RowParams<T> {
  const entries = Object.entries(getTableColumns(table) as Record<string, PgColumn>);
  return {
    columns: entries.map(([, column]) => column.name).join(', '),
    placeholders: (first) =>
      entries.map(([, column], i) => `$${String(first + i)}::${column.getSQLType()}`).join(', '),
    values: (row) => {
      const fields = row as Record<string, unknown>;
      return entries.map(([key, column]) => {
        const value = fields[key];
        return value === undefined || value === null ? null : column.mapToDriverValue(value);
      });
    },
  };
}
