import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { createParentDirectories } from './createParentDirectories.js';
import { sqliteMigrationsFolder } from './migrationsFolder.js';

const MEMORY = ':memory:';

/**
 * `file:./relative.sqlite` (relative to the working directory), `file:/abs/path.sqlite`,
 * `file:///abs/path.sqlite` or `:memory:`. SQLite URI query parameters are not supported: a `?`
 * would otherwise silently become part of the file name.
 */
export function sqliteFilename(url: string): string {
  if (url === MEMORY || url === `file:${MEMORY}`) return MEMORY;
  if (!url.startsWith('file:') || url.includes('?')) {
    throw new Error(`Unsupported SQLite url ${JSON.stringify(url)}: use file:<path> or :memory:`);
  }
  const path = url.startsWith('file://') ? fileURLToPath(url) : url.slice('file:'.length);
  if (path === '') throw new Error(`SQLite url ${JSON.stringify(url)} names no file`);
  return resolve(path);
}

/** Another process (an admin CLI) may hold the write lock briefly; statements wait this long rather than fail. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens the database, sets the connection pragmas and applies pending migrations. While opening
 * and migrating, a lock held elsewhere is waited for at most `openBusyTimeoutMs` (the wait blocks
 * the thread): `openWhenUnlocked` retries with short waits so the event loop keeps turning.
 */
export function openDatabase(url: string, openBusyTimeoutMs = BUSY_TIMEOUT_MS): Database.Database {
  const filename = sqliteFilename(url);
  if (filename !== MEMORY) createParentDirectories(dirname(filename));

  // `timeout` is the connection's busy timeout, in force from the first statement on.
  const db = new Database(filename, { timeout: openBusyTimeoutMs });
  try {
    // WAL lets readers proceed while a write commits and makes each commit one append.
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // Durability, chosen from a test and a measurement (SECURITY.md, "Durability"):
    // - Process crash (SIGKILL, OOM kill, a bug): with WAL, NORMAL loses nothing that committed —
    //   the commit is in the WAL in the OS page cache before the answer is sent. Proven by
    //   crashConsistency.test.ts: 6 SIGKILLs under load, integrity_check ok, no forked refresh
    //   family, every refresh token answered with 200 still honoured after restart.
    // - OS crash or power loss: NORMAL syncs the WAL only at checkpoints, so the last transactions
    //   before the failure can be rolled back (never corrupted). What rolls back is the newest
    //   state change: a rotation (the client's new refresh token stops working; its predecessor
    //   works again), an exchange (the visitor token, ≤ 120 s old, becomes usable once more), or
    //   a revocation (a just-ended session lives again until its deadline).
    // - FULL (an fsync per commit) costs a large share of token throughput
    //   (docs/performance.md, "`synchronous = NORMAL`").
    // The rare, narrow OS-crash window does not justify that cost;
    // deployments on storage without power-loss protection that must not undo a revocation
    // should run on a replicated store instead (see the Store interface).
    db.pragma('synchronous = NORMAL');

    // drizzle's migrator wraps pending migrations in one transaction. drizzle-kit migrations
    // that rebuild a table toggle `PRAGMA foreign_keys`, which is ignored inside a transaction:
    // review such generated SQL before shipping it.
    migrate(drizzle(db), { migrationsFolder: sqliteMigrationsFolder() });
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
