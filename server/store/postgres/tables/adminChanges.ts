import { eq, sql } from 'drizzle-orm';
import { bigint, check, pgTable, smallint } from 'drizzle-orm/pg-core';
import type { PostgresDb } from '../database.js';

/**
 * One row: a counter that triggers (migrations/0001_admin_change_triggers.sql) bump in the same
 * transaction as any admin change — widgets, secret key creation or revocation, signing keys —
 * and announce with NOTIFY on `ADMIN_CHANGES_CHANNEL`. Instances poll it in case a notification
 * was lost with their listening connection.
 */
export const adminChanges = pgTable(
  'admin_changes',
  {
    id: smallint('id').primaryKey(),
    version: bigint('version', { mode: 'number' }).notNull(),
  },
  (t) => [check('admin_changes_one_row', sql`${t.id} = 1`)],
);

export type AdminChangesRow = typeof adminChanges.$inferSelect;

export const ADMIN_CHANGES_CHANNEL = 'kataven_admin_changes';

/** Reads the counter. */
export function adminChangeVersionQuery(db: PostgresDb): () => Promise<number> {
  const read = db
    .select({ version: adminChanges.version })
    .from(adminChanges)
    .where(eq(adminChanges.id, 1))
    .prepare('admin_changes_version');
  return async () => {
    const [row] = await read.execute();
    if (row === undefined) throw new Error('admin_changes has no row: are the migrations applied?');
    return row.version;
  };
}
