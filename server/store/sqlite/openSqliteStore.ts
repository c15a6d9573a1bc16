import type { Store } from '../store.js';
import { createAdminChangeFeed } from './adminChangeFeed.js';
import { createGroupCommit } from './groupCommit.js';
import { openWhenUnlocked } from './openWhenUnlocked.js';
import { createReadBatch } from './readBatch.js';
import { prepareAccountStatements } from './tables/accounts.js';
import { prepareAdminChangeStatements } from './tables/adminChanges.js';
import { prepareRefreshTokenStatements } from './tables/refreshTokens.js';
import { prepareSecretKeyStatements } from './tables/secretKeys.js';
import { prepareSessionStatements } from './tables/sessions.js';
import { prepareSigningKeyStatements } from './tables/signingKeys.js';
import { prepareSpentVisitorTokenStatements } from './tables/spentVisitorTokens.js';
import { sqliteDb, type SqliteDb } from './tables/sqliteDb.js';
import { prepareUserRevocationStatements } from './tables/userRevocations.js';
import { prepareWidgetStatements } from './tables/widgets.js';
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

/**
 * A widget disabled or a key revoked must reach every instance within 1 s; a quarter of that
 * leaves room for the caches that act on the news.
 */
const DEFAULT_ADMIN_CHANGE_POLL_MS = 250;

/** Every table's statements, prepared once when the store opens. */
function prepareTables(db: SqliteDb) {
  return {
    accounts: prepareAccountStatements(db),
    adminChanges: prepareAdminChangeStatements(db),
    widgets: prepareWidgetStatements(db),
    secretKeys: prepareSecretKeyStatements(db),
    signingKeys: prepareSigningKeyStatements(db),
    spentVisitorTokens: prepareSpentVisitorTokenStatements(db),
    sessions: prepareSessionStatements(db),
    refreshTokens: prepareRefreshTokenStatements(db),
    userRevocations: prepareUserRevocationStatements(db),
    ping: db.$client.prepare('SELECT 1'),
  };
}

export interface SqliteStoreOptions {
  url: string;
  /**
   * Copy WAL frames into the database file from a worker thread (walCheckpointer.ts) instead of
   * inside the commits that cross SQLite's checkpoint threshold. The server turns it on; short
   * lived stores (CLI, tests) need not pay for a thread.
   */
  checkpointInBackground?: boolean;
  onCheckpointError?: ((message: string) => void) | undefined;
  /** How often `onAdminChange` looks for changes other connections committed; 250 ms by default. */
  adminChangePollMs?: number;
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
    let t: ReturnType<typeof prepareTables>;
    try {
      t = prepareTables(sqliteDb(db));
    } catch (error) {
      db.close();
      throw error;
    }
    let checkpointer: WalCheckpointer | undefined;
    if (options.checkpointInBackground === true && !db.memory) {
      checkpointer = startWalCheckpointer({
        filename: db.name,
        onError: options.onCheckpointError,
      });
      // The writer's own checkpoint then runs far less often and finds most of the WAL copied
      // and synced by the worker (docs/performance.md, "WAL checkpoints in a worker").
      db.pragma(`wal_autocheckpoint = ${BACKGROUND_WRITER_CHECKPOINT_PAGES}`);
    }

    // The steps that span tables, each one transaction. Write transactions start IMMEDIATE: they
    // take the write lock up front (waiting under busy_timeout) instead of failing with
    // SQLITE_BUSY when another connection wrote between their first read and first write.
    const consumeVisitorToken = db.transaction(
      (input: Parameters<Store['consumeVisitorToken']>[0]) => {
        const spent = t.spentVisitorTokens.spend({
          jti: input.jti,
          spentAt: input.spentAt,
          expiresAt: input.tokenExpiresAt,
          sessionId: input.session.id,
        });
        if (!spent) {
          const first = t.spentVisitorTokens.findSpent(input.jti);
          if (first === undefined)
            throw new Error('spent visitor jti vanished inside its transaction');
          return { started: false as const, ...first };
        }
        t.sessions.insert(input.session);
        t.refreshTokens.insert({ ...input.refreshToken, sessionId: input.session.id });
        return { started: true as const };
      },
    );

