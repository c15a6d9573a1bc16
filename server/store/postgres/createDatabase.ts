import pg from 'pg';

export interface CreatedDatabase {
  /** The new database's URL: the server URL with its path replaced. */
  url: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

const SAFE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Runs one statement on a short-lived connection to the server's maintenance database. */
async function onServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Creates an empty database `name` on the server `serverUrl` names (for tests and benchmarks,
 * each of which wants a database of its own). `name` is an identifier, checked, never quoted in.
 */
export async function createDatabase(serverUrl: string, name: string): Promise<CreatedDatabase> {
  if (!SAFE_NAME.test(name)) throw new Error(`not a plain database name: ${JSON.stringify(name)}`);
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE (PostgreSQL 13+) ends sessions a killed test process left behind.
    drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
