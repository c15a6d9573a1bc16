/** The sessions table: its schema, its statements and its rows as records. */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { UserMetadata } from '../../../../contract/index.js';
import type { EpochMs, SessionRecord } from '../../records.js';
import { bound } from './placeholders.js';
import type { SqliteDb } from './sqliteDb.js';
import { widgets } from './widgets.js';

export const sessions = sqliteTable(
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
    metadata: text('metadata', { mode: 'json' }).$type<UserMetadata>(),
    origin: text('origin').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    revokedAt: integer('revoked_at'),
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
/** A row as SQLite stores it: the metadata document as JSON text. */
type StoredSessionRow = Omit<SessionRow, 'metadata'> & { metadata: string | null };

/** Every column is a field of the record; drizzle decodes the metadata document. */
export const toSession = (row: SessionRow): SessionRecord => row;

/** The interface's "revoked sessions after a day": how long the purge keeps a revoked session. */
export const REVOKED_SESSION_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * Sessions the purge deletes. The third branch walks the index of unspent tokens instead of every
 * session: through the Store interface a session always holds exactly one unspent token (the
 * newest of its chain), so "no live refresh token" means "its unspent token has expired".
 * UNION ALL, not UNION: the deduplicating UNION made SQLite scan every session in id order;
 * `IN (SELECT id FROM dead)` deduplicates anyway. Raw SQL: the plan depends on this exact shape.
 */
const DEAD_SESSIONS = `
  WITH dead(id) AS (
    SELECT id FROM sessions WHERE expires_at <= @now
    UNION ALL SELECT id FROM sessions WHERE revoked_at IS NOT NULL AND revoked_at <= @revokedBefore
    UNION ALL SELECT t.session_id FROM refresh_tokens t
      WHERE t.spent_at IS NULL AND t.expires_at <= @now
        AND NOT EXISTS (
          SELECT 1 FROM refresh_tokens l
          WHERE l.session_id = t.session_id AND l.spent_at IS NULL AND l.expires_at > @now)
  )`;

interface DeadSessionParams {
  now: EpochMs;
  revokedBefore: EpochMs;
  limit: number;
}

export function prepareSessionStatements(db: SqliteDb) {
  // Hot path (exchange): raw, see SqliteDb.
  const insert = db.$client.prepare<StoredSessionRow>(
    `INSERT INTO sessions (id, widget_id, client_key, visitor_id, kind, user_id, name, email,
       metadata, origin, created_at, expires_at, revoked_at)
     VALUES (@id, @widgetId, @clientKey, @visitorId, @kind, @userId, @name, @email,
       @metadata, @origin, @createdAt, @expiresAt, @revokedAt)`,
  );
  const revoke = db
    .update(sessions)
    .set({ revokedAt: bound('at') })
    .where(and(eq(sessions.id, sql.placeholder('id')), isNull(sessions.revokedAt)))
    .prepare();
  const revokeOfUser = db
    .update(sessions)
    .set({ revokedAt: bound('at') })
    .where(
      and(
        eq(sessions.widgetId, sql.placeholder('widgetId')),
        eq(sessions.userId, sql.placeholder('userId')),
        isNull(sessions.revokedAt),
      ),
    )
    .prepare();
  // Counted before the delete because cascaded deletions are not reported by changes().
  const countDeadRefreshTokens = db.$client
    .prepare<DeadSessionParams, number>(
      `${DEAD_SESSIONS} SELECT count(*) FROM refresh_tokens WHERE session_id IN (SELECT id FROM dead LIMIT @limit)`,
    )
    .pluck();
  const deleteDead = db.$client.prepare<DeadSessionParams>(
    `${DEAD_SESSIONS} DELETE FROM sessions WHERE id IN (SELECT id FROM dead LIMIT @limit)`,
  );

  return {
    insert: (row: SessionRow) => {
      insert.run({
        ...row,
        metadata: row.metadata === null ? null : JSON.stringify(row.metadata),
      });
    },
    /** False if the session is unknown or was revoked before. */
    revoke: (id: string, at: EpochMs): boolean => revoke.run({ id, at }).changes === 1,
    /** Revokes the user's live sessions on the widget; returns how many. */
    revokeOfUser: (widgetId: string, userId: string, at: EpochMs): number =>
      revokeOfUser.run({ widgetId, userId, at }).changes,
    /**
     * Deletes up to `limit` sessions past their deadline, revoked more than a day ago, or whose
     * unspent refresh token idled out; their refresh tokens go with them (ON DELETE CASCADE).
     */
    purgeDead: (now: EpochMs, limit: number): { sessions: number; refreshTokens: number } => {
      const dead = { now, revokedBefore: now - REVOKED_SESSION_RETENTION_MS, limit };
      const refreshTokens = countDeadRefreshTokens.get(dead) ?? 0;
      return { sessions: deleteDead.run(dead).changes, refreshTokens };
    },
  };
}
