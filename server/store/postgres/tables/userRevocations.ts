import { and, eq, sql } from 'drizzle-orm';
import { pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import type { Store } from '../../store.js';
import { epochMs } from '../columns.js';
import type { PostgresDb } from '../database.js';
import { widgets } from './widgets.js';

/**
 * One row per user whose sessions were revoked on a widget: visitor tokens minted for the user
 * up to `revoked_at` no longer exchange. Kept for as long as the widget exists (one small row).
 */
export const userRevocations = pgTable(
  'user_revocations',
  {
    widgetId: text('widget_id')
      .notNull()
      .references(() => widgets.id),
    userId: text('user_id').notNull(),
    revokedAt: epochMs('revoked_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.widgetId, t.userId] })],
);

export function userRevocationQueries(db: PostgresDb): Pick<Store, 'findUserRevocation'> {
  const find = db
    .select({ revokedAt: userRevocations.revokedAt })
    .from(userRevocations)
    .where(
      and(
        eq(userRevocations.widgetId, sql.placeholder('widgetId')),
        eq(userRevocations.userId, sql.placeholder('userId')),
      ),
    )
    .prepare('user_revocations_find');
  return {
    findUserRevocation: async (widgetId, userId) =>
      (await find.execute({ widgetId, userId }))[0]?.revokedAt,
  };
}
