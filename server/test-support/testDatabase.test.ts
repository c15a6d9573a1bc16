import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { sqliteFilename } from '../store/sqlite/openDatabase.js';
import { numberPlaceholders, openDatabaseInspector } from './databaseInspector.js';
import { describeWithPostgres, postgresUrl } from './services.js';
import { createTestDatabase, type TestDatabase } from './testDatabase.js';

const SCHEMA = [
  'CREATE TABLE tokens (id INTEGER PRIMARY KEY, hash TEXT NOT NULL, spent_at BIGINT)',
  "INSERT INTO tokens (id, hash, spent_at) VALUES (1, 'a', NULL), (2, 'b', 1767225600123), (3, 'c', NULL)",
];

/** Runs statements through a writable connection of the dialect the URL names. */
type Writer = (url: string, statements: readonly string[]) => Promise<void>;

const writeSqlite: Writer = (url, statements) => {
  const db = new Database(sqliteFilename(url));
  try {
    for (const sql of statements) db.exec(sql);
  } finally {
    db.close();
  }
  return Promise.resolve();
};

const writePostgres: Writer = async (url, statements) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
};

/** The inspector's answers, which must be the same on both dialects. */
function inspectorBehaviour(create: () => Promise<TestDatabase>, write: Writer) {
  it('counts rows as numbers, with and without a condition', async () => {
    const database = await create();
    const db = openDatabaseInspector(database.url);
    try {
      await write(database.url, SCHEMA);
      expect(await db.count('tokens')).toBe(3);
      expect(await db.count('tokens', 'spent_at IS NULL')).toBe(2);
      expect(await db.count('tokens', 'hash = ? OR hash = ?', ['a', 'c'])).toBe(2);
      expect(await db.scalar('SELECT count(*) FROM tokens WHERE id > ?', [1])).toBe(2);
    } finally {
      await db.close();
      await database.drop();
    }
  });

  it('reads one value: text, an epoch-millisecond instant as a number, null, or undefined for no row', async () => {
    const database = await create();
    const db = openDatabaseInspector(database.url);
    try {
      await write(database.url, SCHEMA);
      expect(await db.scalar('SELECT hash FROM tokens WHERE id = ?', [2])).toBe('b');
      expect(await db.scalar('SELECT spent_at FROM tokens WHERE hash = ?', ['b'])).toBe(
        1767225600123,
      );
      expect(await db.scalar('SELECT spent_at FROM tokens WHERE hash = ?', ['a'])).toBeNull();
      expect(await db.scalar('SELECT hash FROM tokens WHERE id = ?', [9])).toBeUndefined();
    } finally {
      await db.close();
      await database.drop();
    }
  });

  it('sees rows written by another connection after its first read', async () => {
    const database = await create();
    const db = openDatabaseInspector(database.url);
    try {
      await write(database.url, SCHEMA);
      expect(await db.count('tokens')).toBe(3);
      await write(database.url, ["INSERT INTO tokens (id, hash) VALUES (4, 'd')"]);
      expect(await db.count('tokens')).toBe(4);
    } finally {
      await db.close();
      await database.drop();
    }
  });
}

describe('numberPlaceholders', () => {
  it("numbers each ? as PostgreSQL's $n, except inside quoted text and identifiers", () => {
    expect(
      numberPlaceholders(`SELECT count(*) FROM t WHERE a = ? AND b = '?' AND "c?" = ? AND d = ?`),
    ).toBe(`SELECT count(*) FROM t WHERE a = $1 AND b = '?' AND "c?" = $2 AND d = $3`);
  });
});

describe('test databases on SQLite', () => {
  it('is a fresh file in a temp directory of its own, which drop removes', async () => {
    const [first, second] = await Promise.all([
      createTestDatabase(undefined, 'a'),
      createTestDatabase(undefined, 'a'),
    ]);
    if (first === undefined || second === undefined) throw new Error('two databases expected');
    expect(first.url).toMatch(/^file:/);
    expect(first.url).not.toBe(second.url);
    await writeSqlite(first.url, SCHEMA);
    expect(existsSync(sqliteFilename(first.url))).toBe(true);
    await Promise.all([first.drop(), second.drop()]);
    expect(existsSync(sqliteFilename(first.url))).toBe(false);
  });

  it('refuses a base URL that is not PostgreSQL', async () => {
    await expect(createTestDatabase('mysql://root@127.0.0.1/test', 'x')).rejects.toThrow(
      'Not a PostgreSQL URL',
    );
  });

  inspectorBehaviour(() => createTestDatabase(undefined, 'inspector'), writeSqlite);
});

describeWithPostgres('test databases on PostgreSQL', () => {
  const databaseExists = async (name: string) => {
    const client = new pg.Client({ connectionString: postgresUrl() });
    await client.connect();
    try {
      const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      return result.rowCount === 1;
    } finally {
      await client.end();
    }
  };
  const nameOf = (url: string) => new URL(url).pathname.slice(1);

  it('creates a fresh database named after the label, on the same server, and drop removes it', async () => {
    const database = await createTestDatabase(postgresUrl(), 'Flows/Exchange test');
    const url = new URL(database.url);
    const base = new URL(postgresUrl());
    expect({ host: url.host, user: url.username }).toEqual({
      host: base.host,
      user: base.username,
    });
    expect(nameOf(database.url)).toMatch(/^kataven_t_flows_exchange_test_[0-9a-f]{12}$/);
    expect(await databaseExists(nameOf(database.url))).toBe(true);
    await database.drop();
    expect(await databaseExists(nameOf(database.url))).toBe(false);
  });

  it('drops a database a connection still holds open', async () => {
    const database = await createTestDatabase(postgresUrl(), 'held');
    const holder = new pg.Client({ connectionString: database.url });
    holder.on('error', () => undefined);
    await holder.connect();
    try {
      await database.drop();
      expect(await databaseExists(nameOf(database.url))).toBe(false);
    } finally {
      await holder.end().catch(() => undefined);
    }
  });

  it('gives each caller its own database: rows in one are not in the other', async () => {
    const [first, second] = await Promise.all([
      createTestDatabase(postgresUrl(), 'same'),
      createTestDatabase(postgresUrl(), 'same'),
    ]);
    if (first === undefined || second === undefined) throw new Error('two databases expected');
    try {
      expect(first.url).not.toBe(second.url);
      await writePostgres(first.url, SCHEMA);
      await writePostgres(second.url, [SCHEMA[0] ?? '']);
      const db = openDatabaseInspector(second.url);
      try {
        expect(await db.count('tokens')).toBe(0);
      } finally {
        await db.close();
      }
    } finally {
      await Promise.all([first.drop(), second.drop()]);
    }
  });

  inspectorBehaviour(() => createTestDatabase(postgresUrl(), 'inspector'), writePostgres);
});
