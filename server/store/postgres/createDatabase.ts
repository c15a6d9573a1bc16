import pg from 'pg';

export interface CreatedDatabase {
  name: string;
  /** The new database's URL: the server URL with its path replaced. */
  url: string;
  /** Drops the database, ending any connection still open to it; once, however often called. */
  drop(): Promise<void>;
}

const SAFE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function checkName(name: string): string {
  if (!SAFE_NAME.test(name)) throw new Error(`not a plain database name: ${JSON.stringify(name)}`);
  return name;
}

/** Runs one statement on a short-lived connection to the database `serverUrl` names. */
async function onServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Creates database `name` on the server `serverUrl` names (any database of it serves to connect),
 * empty or as a copy of `template` (a database nobody is connected to: copying a migrated one is
 * faster than migrating anew). For tests and benchmarks, each of which wants a database of its
 * own. Names are plain identifiers, checked, so they are never quoted into SQL.
 */
export async function createDatabase(
  serverUrl: string,
  name: string,
  options: { template?: string } = {},
): Promise<CreatedDatabase> {
  const template = options.template === undefined ? '' : ` TEMPLATE ${checkName(options.template)}`;
  await onServer(serverUrl, `CREATE DATABASE ${checkName(name)}${template}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: url.toString(),
    // FORCE (PostgreSQL 13+) ends sessions a killed process left behind.
    drop: () => (dropped ??= onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}
