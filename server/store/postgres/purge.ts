import type { Store } from '../store.js';
import { namedQuery, type PostgresDb } from './database.js';

/** The interface's "revoked sessions after a day": how long the purge keeps a revoked session. */
export const REVOKED_SESSION_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes dead sessions (their refresh tokens go by ON DELETE CASCADE) and counts those tokens in
 * the same statement, from the snapshot taken before the cascade. The third branch of `dead`
 * walks the index of unspent tokens: through the Store interface a session always holds exactly
 * one unspent token (the newest of its chain), so "no live refresh token" means "its unspent token
 * has expired".
 */
const DELETE_DEAD_SESSIONS = `
  WITH dead(id) AS (
    SELECT id FROM sessions WHERE expires_at <= $1
    UNION ALL SELECT id FROM sessions WHERE revoked_at IS NOT NULL AND revoked_at <= $2
    UNION ALL SELECT t.session_id FROM refresh_tokens t
      WHERE t.spent_at IS NULL AND t.expires_at <= $1
        AND NOT EXISTS (
          SELECT 1 FROM refresh_tokens l
          WHERE l.session_id = t.session_id AND l.spent_at IS NULL AND l.expires_at > $1)
  ), gone AS (
    DELETE FROM sessions WHERE id IN (SELECT id FROM dead LIMIT $3) RETURNING id
  )
  SELECT (SELECT count(*) FROM gone) AS sessions,
         (SELECT count(*) FROM refresh_tokens WHERE session_id IN (SELECT id FROM gone)) AS "refreshTokens"`;

/**
 * Three statements, each correct on its own, so no transaction: instances purging at once delete
 * each row once (a concurrent DELETE of the same row matches nothing once the first commits).
 */
export function purgeQueries(db: PostgresDb): Pick<Store, 'purgeExpired'> {
  const purgeVisitorJtis = namedQuery<[now: number, limit: number]>(
    db.$client,
    'purge_visitor_jtis',
    `DELETE FROM spent_visitor_tokens WHERE jti IN (
       SELECT jti FROM spent_visitor_tokens WHERE expires_at <= $1 LIMIT $2)`,
  );
  const deleteDeadSessions = namedQuery<
    [now: number, revokedBefore: number, limit: number],
    { sessions: number; refreshTokens: number }
  >(db.$client, 'purge_dead_sessions', DELETE_DEAD_SESSIONS);
  const clearSuccessorBoxes = namedQuery<[boxedBefore: number, limit: number]>(
    db.$client,
    'purge_successor_boxes',
    `UPDATE refresh_tokens SET successor_box = NULL WHERE id IN (
       SELECT id FROM refresh_tokens WHERE successor_box IS NOT NULL AND spent_at < $1 LIMIT $2)`,
  );

  return {
    purgeExpired: async (now, graceMs, limit) => {
      const visitorTokens = (await purgeVisitorJtis(now, limit)).rowCount ?? 0;
      const dead = await deleteDeadSessions(now, now - REVOKED_SESSION_RETENTION_MS, limit);
      const successorBoxes = (await clearSuccessorBoxes(now - graceMs, limit)).rowCount ?? 0;
      const [counts] = dead.rows;
      return {
        visitorTokens,
        sessions: counts?.sessions ?? 0,
        refreshTokens: counts?.refreshTokens ?? 0,
        successorBoxes,
      };
    },
  };
}
