import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Store } from '../store.js';
import { describeStoreConformance } from '../store.conformance.js';
import { postgresUrl, describeWithPostgres } from '../../test-support/services.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/testDatabase.js';
import { anAccount } from '../test-support/storeFixtures.js';
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

  it('opening fails with the reason when the database does not exist', async () => {
    const url = new URL(migrated.url);
    url.pathname = '/kataven_test_no_such_database';
    await expect(openPostgresStore({ url: url.toString() })).rejects.toThrow(/does not exist/);
  });
});
