/** The accounts table: its schema, its statements and its rows as records. */
import { count, eq, sql } from 'drizzle-orm';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { AccountRecord } from '../../records.js';
import { rowPlaceholders } from './placeholders.js';
import type { SqliteDb } from './sqliteDb.js';

export const accounts = sqliteTable('accounts', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: integer('created_at').notNull(),
});

export type AccountRow = typeof accounts.$inferSelect;

/** Every column is a field of the record, as it is. */
export const toAccount = (row: AccountRow): AccountRecord => row;

export function prepareAccountStatements(db: SqliteDb) {
  const insert = db.insert(accounts).values(rowPlaceholders(accounts)).prepare();
  const byId = db
    .select()
    .from(accounts)
    .where(eq(accounts.id, sql.placeholder('id')))
    .prepare();
  const total = db.select({ n: count() }).from(accounts).prepare();

  return {
    insert: (row: AccountRow) => {
      insert.run(row);
    },
    find: (id: string): AccountRecord | undefined => {
      const row = byId.get({ id });
      return row && toAccount(row);
    },
    count: (): number => total.get()?.n ?? 0,
  };
}
