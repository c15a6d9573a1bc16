/**
 * Every statement the store runs, prepared once when the store opens: a prepared better-sqlite3
 * statement is reusable, and compiling SQL per call is the cost STACK-NOTES measured on hot paths.
 */
import type { Database, RunResult } from 'better-sqlite3';
import type { EpochMs } from '../records.js';
import {
  ACCOUNT_COLUMNS,
  REFRESH_VIEW_COLUMNS,
  SECRET_KEY_COLUMNS,
  SIGNING_KEY_COLUMNS,
  WIDGET_COLUMNS,
  type AccountRow,
  type RefreshViewRow,
  type SecretKeyRow,
  type SigningKeyRow,
  type WidgetRow,
} from './rows.js';

/** The interface's "revoked sessions after a day": how long the purge keeps a revoked session. */
export const REVOKED_SESSION_RETENTION_MS = 24 * 60 * 60 * 1000;
/** touchSecretKey skips the write while the recorded use is this recent. */
export const TOUCH_COALESCE_MS = 60_000;

type Null<T> = { [K in keyof T]: T[K] | null };

export interface SessionParams {
  id: string;
  widgetId: string;
  clientKey: string;
  visitorId: string;
  kind: string;
  userId: string | null;
  name: string | null;
  email: string | null;
  metadata: string | null;
  origin: string;
  createdAt: EpochMs;
  expiresAt: EpochMs;
  revokedAt: EpochMs | null;
}

export interface RefreshTokenParams {
  id: string;
  hash: string;
  sessionId: string;
  createdAt: EpochMs;
  expiresAt: EpochMs;
}

export interface SigningKeyParams {
  kid: string;
  alg: string;
  privateJwk: string;
  publicJwk: string;
  createdAt: EpochMs;
  retiredAt: EpochMs | null;
}

/**
 * Sessions the purge deletes. The third branch walks the index of unspent tokens instead of every
 * session: through the Store interface a session always holds exactly one unspent token (the
 * newest of its chain), so "no live refresh token" means "its unspent token has expired".
 * UNION ALL, not UNION: the deduplicating UNION made SQLite scan every session in id order;
 * `IN (SELECT id FROM dead)` deduplicates anyway.
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

/** Array parameters bind positionally, an object binds `@name` parameters. */
type Args<Params> = Params extends unknown[] ? Params : [Params];

/** The part of a better-sqlite3 statement the store uses, under a name declarations can emit. */
export interface Prepared<Params, Row> {
  run(...params: Args<Params>): RunResult;
  get(...params: Args<Params>): Row | undefined;
  all(...params: Args<Params>): Row[];
}

