/**
 * The admin_changes table: one row whose version every admin change bumps, in the same
 * transaction, through triggers on widgets, secret_keys and signing_keys (migration
 * 0002_admin_change_triggers.sql). Other connections — other instances, the admin CLI — notice a
 * change by reading the version.
 */
import { eq, sql } from 'drizzle-orm';
import { check, integer, sqliteTable } from 'drizzle-orm/sqlite-core';
import type { SqliteDb } from './sqliteDb.js';

export const adminChanges = sqliteTable(
  'admin_changes',
  {
    id: integer('id').primaryKey(),
    version: integer('version').notNull(),
  },
  (t) => [check('admin_changes_one_row', sql`${t.id} = 1`)],
);

export function prepareAdminChangeStatements(db: SqliteDb) {
  const current = db
    .select({ version: adminChanges.version })
    .from(adminChanges)
    .where(eq(adminChanges.id, 1))
    .prepare();

  return {
    /** The number of admin changes committed so far (0 if the row is missing). */
    version: (): number => current.get()?.version ?? 0,
  };
}
