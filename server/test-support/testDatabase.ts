import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPostgresUrl } from '../store/openStore.js';
import { createDatabase } from '../store/postgres/createDatabase.js';

/** A database of its own for one test server (or one test file), and how to remove it. */
export interface TestDatabase {
  /** The PostgreSQL database name, or the SQLite file's path. */
  name: string;
  /** What `openStore({ url })` opens: `file:…` (SQLite) or `postgres://…`. */
  url: string;
  drop(): Promise<void>;
}

export { isPostgresUrl };

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

/**
 * A fresh database: on the PostgreSQL server `baseUrl` names — empty, or a copy of the database
 * named `template` — or without a base URL a SQLite file in a new temp directory. Parallel test
 * files each get their own, so they never see each other's rows.
 */
export async function createTestDatabase(
  baseUrl: string | undefined,
  label: string,
  options: { template?: string } = {},
): Promise<TestDatabase> {
  if (baseUrl === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'kataven-test-'));
    const file = join(dir, 'kataven.sqlite');
    return {
      name: file,
      url: `file:${file}`,
      drop() {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  if (!isPostgresUrl(baseUrl)) throw new Error(`Not a PostgreSQL URL: ${redactPassword(baseUrl)}`);
  return createDatabase(baseUrl, databaseName(label), options);
}
