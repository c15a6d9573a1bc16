import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeStoreConformance } from '../store.conformance.js';
import { inspectSqliteFile, useTempSqliteFiles } from '../test-support/sqliteFiles.js';
import { aSecretKey, anAccount, T0 } from '../test-support/storeFixtures.js';
import { sqliteMigrationsFolder } from './migrationsFolder.js';
import { sqliteFilename } from './openDatabase.js';
import { openSqliteStore } from './openSqliteStore.js';

const freshFile = useTempSqliteFiles();

describeStoreConformance('SQLite file', () => openSqliteStore({ url: `file:${freshFile()}` }));

describe('SQLite store', () => {
  const migrationCount = (file: string) =>
    inspectSqliteFile(file, (db) =>
      db.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get(),
    );

  it('creates the parent directory and applies the migrations to a fresh file', async () => {
    const file = freshFile();
    const store = await openSqliteStore({ url: `file:${file}` });
    await store.close();
    const tables = inspectSqliteFile(file, (db) =>
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all(),
    );
    expect(tables).toEqual(
      expect.arrayContaining([
        'accounts',
        'refresh_tokens',
        'secret_keys',
        'sessions',
        'signing_keys',
        'spent_visitor_tokens',
        'widgets',
      ]),
    );
    expect(migrationCount(file)).toBeGreaterThan(0);
  });

  it('re-opening an existing file applies nothing again and keeps the data', async () => {
    const file = freshFile();
    const account = anAccount();
    const first = await openSqliteStore({ url: `file:${file}` });
    await first.createAccount(account);
    await first.close();
    const before = migrationCount(file);

    const second = await openSqliteStore({ url: `file:${file}` });
    expect(await second.findAccount(account.id)).toEqual(account);
    await second.close();
    expect(migrationCount(file)).toBe(before);
  });

  it('runs in WAL mode with foreign keys enforced', async () => {
    const file = freshFile();
    const store = await openSqliteStore({ url: `file:${file}` });
    expect(inspectSqliteFile(file, (db) => db.pragma('journal_mode', { simple: true }))).toBe(
      'wal',
    );
    await expect(store.createSecretKey(aSecretKey('acct_missing'))).rejects.toThrow(/FOREIGN KEY/);
    await store.close();
  });

  it('touchSecretKey skips the write while the last recorded use is under a minute old', async () => {
    const store = await openSqliteStore({ url: `file:${freshFile()}` });
    const account = anAccount();
    await store.createAccount(account);
    const key = aSecretKey(account.id);
    await store.createSecretKey(key);
    await store.touchSecretKey(key.id, T0);
    await store.touchSecretKey(key.id, T0 + 59_000);
    expect((await store.findActiveSecretKey(key.hash))?.lastUsedAt).toBe(T0);
    await store.touchSecretKey(key.id, T0 + 61_000);
    expect((await store.findActiveSecretKey(key.hash))?.lastUsedAt).toBe(T0 + 61_000);
    await store.close();
  });

  it('opens an in-memory database', async () => {
    const store = await openSqliteStore({ url: ':memory:' });
    await store.ping();
    expect(await store.countAccounts()).toBe(0);
    await store.close();
  });

  it('rejects urls it cannot honour', async () => {
    await expect(openSqliteStore({ url: 'postgres://localhost/db' })).rejects.toThrow(
      /Unsupported SQLite url/,
    );
    await expect(openSqliteStore({ url: 'file:./x.sqlite?mode=ro' })).rejects.toThrow(
      /Unsupported SQLite url/,
    );
    await expect(openSqliteStore({ url: 'file:' })).rejects.toThrow(/names no file/);
  });

  it('resolves relative, absolute and file:// urls', () => {
    expect(sqliteFilename('file:./data/k.sqlite')).toBe(join(process.cwd(), 'data', 'k.sqlite'));
    expect(sqliteFilename('file:/abs/k.sqlite')).toBe('/abs/k.sqlite');
    expect(sqliteFilename('file:///abs/k.sqlite')).toBe('/abs/k.sqlite');
    expect(sqliteFilename(':memory:')).toBe(':memory:');
  });

  it('finds the migrations from source and from the compiled dist/ layout', () => {
    const fromSource = sqliteMigrationsFolder();
    expect(fromSource).toMatch(/server\/store\/sqlite\/migrations$/);
    const compiled = new URL(
      '../../../dist/server/store/sqlite/migrationsFolder.js',
      import.meta.url,
    );
    expect(sqliteMigrationsFolder(compiled)).toBe(fromSource);
  });

  it('after close, calls reject and close is idempotent', async () => {
    const store = await openSqliteStore({ url: `file:${freshFile()}` });
    await store.close();
    await expect(store.ping()).rejects.toThrow();
    await expect(store.close()).resolves.toBeUndefined();
  });
});
