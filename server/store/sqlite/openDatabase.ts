import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
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

/** Opens the database, sets the connection pragmas and applies pending migrations. */
export function openDatabase(url: string): Database.Database {
  const filename = sqliteFilename(url);
  if (filename !== MEMORY) mkdirSync(dirname(filename), { recursive: true });

  const db = new Database(filename);
  try {
    // WAL lets readers proceed while a write commits and makes each commit one append.
    db.pragma('journal_mode = WAL');
    // Another process (an admin CLI) may hold the write lock briefly; wait rather than fail.
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    // With WAL, NORMAL skips the fsync per commit. A crash of this process loses nothing that
    // committed (the WAL is in the OS page cache); only an OS crash or power loss can drop the
    // last transactions. FULL costs ~4x on writes (see /work/shared/STACK-NOTES.md).
    db.pragma('synchronous = NORMAL');

    // drizzle's migrator wraps pending migrations in one transaction. drizzle-kit migrations
    // that rebuild a table toggle `PRAGMA foreign_keys`, which is ignored inside a transaction:
    // review such generated SQL before shipping it.
    migrate(drizzle(db), { migrationsFolder: sqliteMigrationsFolder() });
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
