import { getTableColumns, sql, type Placeholder, type Table } from 'drizzle-orm';

type Placeholders<K extends string> = { [P in K]: Placeholder<P> };

/**
 * `{ name: sql.placeholder('name') }` for each name: the values of a statement prepared once and
 * bound per call. drizzle encodes a placeholder's value with its column's encoder (JSON, flags).
 */
export function placeholders<const K extends string>(names: readonly K[]): Placeholders<K> {
  return Object.fromEntries(names.map((name) => [name, sql.placeholder(name)])) as Placeholders<K>;
}

/** A placeholder for every column of `table`, named after the column's property: a whole row. */
export function rowPlaceholders<T extends Table>(
  table: T,
): Placeholders<keyof T['_']['columns'] & string> {
  return placeholders(Object.keys(getTableColumns(table)) as (keyof T['_']['columns'] & string)[]);
}

/**
 * A placeholder bound as given, without its column's encoding: for SET clauses (drizzle's types
 * take no bare placeholder there) and wherever the value is already in its stored form.
 */
export const bound = (name: string) => sql`${sql.placeholder(name)}`;
