/** The user_revocations table: its schema, its statements and its rows as records. */
import { and, eq, sql } from 'drizzle-orm';
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { EpochMs } from '../../records.js';
import type { SqliteDb } from './sqliteDb.js';
import { widgets } from './widgets.js';

/**
 * One row per user whose sessions were revoked on a widget: visitor tokens minted for the user
 * up to `revoked_at` no longer exchange. Kept for as long as the widget exists (one small row).
 */
export const userRevocations = sqliteTable(
  'user_revocations',
  {
    widgetId: text('widget_id')
      .notNull()
      .references(() => widgets.id),
    userId: text('user_id').notNull(),
    revokedAt: integer('revoked_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.widgetId, t.userId] })],
);

export function prepareUserRevocationStatements(db: SqliteDb) {
  // A later revocation moves the instant forward; an earlier one (a skewed clock) never back.
  const record = db.$client.prepare<{ widgetId: string; userId: string; at: EpochMs }>(
    `INSERT INTO user_revocations (widget_id, user_id, revoked_at) VALUES (@widgetId, @userId, @at)
     ON CONFLICT (widget_id, user_id) DO UPDATE SET revoked_at = max(revoked_at, excluded.revoked_at)`,
  );
  const find = db
    .select({ revokedAt: userRevocations.revokedAt })
    .from(userRevocations)
    .where(
      and(
        eq(userRevocations.widgetId, sql.placeholder('widgetId')),
        eq(userRevocations.userId, sql.placeholder('userId')),
      ),
    )
    .prepare();

  return {
    record: (widgetId: string, userId: string, at: EpochMs) => {
      record.run({ widgetId, userId, at });
    },
    find: (widgetId: string, userId: string): EpochMs | undefined =>
      find.get({ widgetId, userId })?.revokedAt,
  };
}
