import type { SessionRecord, SigningKeyRecord } from '../records.js';
import type { Store } from '../store.js';
import { createGroupCommit } from './groupCommit.js';
import { openWhenUnlocked } from './openWhenUnlocked.js';
import { createReadBatch } from './readBatch.js';
import {
  flag,
  toAccount,
  toRefreshToken,
  toSecretKey,
  toSession,
  toSigningKey,
  toWidget,
  viewSession,
  viewSuccessor,
  viewToken,
} from './rows.js';
import {
  prepareStatements,
  REVOKED_SESSION_RETENTION_MS,
  TOUCH_COALESCE_MS,
  type SessionParams,
  type SigningKeyParams,
  type Statements,
} from './statements.js';
import { startWalCheckpointer, type WalCheckpointer } from './walCheckpointer.js';

/**
 * better-sqlite3 is synchronous; the Store contract is asynchronous so other implementations can
 * do I/O. Running the body inside the executor turns a thrown SqliteError into a rejection.
 */
const run = <T>(body: () => T): Promise<T> =>
  new Promise<T>((resolve) => {
    resolve(body());
  });

/** WAL pages (4 KiB) after which the writer checkpoints itself when a worker does the bulk of it. */
const BACKGROUND_WRITER_CHECKPOINT_PAGES = 10_000;

/** Bounds the touch memo; clearing it only costs one UPDATE per key. */
const MAX_REMEMBERED_TOUCHES = 10_000;

const sessionParams = (s: SessionRecord): SessionParams => ({
  ...s,
  metadata: s.metadata === null ? null : JSON.stringify(s.metadata),
});

const signingKeyParams = (k: SigningKeyRecord): SigningKeyParams => ({
  kid: k.kid,
  alg: k.alg,
  privateJwk: JSON.stringify(k.privateJwk),
  publicJwk: JSON.stringify(k.publicJwk),
  createdAt: k.createdAt,
  retiredAt: k.retiredAt,
});

export interface SqliteStoreOptions {
  url: string;
  /**
   * Copy WAL frames into the database file from a worker thread (walCheckpointer.ts) instead of
   * inside the commits that cross SQLite's checkpoint threshold. The server turns it on; short
   * lived stores (CLI, tests) need not pay for a thread.
   */
  checkpointInBackground?: boolean;
  onCheckpointError?: ((message: string) => void) | undefined;
  /** How long to wait for another connection's lock while opening and migrating; default 5 s. */
  lockWaitMs?: number;
}

const DEFAULT_LOCK_WAIT_MS = 5000;

