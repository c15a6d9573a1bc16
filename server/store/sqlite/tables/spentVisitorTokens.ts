/** The spent_visitor_tokens table: its schema, its statements and its rows as records. */
import { eq, sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { EpochMs } from '../../records.js';
import { sessions } from './sessions.js';
import type { SqliteDb } from './sqliteDb.js';

/**
 * One row per exchanged visitor token. `session_id` deliberately has no foreign key: the purge may
 * delete the session first, and the replay report then reads it back as null (LEFT JOIN) instead of
 * paying for an index and an ON DELETE action on the hot insert path.
 */
export const spentVisitorTokens = sqliteTable(
  'spent_visitor_tokens',
  {
    jti: text('jti').primaryKey(),
    spentAt: integer('spent_at').notNull(),
    /** The visitor token's own expiry: after it, the jti can never be presented again. */
    expiresAt: integer('expires_at').notNull(),
    sessionId: text('session_id'),
  },
  (t) => [index('spent_visitor_tokens_expires_at_idx').on(t.expiresAt)],
);

export type SpentVisitorTokenRow = typeof spentVisitorTokens.$inferSelect;

export function prepareSpentVisitorTokenStatements(db: SqliteDb) {
  // Hot path (exchange): raw, see SqliteDb.
  const spend = db.$client.prepare<SpentVisitorTokenRow, Pick<SpentVisitorTokenRow, 'jti'>>(
    `INSERT INTO spent_visitor_tokens (jti, spent_at, expires_at, session_id)
     VALUES (@jti, @spentAt, @expiresAt, @sessionId)
     ON CONFLICT (jti) DO NOTHING
     RETURNING jti`,
  );
  // The session may have been purged since: the replay report then names no session.
  const spentBy = db
    .select({ spentAt: spentVisitorTokens.spentAt, sessionId: sessions.id })
    .from(spentVisitorTokens)
    .leftJoin(sessions, eq(sessions.id, spentVisitorTokens.sessionId))
    .where(eq(spentVisitorTokens.jti, sql.placeholder('jti')))
    .prepare();
  const purge = db.$client.prepare<{ now: EpochMs; limit: number }>(
    `DELETE FROM spent_visitor_tokens WHERE jti IN (
       SELECT jti FROM spent_visitor_tokens WHERE expires_at <= @now LIMIT @limit)`,
  );

  return {
    /** Spends the jti; false (writing nothing) if it was spent before. */
    spend: (row: SpentVisitorTokenRow): boolean => spend.get(row) !== undefined,
    /** When the jti was spent and by which session, if that session still exists. */
    findSpent: (jti: string): { spentAt: EpochMs; sessionId: string | null } | undefined =>
      spentBy.get({ jti }),
    /** Deletes up to `limit` jtis whose token has expired: they can never be presented again. */
    purge: (now: EpochMs, limit: number): number => purge.run({ now, limit }).changes,
  };
}
