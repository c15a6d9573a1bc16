import { and, eq, isNull, sql } from 'drizzle-orm';
import { check, index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import type { UserMetadata } from '../../../../contract/index.js';
import type { SessionRecord } from '../../records.js';
import type { Store } from '../../store.js';
import { epochMs } from '../columns.js';
import type { PostgresDb } from '../database.js';
import { rowParams } from '../rowParams.js';
import { userRevocations } from './userRevocations.js';
import { widgets } from './widgets.js';

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    widgetId: text('widget_id')
      .notNull()
      .references(() => widgets.id),
    clientKey: text('client_key').notNull(),
    visitorId: text('visitor_id').notNull(),
    kind: text('kind', { enum: ['guest', 'user'] }).notNull(),
    userId: text('user_id'),
    name: text('name'),
    email: text('email'),
    metadata: jsonb('metadata').$type<UserMetadata>(),
    origin: text('origin').notNull(),
    createdAt: epochMs('created_at').notNull(),
    expiresAt: epochMs('expires_at').notNull(),
    revokedAt: epochMs('revoked_at'),
  },
  (t) => [
    index('sessions_expires_at_idx').on(t.expiresAt),
    // Revoking a user's sessions, and a disabled widget's (a trigger, see the migration).
    index('sessions_widget_id_user_id_idx').on(t.widgetId, t.userId),
    index('sessions_revoked_at_idx')
      .on(t.revokedAt)
      .where(sql`${t.revokedAt} IS NOT NULL`),
    check('sessions_kind_check', sql`${t.kind} IN ('guest', 'user')`),
  ],
);

export type SessionRow = typeof sessions.$inferSelect;

export const toSession = (r: SessionRow): SessionRecord => ({
  id: r.id,
  widgetId: r.widgetId,
  clientKey: r.clientKey,
  visitorId: r.visitorId,
  kind: r.kind,
  userId: r.userId,
  name: r.name,
  email: r.email,
  metadata: r.metadata,
  origin: r.origin,
  createdAt: r.createdAt,
  expiresAt: r.expiresAt,
  revokedAt: r.revokedAt,
});

/** For the statement that inserts a session as part of a larger step (consumeVisitorToken). */
export const sessionInsert = rowParams(sessions);

export function sessionQueries(db: PostgresDb): Pick<Store, 'revokeSession' | 'revokeUserSessions'> {
  // Revocation ends every refresh token of the family: rotation checks the session first.
  const revoke = db
    .update(sessions)
    .set({ revokedAt: sql`${sql.placeholder('at')}` })
    .where(and(eq(sessions.id, sql.placeholder('id')), isNull(sessions.revokedAt)))
    .prepare('sessions_revoke');
  const recordRevocation = db
    .insert(userRevocations)
    .values({ widgetId: sql.placeholder('widgetId'), userId: sql.placeholder('userId'), revokedAt: sql.placeholder('at') })
    .onConflictDoUpdate({
      target: [userRevocations.widgetId, userRevocations.userId],
      set: { revokedAt: sql`greatest(${userRevocations.revokedAt}, excluded.revoked_at)` },
    })
    .prepare('user_revocations_record');
  const revokeOfUser = db
    .update(sessions)
    .set({ revokedAt: sql`${sql.placeholder('at')}` })
    .where(
      and(
        eq(sessions.widgetId, sql.placeholder('widgetId')),
        eq(sessions.userId, sql.placeholder('userId')),
        isNull(sessions.revokedAt),
      ),
    )
    .prepare('sessions_revoke_of_user');
  return {
    revokeSession: async (id, at) => (await revoke.execute({ id, at })).rowCount === 1,
    // Two statements, each committed before the next: the revocation must be visible to a
    // racing exchange's re-check before the sessions are revoked (Store.revokeUserSessions).
    revokeUserSessions: async (input) => {
      await recordRevocation.execute(input);
      return (await revokeOfUser.execute(input)).rowCount ?? 0;
    },
  };
}
