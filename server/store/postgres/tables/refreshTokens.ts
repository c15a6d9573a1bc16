import { and, eq, sql } from 'drizzle-orm';
import { alias, boolean, index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { RefreshTokenRecord } from '../../records.js';
import type { Store } from '../../store.js';
import { bytea, epochMs } from '../columns.js';
import { namedQuery, type PostgresDb } from '../database.js';
import { sessions, toSession } from './sessions.js';

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    /** SHA-256 of the token, hex. */
    hash: text('hash').notNull(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    createdAt: epochMs('created_at').notNull(),
    expiresAt: epochMs('expires_at').notNull(),
    spentAt: epochMs('spent_at'),
    /** No foreign key: rotation marks the token spent before the successor row exists. */
    successorId: text('successor_id'),
    successorBox: bytea('successor_box'),
    /**
     * True for rows written before tokens carried their row's id: those are found by hash. New
     * rows are written false and stay out of the hash index, whose random keys cost a page per
     * insert (docs/performance.md, "Cost as the data grows").
     */
    byHash: boolean('by_hash').notNull().default(true),
  },
  (t) => [
    uniqueIndex('refresh_tokens_by_hash_idx')
      .on(t.hash)
      .where(sql`${t.byHash}`),
    index('refresh_tokens_session_id_idx').on(t.sessionId),
    // The purge finds sessions whose unspent token idled out, without scanning every session.
    index('refresh_tokens_unspent_expires_at_idx')
      .on(t.expiresAt)
      .where(sql`${t.spentAt} IS NULL`),
    // The purge clears boxes past the grace window; only rows that still hold one are indexed.
    index('refresh_tokens_boxed_spent_at_idx')
      .on(t.spentAt)
      .where(sql`${t.successorBox} IS NOT NULL`),
  ],
);

export type RefreshTokenRow = typeof refreshTokens.$inferSelect;

export const toRefreshToken = (r: Omit<RefreshTokenRow, 'byHash'>): RefreshTokenRecord => ({
  id: r.id,
  hash: r.hash,
  sessionId: r.sessionId,
  createdAt: r.createdAt,
  expiresAt: r.expiresAt,
  spentAt: r.spentAt,
  successorId: r.successorId,
  successorBox: r.successorBox,
});

/**
 * The columns a new (unspent) token is inserted with, in statements written by hand; `by_hash`
 * is always false, the token carries its id.
 */
export const NEW_REFRESH_TOKEN_COLUMNS = 'id, hash, session_id, created_at, expires_at, by_hash';

/**
 * The compare-and-set of rotation, in one statement: only an unspent, unexpired token of a live
 * session is spent, and the successor is inserted only from the row the UPDATE returned. Under
 * READ COMMITTED a concurrent rotation waits on the token's row lock, then re-checks
 * `spent_at IS NULL` against the committed row and matches nothing: exactly one wins.
 */
const ROTATE = `
  WITH spent AS (
    UPDATE refresh_tokens t
    SET spent_at = $2, successor_id = $3, successor_box = $4
    WHERE t.id = $1 AND t.spent_at IS NULL AND t.expires_at > $2
      AND EXISTS (
        SELECT 1 FROM sessions s
        WHERE s.id = t.session_id AND s.revoked_at IS NULL AND s.expires_at > $2)
    RETURNING t.session_id
  )
  INSERT INTO refresh_tokens (${NEW_REFRESH_TOKEN_COLUMNS})
  SELECT $3, $5::text, session_id, $6::bigint, $7::bigint, false FROM spent`;

export function refreshTokenQueries(
  db: PostgresDb,
): Pick<Store, 'findRefreshToken' | 'rotateRefreshToken'> {
  const successors = alias(refreshTokens, 'successor');
  // The token, its session and its successor in one round trip.
  const view = () =>
    db
      .select({ token: refreshTokens, session: sessions, successor: successors })
      .from(refreshTokens)
      .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
      .leftJoin(successors, eq(successors.id, refreshTokens.successorId));
  const findById = view()
    .where(eq(refreshTokens.id, sql.placeholder('id')))
    .prepare('refresh_tokens_find_by_id');
  // The bare `by_hash` term (no parameter) lets even a generic plan use the partial index of hashes.
  const findByHash = view()
    .where(and(eq(refreshTokens.hash, sql.placeholder('hash')), sql`${refreshTokens.byHash}`))
    .prepare('refresh_tokens_find_by_hash');
  const rotate = namedQuery<
    [
      tokenId: string,
      now: number,
      successorId: string,
      successorBox: Uint8Array,
      successorHash: string,
      successorCreatedAt: number,
      successorExpiresAt: number,
    ]
  >(db.$client, 'refresh_tokens_rotate', ROTATE);

  return {
    findRefreshToken: async (lookup) => {
      const [row] = await ('id' in lookup ? findById.execute(lookup) : findByHash.execute(lookup));
      if (row === undefined) return undefined;
      return {
        token: toRefreshToken(row.token),
        session: toSession(row.session),
        successor: row.successor === null ? null : toRefreshToken(row.successor),
      };
    },
    rotateRefreshToken: async ({ tokenId, now, successor, successorBox }) => {
      const result = await rotate(
        tokenId,
        now,
        successor.id,
        successorBox,
        successor.hash,
        successor.createdAt,
        successor.expiresAt,
      );
      return result.rowCount === 1;
    },
  };
}
