/** Throw-away PostgreSQL databases for tests. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server tests create their databases on; any database of it works as the base. */
export const TEST_DATABASE_BASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  /** The new database: empty, or a copy of the template. */
  url: string;
  /** Drops it, ending any connection still open on it. */
  drop: () => Promise<void>;
}

/** Runs `work` on a connection to the base database. */
export async function onBase<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: TEST_DATABASE_BASE_URL,
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a database named after `label`: empty, or a copy of `template` (a database nobody is
 * connected to; copying a migrated one is faster than migrating each new one).
 */
export async function createTestDatabase(
  label: string,
  options: { template?: TestDatabase } = {},
): Promise<TestDatabase> {
  const name = `kataven_test_${label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30)}_${randomBytes(6).toString('hex')}`;
  const template = options.template === undefined ? '' : ` TEMPLATE "${options.template.name}"`;
  await onBase((client) => client.query(`CREATE DATABASE "${name}"${template}`));
  const url = new URL(TEST_DATABASE_BASE_URL);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: url.toString(),
    drop: () =>
      (dropped ??= onBase(async (client) => {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      })),
  };
}
