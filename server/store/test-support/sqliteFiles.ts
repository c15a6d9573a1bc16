/** Fresh SQLite files in one temp directory per test file, and read-only peeks into them. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';

/** Registers cleanup of the directory with the calling test file; returns a file namer. */
export function useTempSqliteFiles(): () => string {
  const root = mkdtempSync(join(tmpdir(), 'kataven-store-'));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });
  let files = 0;
  // Each file gets its own not-yet-existing directory, so opening also exercises mkdir.
  return () => join(root, `db-${String(++files)}`, 'store.sqlite');
}

/** Reads a store's file through a separate read-only connection. */
export function inspectSqliteFile<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}