    const rotateRefreshToken = db.transaction(
      (input: Parameters<Store['rotateRefreshToken']>[0]) => {
        const sessionId = t.refreshTokens.spend(input);
        if (sessionId === undefined) return false;
        t.refreshTokens.insert({ ...input.successor, sessionId });
        return true;
      },
    );

    // One transaction: SQLite serialises writers, so no exchange commits in between.
    const revokeUserSessions = db.transaction((input: Parameters<Store['revokeUserSessions']>[0]) => {
      t.userRevocations.record(input.widgetId, input.userId, input.at);
      return t.sessions.revokeOfUser(input.widgetId, input.userId, input.at);
    });

    const purgeExpired = db.transaction((now: number, graceMs: number, limit: number) => {
      const visitorTokens = t.spentVisitorTokens.purge(now, limit);
      const { sessions, refreshTokens } = t.sessions.purgeDead(now, limit);
      const successorBoxes = t.refreshTokens.clearSuccessorBoxes(now - graceMs, limit);
      return { visitorTokens, refreshTokens, sessions, successorBoxes };
    });

    // The session and refresh-token writes of the hot flows share commits (groupCommit.ts).
    const commit = createGroupCommit(db);
    // …and their hot lookups share read transactions (readBatch.ts).
    const read = createReadBatch(db);
    const adminChanges = createAdminChangeFeed({
      readVersion: () => t.adminChanges.version(),
      pollMs: options.adminChangePollMs ?? DEFAULT_ADMIN_CHANGE_POLL_MS,
    });

    const store: Store = {
      createAccount: (account) => run(() => t.accounts.insert(account)),
      findAccount: (id) => run(() => t.accounts.find(id)),
      countAccounts: () => run(() => t.accounts.count()),

      createWidget: (widget) => run(() => t.widgets.insert(widget)),
      findWidgetByClientKey: (clientKey) => run(() => t.widgets.findByClientKey(clientKey)),
      listWidgets: () => run(() => t.widgets.list()),
      updateWidget: (clientKey, patch) => run(() => t.widgets.update(clientKey, patch)),

      createSecretKey: (key) => run(() => t.secretKeys.insert(key)),
      findActiveSecretKey: (hash, now) => read(() => t.secretKeys.findActive(hash, now)),
      findSecretKey: (id) => run(() => t.secretKeys.find(id)),
      rollSecretKey: (input) => run(() => t.secretKeys.roll(input)),
      touchSecretKey: (id, at) => run(() => t.secretKeys.touch(id, at)),
      listSecretKeys: (accountId) => run(() => t.secretKeys.listOfAccount(accountId)),
      revokeSecretKey: (ref, at) => run(() => t.secretKeys.revoke(ref, at)),

      listSigningKeys: () => run(() => t.signingKeys.list()),
      insertFirstSigningKey: (key) => run(() => t.signingKeys.insertFirst(key)),
      rotateSigningKey: (key, options) => run(() => t.signingKeys.rotate(key, options?.unlessActivatedAfter)),
      withdrawSigningKey: (kid, at) => run(() => t.signingKeys.withdraw(kid, at)),
      replaceSigningKeyPrivateJwk: (kid, from, to) => run(() => t.signingKeys.replacePrivate(kid, from, to)),

      consumeVisitorToken: (input) => commit(() => consumeVisitorToken(input)),
      findRefreshToken: (lookup) => read(() => t.refreshTokens.findView(lookup)),
      rotateRefreshToken: (input) => commit(() => rotateRefreshToken(input)),
      revokeSession: (sessionId, at) => commit(() => t.sessions.revoke(sessionId, at)),
      revokeUserSessions: (input) => run(() => revokeUserSessions.immediate(input)),
      findUserRevocation: (widgetId, userId) => read(() => t.userRevocations.find(widgetId, userId)),

      purgeExpired: (now, graceMs, limit) => run(() => purgeExpired.immediate(now, graceMs, limit)),

      onAdminChange: (listener) => adminChanges.subscribe(listener),

      ping: () =>
        run(() => {
          t.ping.get();
        }),
      close: async () => {
        adminChanges.stop();
        // A group commit queued before close runs first (setImmediate callbacks run in order).
        await new Promise((resolve) => setImmediate(resolve));
        await checkpointer?.stop();
        if (db.open) db.close();
      },
    };
    return store;
  });
}
