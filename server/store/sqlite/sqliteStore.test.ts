import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { describe, expect, it, vi } from 'vitest';
import { describeStoreConformance } from '../store.conformance.js';
import { expectHashOnlyTokenRotates } from '../test-support/expectHashOnlyTokenRotates.js';
import { migrationsAsReleased } from '../test-support/migrationsAsReleased.js';
import { inspectSqliteFile, useTempSqliteFiles } from '../test-support/sqliteFiles.js';
import {
  aRefreshToken,
  aSecretKey,
  aSigningKey,
  aWidget,
  anAccount,
  DAY,
  T0,
} from '../test-support/storeFixtures.js';
import { sqliteMigrationsFolder } from './migrationsFolder.js';
import { sqliteFilename } from './openDatabase.js';
import { openSqliteStore } from './openSqliteStore.js';

const freshFile = useTempSqliteFiles();

/** Short, so the admin-change tests hear quickly. */
const adminChangePollMs = 20;

describeStoreConformance('SQLite file', {
  open: async () => {
    const url = `file:${freshFile()}`;
    return {
      store: await openSqliteStore({ url, adminChangePollMs }),
      openAnother: () => openSqliteStore({ url, adminChangePollMs }),
    };
  },
  adminChangePollMs,
});

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

  it('admin_changes counts widget, secret-key and signing-key changes in their own commit, not touches', async () => {
    const file = freshFile();
    const store = await openSqliteStore({ url: `file:${file}` });
    const version = () =>
      inspectSqliteFile(file, (db) =>
        db.prepare('SELECT version FROM admin_changes WHERE id = 1').pluck().get(),
      );
    expect(version()).toBe(0);
    const account = anAccount();
    await store.createAccount(account);
    expect(version()).toBe(0);
    const widget = aWidget(account.id);
    await store.createWidget(widget);
    expect(version()).toBe(1);
    await store.updateWidget(widget.clientKey, { disabled: true, updatedAt: T0 + 1 });
    expect(version()).toBe(2);
    const key = aSecretKey(account.id);
    await store.createSecretKey(key);
    expect(version()).toBe(3);
    await store.touchSecretKey(key.id, T0 + 1);
    await store.touchSecretKey(key.id, T0 + 2 * 60_000);
    expect(version()).toBe(3);
    await store.revokeSecretKey({ id: key.id }, T0 + 3);
    expect(version()).toBe(4);
    // Revoking again keeps the first revocation time: nothing changed.
    await store.revokeSecretKey({ hash: key.hash }, T0 + 4);
    expect(version()).toBe(4);
    await store.insertFirstSigningKey(aSigningKey());
    expect(version()).toBe(5);
    await store.rotateSigningKey(aSigningKey({ createdAt: T0 + 5 }));
    expect(version()).toBeGreaterThan(5);
    await store.close();
  });

  /** A file migrated as a release that shipped only the first `migrations` migrations left it. */
  const fileAsReleased = (migrations: number): Database.Database => {
    const file = freshFile();
    mkdirSync(dirname(file), { recursive: true });
    const release = migrationsAsReleased(sqliteMigrationsFolder(), migrations);
    const old = new Database(file);
    migrate(drizzle(old), { migrationsFolder: release.folder });
    release.remove();
    return old;
  };

  it('upgrades a database from before the admin-change feed: data kept, counter from 0', async () => {
    const old = fileAsReleased(1);
    const file = old.name;
    const account = anAccount();
    old
      .prepare('INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)')
      .run(account.id, account.name, account.createdAt);
    old.close();

    const store = await openSqliteStore({ url: `file:${file}`, adminChangePollMs: 20 });
    expect(await store.findAccount(account.id)).toEqual(account);
    let calls = 0;
    const stop = store.onAdminChange(() => {
      calls += 1;
    });
    await store.createWidget(aWidget(account.id));
    await vi.waitFor(() => {
      expect(calls).toBe(1);
    });
    stop();
    await store.close();
    expect(
      inspectSqliteFile(file, (db) =>
        db.prepare('SELECT version FROM admin_changes WHERE id = 1').pluck().get(),
      ),
    ).toBe(1);
  });

  it('upgrades a database from before tokens carried their id: its tokens are still found by hash and rotate', async () => {
    const old = fileAsReleased(4);
    const file = old.name;
    // The release before wrote sessions and tokens like this (foreign keys off: no widget needed).
    old.pragma('foreign_keys = OFF');
    old
      .prepare(
        `INSERT INTO sessions (id, widget_id, client_key, visitor_id, kind, origin, created_at, expires_at)
         VALUES ('ses_old', 'wgt_old', 'pk_test_old', 'vis_old', 'guest', 'https://a.example', ?, ?)`,
      )
      .run(T0, T0 + DAY);
    const issuedBefore = aRefreshToken({ createdAt: T0, expiresAt: T0 + DAY });
    old
      .prepare('INSERT INTO refresh_tokens (id, hash, session_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(issuedBefore.id, issuedBefore.hash, 'ses_old', T0, T0 + DAY);
    old.close();

    const store = await openSqliteStore({ url: `file:${file}` });
    await expectHashOnlyTokenRotates(store, issuedBefore, 'ses_old');
    await store.close();
  });

  it('a closed store takes no admin-change listener', async () => {
    const store = await openSqliteStore({ url: `file:${freshFile()}`, adminChangePollMs: 5 });
    store.onAdminChange(() => undefined);
    await store.close();
    expect(() => store.onAdminChange(() => undefined)).toThrow(/closed/);
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
