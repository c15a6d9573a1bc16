/** The refresh_tokens table: its schema, its statements and its rows as records. */
import { getTableColumns, sql } from 'drizzle-orm';
import { blob, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type {
  EpochMs,
  NewRefreshToken,
  RefreshTokenLookup,
  RefreshTokenRecord,
  RefreshTokenView,
} from '../../records.js';
import { byPosition } from './byPosition.js';
import { sessions, toSession } from './sessions.js';
import type { SqliteDb } from './sqliteDb.js';

export const refreshTokens = sqliteTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    /** SHA-256 of the token, hex. */
    hash: text('hash').notNull(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    spentAt: integer('spent_at'),
    /** No foreign key: rotation marks the token spent before the successor row exists. */
    successorId: text('successor_id'),
    successorBox: blob('successor_box', { mode: 'buffer' }),
    /**
     * True for rows written before tokens carried their row's id: those are found by hash. New
     * rows are written false and stay out of the hash index, whose random keys cost a page per
     * insert (docs/performance.md, "Cost as the data grows").
     */
    byHash: integer('by_hash', { mode: 'boolean' }).notNull().default(true),
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

/** A row as the hot statements read it: `by_hash` only chooses the index, it is not in the record. */
type RefreshTokenRecordRow = Omit<RefreshTokenRow, 'byHash'>;

export const toRefreshToken = (row: RefreshTokenRecordRow): RefreshTokenRecord => ({
  ...row,
  // A plain view over the Buffer, so records compare equal to the Uint8Array that was stored.
  successorBox:
    row.successorBox === null
      ? null
      : new Uint8Array(
          row.successorBox.buffer,
          row.successorBox.byteOffset,
          row.successorBox.byteLength,
        ),
});

/** A new token is inserted unspent, with no successor. */
export type NewRefreshTokenRow = Pick<
  RefreshTokenRow,
  'id' | 'hash' | 'sessionId' | 'createdAt' | 'expiresAt'
>;

const { byHash, ...recordColumns } = getTableColumns(refreshTokens);
const tokenColumns = byPosition(recordColumns);
const sessionColumns = byPosition(getTableColumns(sessions));

export function prepareRefreshTokenStatements(db: SqliteDb) {
  // Hot path (exchange and refresh): raw, see SqliteDb.
  const insert = db.$client.prepare<NewRefreshTokenRow>(
    `INSERT INTO refresh_tokens (id, hash, session_id, created_at, expires_at, by_hash)
     VALUES (@id, @hash, @sessionId, @createdAt, @expiresAt, 0)`,
  );
  // Hot path (refresh). The token, its session and its successor in one row, read by position.
  const view = (where: string) =>
    db.$client
      .prepare<[string], unknown[]>(
        `SELECT ${tokenColumns.list('t')}, ${sessionColumns.list('s')}, ${tokenColumns.list('n')}
         FROM refresh_tokens t
         JOIN sessions s ON s.id = t.session_id
         LEFT JOIN refresh_tokens n ON n.id = t.successor_id
         WHERE ${where}`,
      )
      .raw();
  const viewById = view('t.id = ?');
  // The `by_hash` term lets SQLite use the partial index of hashes.
  const viewByHash = view('t.hash = ? AND t.by_hash');
  // Hot path (refresh). The compare-and-set of rotation: only an unspent, unexpired token of a live session is
  // spent, so of two concurrent rotations exactly one gets the row back. The session check is a
  // correlated EXISTS (one primary-key probe); `session_id IN (SELECT id FROM sessions WHERE …)`
  // plans as a list of every live session, built on each call.
  const spend = db.$client.prepare<
    { tokenId: string; now: EpochMs; successorId: string; successorBox: Uint8Array },
    Pick<RefreshTokenRow, 'sessionId'>
  >(
    `UPDATE refresh_tokens
     SET spent_at = @now, successor_id = @successorId, successor_box = @successorBox
     WHERE id = @tokenId AND spent_at IS NULL AND expires_at > @now
       AND EXISTS (
         SELECT 1 FROM sessions s
         WHERE s.id = refresh_tokens.session_id AND s.revoked_at IS NULL AND s.expires_at > @now)
     RETURNING session_id AS sessionId`,
  );
  // The subquery walks the partial index of boxed tokens (refresh_tokens_boxed_spent_at_idx).
  const clearBoxes = db.$client.prepare<{ boxedBefore: EpochMs; limit: number }>(
    `UPDATE refresh_tokens SET successor_box = NULL WHERE id IN (
       SELECT id FROM refresh_tokens
       WHERE successor_box IS NOT NULL AND spent_at < @boxedBefore LIMIT @limit)`,
  );

  return {
    insert: (row: NewRefreshTokenRow) => {
      insert.run(row);
    },
    findView: (lookup: RefreshTokenLookup): RefreshTokenView | undefined => {
      const row = 'id' in lookup ? viewById.get(lookup.id) : viewByHash.get(lookup.hash);
      if (row === undefined) return undefined;
      const successorAt = tokenColumns.count + sessionColumns.count;
      return {
        token: toRefreshToken(tokenColumns.read(row, 0)),
        session: toSession(sessionColumns.read(row, tokenColumns.count)),
        // The LEFT JOIN found no successor: the token was never rotated.
        successor:
          row[successorAt] === null ? null : toRefreshToken(tokenColumns.read(row, successorAt)),
      };
    },
    /**
     * Marks the token spent by `successor` if it is unspent, unexpired at `now` and its session is
     * live; returns the session id then, undefined (writing nothing) otherwise.
     */
    spend: (input: {
      tokenId: string;
      now: EpochMs;
      successor: NewRefreshToken;
      successorBox: Uint8Array;
    }): string | undefined =>
      spend.get({
        tokenId: input.tokenId,
        now: input.now,
        successorId: input.successor.id,
        successorBox: input.successorBox,
      })?.sessionId,
    /** Drops up to `limit` sealed successors of tokens spent before `boxedBefore`. */
    clearSuccessorBoxes: (boxedBefore: EpochMs, limit: number): number =>
      clearBoxes.run({ boxedBefore, limit }).changes,
  };
}
