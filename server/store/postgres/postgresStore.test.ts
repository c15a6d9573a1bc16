import { afterAll, beforeAll, describe } from 'vitest';
import { describeStoreConformance } from '../store.conformance.js';
import { postgresAvailable } from '../test-support/postgresAvailable.js';
import { createTestDatabase, type TestDatabase } from '../test-support/postgresDatabases.js';
import { openPostgresStore } from './openPostgresStore.js';

const withPostgres = await postgresAvailable(import.meta.url);

describe.runIf(withPostgres)('PostgreSQL store', () => {
  // Each test gets a database of its own, copied from one migrated here and dropped when the
  // test closes its store.
  let migrated: TestDatabase;
  beforeAll(async () => {
    migrated = await createTestDatabase('conformance_template');
    await (await openPostgresStore({ url: migrated.url })).close();
  });
  afterAll(async () => {
    await migrated.drop();
  });

  describeStoreConformance('PostgreSQL', async () => {
    const database = await createTestDatabase('conformance', { template: migrated });
    const store = await openPostgresStore({ url: database.url });
    return {
      ...store,
      close: async () => {
        await store.close();
        await database.drop();
      },
    };
  });
});
