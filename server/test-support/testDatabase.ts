import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A database of its own for one test server (or one test file), and how to remove it. */
export interface TestDatabase {
  /** What `openStore({ url })` opens: `file:…` (SQLite) or `postgres://…`. */
  url: string;
  drop(): Promise<void>;
}

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//.test(url);

/** `kataven_t_<label>_<random>`: lower case, and within PostgreSQL's 63-byte identifier limit. */
function databaseName(label: string): string {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 32);
  const random = randomBytes(6).toString('hex');
  return slug === '' ? `kataven_t_${random}` : `kataven_t_${slug}_${random}`;
}

/** The URL without its password, for messages. */
export function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function onAdminConnection(baseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database: on the PostgreSQL server `baseUrl` names (created through that URL's
 * database, dropped WITH (FORCE) so a connection left open cannot keep it alive), or without a
 * base URL a SQLite file in a new temp directory. Parallel test files
 * each get their own, so they never see each other's rows.
 */
export async function createTestDatabase(
  baseUrl: string | undefined,
  label: string,
): Promise<TestDatabase> {
  if (baseUrl === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'kataven-test-'));
    return {
      url: `file:${join(dir, 'kataven.sqlite')}`,
      drop() {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  if (!isPostgresUrl(baseUrl)) throw new Error(`Not a PostgreSQL URL: ${redactPassword(baseUrl)}`);
  const name = databaseName(label);
  await onAdminConnection(baseUrl, `CREATE DATABASE ${quoteIdentifier(name)}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      onAdminConnection(baseUrl, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`),
  };
}