export function prepareStatements(db: Database) {
  const prepare = <Params extends unknown[] | object = [], Row = unknown>(
    source: string,
  ): Prepared<Params, Row> => db.prepare<Params, Row>(source) as Prepared<Params, Row>;
  /** For single-column results: rows come back as the bare value. */
  const prepareValue = <Params extends unknown[] | object, Value>(
    source: string,
  ): Prepared<Params, Value> => db.prepare<Params, Value>(source).pluck();

  return {
    ping: prepareValue<[], number>('SELECT 1'),

    insertAccount: prepare<{ id: string; name: string; createdAt: EpochMs }>(
      'INSERT INTO accounts (id, name, created_at) VALUES (@id, @name, @createdAt)',
    ),
    findAccount: prepare<[string], AccountRow>(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ?`,
    ),
    countAccounts: prepareValue<[], number>('SELECT count(*) FROM accounts'),

    insertWidget: prepare<{
      id: string;
      accountId: string;
      clientKey: string;
      name: string;
      mode: string;
      origins: string;
      settings: string;
      guestEnabled: number;
      disabled: number;
      createdAt: EpochMs;
      updatedAt: EpochMs;
    }>(
      `INSERT INTO widgets (${WIDGET_COLUMNS}) VALUES (@id, @accountId, @clientKey, @name, @mode, @origins,
         @settings, @guestEnabled, @disabled, @createdAt, @updatedAt)`,
    ),
    findWidgetByClientKey: prepare<[string], WidgetRow>(
      `SELECT ${WIDGET_COLUMNS} FROM widgets WHERE client_key = ?`,
    ),
    listWidgets: prepare<[], WidgetRow>(
      `SELECT ${WIDGET_COLUMNS} FROM widgets ORDER BY created_at, id`,
    ),
    // One statement for every patch shape: a null parameter keeps the column as it is.
    updateWidget: prepare<
      Null<{ origins: string; settings: string; guestEnabled: number; disabled: number }> & {
        clientKey: string;
        updatedAt: EpochMs;
      },
      WidgetRow
    >(
      `UPDATE widgets SET
         origins = coalesce(@origins, origins),
         settings = coalesce(@settings, settings),
         guest_enabled = coalesce(@guestEnabled, guest_enabled),
         disabled = coalesce(@disabled, disabled),
         updated_at = @updatedAt
       WHERE client_key = @clientKey
       RETURNING ${WIDGET_COLUMNS}`,
    ),

    insertSecretKey: prepare<{
      id: string;
      accountId: string;
      hash: string;
      displayPrefix: string;
      mode: string;
      createdAt: EpochMs;
    }>(
      `INSERT INTO secret_keys (id, account_id, hash, display_prefix, mode, created_at)
       VALUES (@id, @accountId, @hash, @displayPrefix, @mode, @createdAt)`,
    ),
    findActiveSecretKey: prepare<[string], SecretKeyRow>(
      `SELECT ${SECRET_KEY_COLUMNS} FROM secret_keys WHERE hash = ? AND revoked_at IS NULL`,
    ),
    touchSecretKey: prepare<{ id: string; at: EpochMs }>(
      `UPDATE secret_keys SET last_used_at = @at
       WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @at - ${TOUCH_COALESCE_MS})`,
    ),
    listSecretKeys: prepare<[string], SecretKeyRow>(
      `SELECT ${SECRET_KEY_COLUMNS} FROM secret_keys WHERE account_id = ? ORDER BY created_at, id`,
    ),
    // coalesce keeps the first revocation time when a key is revoked twice.
    revokeSecretKeyById: prepare<{ id: string; at: EpochMs }, SecretKeyRow>(
      `UPDATE secret_keys SET revoked_at = coalesce(revoked_at, @at) WHERE id = @id RETURNING ${SECRET_KEY_COLUMNS}`,
    ),
    revokeSecretKeyByHash: prepare<{ hash: string; at: EpochMs }, SecretKeyRow>(
      `UPDATE secret_keys SET revoked_at = coalesce(revoked_at, @at) WHERE hash = @hash RETURNING ${SECRET_KEY_COLUMNS}`,
    ),

    listSigningKeys: prepare<[], SigningKeyRow>(
      `SELECT ${SIGNING_KEY_COLUMNS} FROM signing_keys ORDER BY created_at, kid`,
    ),
    insertFirstSigningKey: prepare<SigningKeyParams>(
      `INSERT INTO signing_keys (${SIGNING_KEY_COLUMNS})
       SELECT @kid, @alg, @privateJwk, @publicJwk, @createdAt, @retiredAt
       WHERE NOT EXISTS (SELECT 1 FROM signing_keys WHERE retired_at IS NULL)`,
    ),
    retireCurrentSigningKeys: prepare<{ at: EpochMs }>(
      'UPDATE signing_keys SET retired_at = @at WHERE retired_at IS NULL',
    ),
    insertSigningKey: prepare<SigningKeyParams>(
      `INSERT INTO signing_keys (${SIGNING_KEY_COLUMNS})
       VALUES (@kid, @alg, @privateJwk, @publicJwk, @createdAt, @retiredAt)`,
    ),

    spendVisitorJti: prepare<
      { jti: string; spentAt: EpochMs; expiresAt: EpochMs; sessionId: string },
      { jti: string }
    >(
      `INSERT INTO spent_visitor_tokens (jti, spent_at, expires_at, session_id)
       VALUES (@jti, @spentAt, @expiresAt, @sessionId)
       ON CONFLICT (jti) DO NOTHING
       RETURNING jti`,
    ),
    // The session may have been purged since: the replay report then names no session.
    findSpentVisitorJti: prepare<[string], { spent_at: number; session_id: string | null }>(
      `SELECT v.spent_at, s.id AS session_id
       FROM spent_visitor_tokens v LEFT JOIN sessions s ON s.id = v.session_id
       WHERE v.jti = ?`,
    ),
    insertSession: prepare<SessionParams>(
      `INSERT INTO sessions (id, widget_id, client_key, visitor_id, kind, user_id, name, email, metadata,
         origin, created_at, expires_at, revoked_at)
       VALUES (@id, @widgetId, @clientKey, @visitorId, @kind, @userId, @name, @email, @metadata,
         @origin, @createdAt, @expiresAt, @revokedAt)`,
    ),
    insertRefreshToken: prepare<RefreshTokenParams>(
      `INSERT INTO refresh_tokens (id, hash, session_id, created_at, expires_at)
       VALUES (@id, @hash, @sessionId, @createdAt, @expiresAt)`,
    ),

    findRefreshToken: prepare<[string], RefreshViewRow>(
      `SELECT ${REFRESH_VIEW_COLUMNS}
       FROM refresh_tokens t
       JOIN sessions s ON s.id = t.session_id
       LEFT JOIN refresh_tokens n ON n.id = t.successor_id
       WHERE t.hash = ?`,
    ),
    // The compare-and-set of rotation: only an unspent, unexpired token of a live session is
    // spent, so of two concurrent rotations exactly one gets the row back. The session check is a
    // correlated EXISTS (one primary-key probe); `session_id IN (SELECT id FROM sessions WHERE …)`
    // plans as a list of every live session, built on each call.
    spendRefreshToken: prepare<
      { tokenId: string; now: EpochMs; successorId: string; successorBox: Uint8Array },
      { session_id: string }
    >(
      `UPDATE refresh_tokens
       SET spent_at = @now, successor_id = @successorId, successor_box = @successorBox
       WHERE id = @tokenId AND spent_at IS NULL AND expires_at > @now
         AND EXISTS (
           SELECT 1 FROM sessions s
           WHERE s.id = refresh_tokens.session_id AND s.revoked_at IS NULL AND s.expires_at > @now)
       RETURNING session_id`,
    ),
    revokeSession: prepare<[EpochMs, string]>(
      'UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
    ),

    purgeVisitorJtis: prepare<{ now: EpochMs }>(
      'DELETE FROM spent_visitor_tokens WHERE expires_at <= @now',
    ),
    // Counted before the delete because cascaded deletions are not reported by changes().
    countDeadRefreshTokens: prepareValue<{ now: EpochMs; revokedBefore: EpochMs }, number>(
      `${DEAD_SESSIONS} SELECT count(*) FROM refresh_tokens WHERE session_id IN (SELECT id FROM dead)`,
    ),
    deleteDeadSessions: prepare<{ now: EpochMs; revokedBefore: EpochMs }>(
      `${DEAD_SESSIONS} DELETE FROM sessions WHERE id IN (SELECT id FROM dead)`,
    ),
    clearSuccessorBoxes: prepare<{ boxedBefore: EpochMs }>(
      `UPDATE refresh_tokens SET successor_box = NULL
       WHERE successor_box IS NOT NULL AND spent_at < @boxedBefore`,
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
