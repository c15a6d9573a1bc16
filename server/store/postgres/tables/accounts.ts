import { count, eq, sql } from 'drizzle-orm';
import { pgTable, text } from 'drizzle-orm/pg-core';
import type { AccountRecord } from '../../records.js';
import type { Store } from '../../store.js';
import { epochMs } from '../columns.js';
import type { PostgresDb } from '../database.js';

export const accounts = pgTable('accounts', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: epochMs('created_at').notNull(),
});

export type AccountRow = typeof accounts.$inferSelect;

export const toAccount = (r: AccountRow): AccountRecord => ({
  id: r.id,
  name: r.name,
  createdAt: r.createdAt,
});

export function accountQueries(
  db: PostgresDb,
): Pick<Store, 'createAccount' | 'findAccount' | 'countAccounts'> {
  const insert = db
    .insert(accounts)
    .values({
      id: sql.placeholder('id'),
      name: sql.placeholder('name'),
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare('accounts_insert');
  const find = db
    .select()
    .from(accounts)
    .where(eq(accounts.id, sql.placeholder('id')))
    .prepare('accounts_find');
  const countAll = db.select({ n: count() }).from(accounts).prepare('accounts_count');

  return {
    createAccount: async (account) => {
      await insert.execute({ ...account });
    },
    findAccount: async (id) => {
      const [row] = await find.execute({ id });
      return row && toAccount(row);
    },
    countAccounts: async () => (await countAll.execute())[0]?.n ?? 0,
  };
}