/**
 * Opens (creating if needed) the SQLite database at `url` and applies pending migrations.
 * `url` is `file:<path>` (relative paths resolve against the working directory; the parent
 * directory is created) or `:memory:`. Resolves once the store is ready; rejects if the file
 * cannot be opened or migrated. One store per process: it holds one connection.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const db = await openWhenUnlocked(options.url, options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
  return run(() => {
    let q: Statements;
    try {
      q = prepareStatements(db);
    } catch (error) {
      db.close();
      throw error;
    }
    let checkpointer: WalCheckpointer | undefined;
    if (options.checkpointInBackground === true && !db.memory) {
      checkpointer = startWalCheckpointer({ filename: db.name, onError: options.onCheckpointError });
      // The writer's own checkpoint then runs every ~40 MB of WAL instead of every ~4 MB, and
      // finds most of it copied and synced by the worker (walCheckpointer.ts has the numbers).
      db.pragma(`wal_autocheckpoint = ${BACKGROUND_WRITER_CHECKPOINT_PAGES}`);
    }

    // Write transactions start IMMEDIATE: they take the write lock up front (waiting under
    // busy_timeout) instead of failing with SQLITE_BUSY when another connection wrote between
    // their first read and first write.
    const consumeVisitorToken = db.transaction(
      (input: Parameters<Store['consumeVisitorToken']>[0]) => {
        const spent = q.spendVisitorJti.get({
          jti: input.jti,
          spentAt: input.spentAt,
          expiresAt: input.tokenExpiresAt,
          sessionId: input.session.id,
        });
        if (spent === undefined) {
          const first = q.findSpentVisitorJti.get(input.jti);
          if (first === undefined)
            throw new Error('spent visitor jti vanished inside its transaction');
          return { started: false as const, spentAt: first.spent_at, sessionId: first.session_id };
        }
        q.insertSession.run(sessionParams(input.session));
        q.insertRefreshToken.run({ ...input.refreshToken, sessionId: input.session.id });
        return { started: true as const };
      },
    );

    const rotateRefreshToken = db.transaction(
      (input: Parameters<Store['rotateRefreshToken']>[0]) => {
        const spent = q.spendRefreshToken.get({
          tokenId: input.tokenId,
          now: input.now,
          successorId: input.successor.id,
          successorBox: input.successorBox,
        });
        if (spent === undefined) return false;
        q.insertRefreshToken.run({ ...input.successor, sessionId: spent.session_id });
        return true;
      },
    );

    const rotateSigningKey = db.transaction((key: SigningKeyRecord) => {
      q.retireCurrentSigningKeys.run({ at: key.createdAt });
      q.insertSigningKey.run(signingKeyParams(key));
    });

    const purgeExpired = db.transaction((now: number, graceMs: number) => {
      const visitorTokens = q.purgeVisitorJtis.run({ now }).changes;
      const dead = { now, revokedBefore: now - REVOKED_SESSION_RETENTION_MS };
      const refreshTokens = q.countDeadRefreshTokens.get(dead) ?? 0;
      // refresh_tokens rows go with their session (ON DELETE CASCADE).
      const sessions = q.deleteDeadSessions.run(dead).changes;
      q.clearSuccessorBoxes.run({ boxedBefore: now - graceMs });
      return { visitorTokens, refreshTokens, sessions };
    });

    // The session and refresh-token writes of the hot flows share commits (groupCommit.ts).
    const commit = createGroupCommit(db);
    // …and their hot lookups share read transactions (readBatch.ts).
    const read = createReadBatch(db);

    /** Secret key id → the `last_used_at` this process last wrote. */
    const lastTouch = new Map<string, number>();

    const store: Store = {
      createAccount: (account) =>
        run(() => {
          q.insertAccount.run(account);
        }),
      findAccount: (id) =>
        run(() => {
          const row = q.findAccount.get(id);
          return row && toAccount(row);
        }),
      countAccounts: () => run(() => q.countAccounts.get() ?? 0),

      createWidget: (w) =>
        run(() => {
          q.insertWidget.run({
            ...w,
            origins: JSON.stringify(w.origins),
            settings: JSON.stringify(w.settings),
            guestEnabled: flag(w.guestEnabled),
            disabled: flag(w.disabled),
          });
        }),
      findWidgetByClientKey: (clientKey) =>
        run(() => {
          const row = q.findWidgetByClientKey.get(clientKey);
          return row && toWidget(row);
        }),
      listWidgets: () => run(() => q.listWidgets.all().map(toWidget)),
      updateWidget: (clientKey, patch) =>
        run(() => {
          const row = q.updateWidget.get({
            clientKey,
            updatedAt: patch.updatedAt,
            origins: patch.origins === undefined ? null : JSON.stringify(patch.origins),
            settings: patch.settings === undefined ? null : JSON.stringify(patch.settings),
            guestEnabled: patch.guestEnabled === undefined ? null : flag(patch.guestEnabled),
            disabled: patch.disabled === undefined ? null : flag(patch.disabled),
          });
          return row && toWidget(row);
        }),

      createSecretKey: (key) =>
        run(() => {
          q.insertSecretKey.run(key);
        }),
      findActiveSecretKey: (hash) =>
        read(() => {
          const row = q.findActiveSecretKey.get(hash);
          return row && toSecretKey(row);
        }),
      touchSecretKey: (id, at) =>
        run(() => {
          const last = lastTouch.get(id);
          // What this connection wrote less than the coalescing window ago: the UPDATE would
          // match nothing, but it still costs a write transaction on every user-token call.
          if (last !== undefined && at >= last && at - last < TOUCH_COALESCE_MS) return;
          if (q.touchSecretKey.run({ id, at }).changes === 1) {
            if (lastTouch.size >= MAX_REMEMBERED_TOUCHES) lastTouch.clear();
            lastTouch.set(id, at);
          }
        }),
      listSecretKeys: (accountId) => run(() => q.listSecretKeys.all(accountId).map(toSecretKey)),
      revokeSecretKey: (ref, at) =>
        run(() => {
          const row =
            'id' in ref
              ? q.revokeSecretKeyById.get({ id: ref.id, at })
              : q.revokeSecretKeyByHash.get({ hash: ref.hash, at });
          return row && toSecretKey(row);
        }),

      listSigningKeys: () => run(() => q.listSigningKeys.all().map(toSigningKey)),
      insertFirstSigningKey: (key) =>
        run(() => q.insertFirstSigningKey.run(signingKeyParams(key)).changes === 1),
      rotateSigningKey: (key) =>
        run(() => {
          rotateSigningKey.immediate(key);
        }),

      consumeVisitorToken: (input) => commit(() => consumeVisitorToken(input)),
      findRefreshToken: (hash) =>
        read(() => {
          const row = q.findRefreshToken.get(hash);
          if (row === undefined) return undefined;
          const successor = viewSuccessor(row);
          return {
            token: toRefreshToken(viewToken(row)),
            session: toSession(viewSession(row)),
            successor: successor === undefined ? null : toRefreshToken(successor),
          };
        }),
      rotateRefreshToken: (input) => commit(() => rotateRefreshToken(input)),
      revokeSession: (sessionId, at) => commit(() => q.revokeSession.run(at, sessionId).changes === 1),

      purgeExpired: (now, graceMs) => run(() => purgeExpired.immediate(now, graceMs)),

      ping: () =>
        run(() => {
          q.ping.get();
        }),
      close: async () => {
        // A group commit queued before close runs first (setImmediate callbacks run in order).
        await new Promise((resolve) => setImmediate(resolve));
        await checkpointer?.stop();
        if (db.open) db.close();
      },
    };
    return store;
  });
}
