/**
 * Admin changes reach every store on the database: through NOTIFY within milliseconds, through
 * the polled counter when a notification was lost, and at once in the store that made them.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import type { Store } from '../store.js';
import { postgresUrl, describeWithPostgres } from '../../test-support/services.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/testDatabase.js';
import {
  aSecretKey,
  aSigningKey,
  aWidget,
  anAccount,
  DAY,
  T0,
} from '../test-support/storeFixtures.js';
import { openPostgresStore } from './openPostgresStore.js';

/** Longer than any test: with it, only NOTIFY (or the check after listening) can deliver. */
const NEVER_MS = 10 * 60_000;
const ARRIVES = { timeout: 10_000, interval: 20 };

describeWithPostgres('PostgreSQL admin change feed', () => {
  let migrated: TestDatabase;
  beforeAll(async () => {
    migrated = await createTestDatabase(postgresUrl(), 'admin_changes_template');
    await (await openPostgresStore({ url: migrated.url })).close();
  });
  afterAll(async () => {
    await migrated.drop();
  });

  let database: TestDatabase;
  let stores: Store[] = [];
  beforeEach(async () => {
    database = await createTestDatabase(postgresUrl(), 'admin_changes', {
      template: migrated.name,
    });
  });
  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
    stores = [];
    await database.drop();
  });

  const open = async (adminChangePollMs: number): Promise<Store> => {
    const store = await openPostgresStore({ url: database.url, adminChangePollMs });
    stores.push(store);
    return store;
  };
  const sql = async <Row extends pg.QueryResultRow>(text: string): Promise<Row[]> => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query<Row>(text)).rows;
    } finally {
      await client.end();
    }
  };
  const version = async () =>
    Number((await sql<{ version: string }>('SELECT version FROM admin_changes'))[0]?.version);
  /** The backend of a store's LISTEN connection, once it listens. */
  const listenerPids = async () =>
    (
      await sql<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'kataven-admin-changes'
           AND query LIKE 'LISTEN %'`,
      )
    ).map((row) => row.pid);
  const listenerPid = () =>
    vi.waitFor(async () => {
      const [pid] = await listenerPids();
      expect(pid).toBeDefined();
      return pid ?? 0;
    }, ARRIVES);
  const countCalls = (store: Store) => {
    const seen = { calls: 0 };
    store.onAdminChange(() => seen.calls++);
    return seen;
  };

  it('every kind of admin change made through another store reaches the listener', async () => {
    const listening = await open(NEVER_MS);
    const other = await open(NEVER_MS);
    const seen = countCalls(listening);
    await listenerPid();
    const account = anAccount();
    await other.createAccount(account);
    const widget = aWidget(account.id);
    const key = aSecretKey(account.id);
    const changes: [string, () => Promise<unknown>][] = [
      ['widget created', () => other.createWidget(widget)],
      [
        'widget disabled',
        () => other.updateWidget(widget.clientKey, { disabled: true, updatedAt: T0 + 1 }),
      ],
      [
        'origins changed',
        () => other.updateWidget(widget.clientKey, { origins: [], updatedAt: T0 + 2 }),
      ],
      ['secret key created', () => other.createSecretKey(key)],
      ['secret key revoked', () => other.revokeSecretKey({ id: key.id }, T0 + 3)],
      ['first signing key', () => other.insertFirstSigningKey(aSigningKey())],
      ['signing key rotated', () => other.rotateSigningKey(aSigningKey({ createdAt: T0 + DAY }))],
    ];
    for (const [change, make] of changes) {
      const before = seen.calls;
      await make();
      await vi.waitFor(() => {
        expect(seen.calls, change).toBeGreaterThan(before);
      }, ARRIVES);
    }
  });

  it('the store that made a change calls its listeners before the change resolves', async () => {
    const store = await open(NEVER_MS);
    const seen = countCalls(store);
    const account = anAccount();
    await store.createAccount(account);
    await store.createWidget(aWidget(account.id));
    expect(seen.calls).toBe(1);
  });

  it('touching a secret key is not an admin change', async () => {
    const listening = await open(50);
    const other = await open(NEVER_MS);
    const seen = countCalls(listening);
    const account = anAccount();
    await other.createAccount(account);
    const key = aSecretKey(account.id);
    await other.createSecretKey(key);
    await vi.waitFor(() => {
      expect(seen.calls).toBe(1);
    }, ARRIVES);
    const before = await version();

    await other.touchSecretKey(key.id, T0 + DAY);
    await other.revokeSecretKey({ id: key.id }, T0 + 2 * DAY);
    // A revocation repeated with the first time kept changes nothing either.
    await other.revokeSecretKey({ id: key.id }, T0 + 3 * DAY);

    expect(await version()).toBe(before + 1);
    await vi.waitFor(() => {
      expect(seen.calls).toBe(2);
    }, ARRIVES);
  });

  it('after its LISTEN connection is killed, a store still sees changes and listens again', async () => {
    const store = await open(100);
    const seen = countCalls(store);
    const killed = await listenerPid();
    await sql(`SELECT pg_terminate_backend(${String(killed)})`);
    // A bump that notifies no one, as when a notification is lost: only the poll reveals it.
    await sql('UPDATE admin_changes SET version = version + 1');
    await vi.waitFor(() => {
      expect(seen.calls).toBe(1);
    }, ARRIVES);
    await vi.waitFor(async () => {
      const pids = await listenerPids();
      expect(pids).toHaveLength(1);
      expect(pids).not.toContain(killed);
    }, ARRIVES);
  });

  it('a store whose listener reconnected receives notifications again, without polling', async () => {
    const listening = await open(NEVER_MS);
    const other = await open(NEVER_MS);
    const seen = countCalls(listening);
    const killed = await listenerPid();
    await sql(`SELECT pg_terminate_backend(${String(killed)})`);
    await vi.waitFor(async () => {
      const pids = await listenerPids();
      expect(pids).toHaveLength(1);
      expect(pids).not.toContain(killed);
    }, ARRIVES);
    const account = anAccount();
    await other.createAccount(account);
    await other.createWidget(aWidget(account.id));
    await vi.waitFor(() => {
      expect(seen.calls).toBe(1);
    }, ARRIVES);
  });

  it('an unsubscribed listener is not called again', async () => {
    const store = await open(NEVER_MS);
    const seen = { calls: 0 };
    const stop = store.onAdminChange(() => seen.calls++);
    const account = anAccount();
    await store.createAccount(account);
    await store.createWidget(aWidget(account.id));
    stop();
    await store.createWidget(aWidget(account.id));
    expect(seen.calls).toBe(1);
  });

  it('close ends the LISTEN connection', async () => {
    const store = await open(NEVER_MS);
    countCalls(store);
    await listenerPid();
    await store.close();
    await vi.waitFor(async () => {
      expect(await listenerPids()).toEqual([]);
    }, ARRIVES);
  });
});
