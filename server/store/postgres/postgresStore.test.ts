import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Store } from '../store.js';
import { describeStoreConformance } from '../store.conformance.js';
import { postgresUrl, describeWithPostgres } from '../../test-support/services.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/testDatabase.js';
import { expectHashOnlyTokenRotates } from '../test-support/expectHashOnlyTokenRotates.js';
import { migrationsAsReleased } from '../test-support/migrationsAsReleased.js';
import { aRefreshToken, aWidget, anAccount, DAY, T0 } from '../test-support/storeFixtures.js';
import { postgresMigrationsFolder } from './migrate.js';
import { openPostgresStore } from './openPostgresStore.js';

describeWithPostgres('PostgreSQL store', () => {
  let migrated: TestDatabase;
  beforeAll(async () => {
    migrated = await createTestDatabase(postgresUrl(), 'store_template');
    await (await openPostgresStore({ url: migrated.url })).close();
  });
  afterAll(async () => {
    await migrated.drop();
  });

  /** Short, so the admin-change tests hear quickly (NOTIFY usually beats it). */
  const adminChangePollMs = 20;

  /** A database of its own, copied from the migrated one: one store, more on demand, dropped after. */
  const openDatabase = async () => {
    const database = await createTestDatabase(postgresUrl(), 'store', { template: migrated.name });
    const others: Store[] = [];
    const first = await openPostgresStore({ url: database.url, adminChangePollMs });
    const store: Store = {
      ...first,
      close: async () => {
        await first.close();
        await Promise.all(others.map((other) => other.close()));
        await database.drop();
      },
    };
    const openAnother = async () => {
      const another = await openPostgresStore({ url: database.url, adminChangePollMs });
      others.push(another);
      return another;
    };
    return { store, openAnother };
  };
  const openFresh = async (): Promise<Store> => (await openDatabase()).store;

  describeStoreConformance('PostgreSQL', { open: openDatabase, adminChangePollMs });

  it("reads bigint columns as numbers without changing node-postgres's global parsers", async () => {
    const store = await openFresh();
    try {
      await store.createAccount(anAccount());
      expect(await store.countAccounts()).toBe(1);
      const globalInt8 = pg.types.getTypeParser(pg.types.builtins.INT8) as (
        text: string,
      ) => unknown;
      expect(globalInt8('5')).toBe('5');
    } finally {
      await store.close();
    }
  });

  it('after close, calls reject and close is idempotent', async () => {
    const database = await createTestDatabase(postgresUrl(), 'closed', { template: migrated.name });
    try {
      const store = await openPostgresStore({ url: database.url });
      await store.close();
      await expect(store.ping()).rejects.toThrow();
      await expect(store.close()).resolves.toBeUndefined();
    } finally {
      await database.drop();
    }
  });

  it('upgrades a database from before tokens carried their id: its tokens are still found by hash and rotate', async () => {
    const database = await createTestDatabase(postgresUrl(), 'upgrade');
    const release = migrationsAsReleased(postgresMigrationsFolder(), 3);
    const issuedBefore = aRefreshToken({ createdAt: T0, expiresAt: T0 + DAY });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await migrate(drizzle({ client }), { migrationsFolder: release.folder });
      // The release before wrote sessions and tokens like this (a session needs its widget).
      const account = anAccount();
      const widget = aWidget(account.id);
      await client.query('INSERT INTO accounts (id, name, created_at) VALUES ($1, $2, $3)', [account.id, account.name, account.createdAt]);
      await client.query(
        `INSERT INTO widgets (id, account_id, client_key, name, mode, origins, settings, guest_enabled, disabled, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, true, false, $8, $8)`,
        [widget.id, account.id, widget.clientKey, widget.name, widget.mode, JSON.stringify(widget.origins), JSON.stringify(widget.settings), T0],
      );
      await client.query(
        `INSERT INTO sessions (id, widget_id, client_key, visitor_id, kind, origin, created_at, expires_at)
         VALUES ('ses_old', $1, $2, 'vis_old', 'guest', 'https://a.example', $3, $4)`,
        [widget.id, widget.clientKey, T0, T0 + DAY],
      );
      await client.query(
        'INSERT INTO refresh_tokens (id, hash, session_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
        [issuedBefore.id, issuedBefore.hash, 'ses_old', T0, T0 + DAY],
      );
    } finally {
      await client.end();
      release.remove();
    }

    const store = await openPostgresStore({ url: database.url });
    try {
      await expectHashOnlyTokenRotates(store, issuedBefore, 'ses_old');
    } finally {
      await store.close();
      await database.drop();
    }
  });

  it('opening fails with the reason when the database does not exist', async () => {
    const url = new URL(migrated.url);
    url.pathname = '/kataven_test_no_such_database';
    await expect(openPostgresStore({ url: url.toString() })).rejects.toThrow(/does not exist/);
  });
});
