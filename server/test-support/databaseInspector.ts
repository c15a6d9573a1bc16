import Database from 'better-sqlite3';
import pg from 'pg';
import { sqliteFilename } from '../store/sqlite/openDatabase.js';
import { isPostgresUrl } from './testDatabase.js';

export type SqlValue = string | number | null;

/**
 * Reads a test server's database directly, on either store, so a test can check what a request
 * left behind without going through the code under test. SQL is written once with `?`
 * placeholders and must be valid on SQLite and PostgreSQL alike.
 */
export interface DatabaseInspector {
  /** The first column of the first row (undefined when there is none). */
  scalar(sql: string, params?: readonly SqlValue[]): Promise<unknown>;
  /** `SELECT count(*) FROM <table> [WHERE <where>]`, as a number. */
  count(table: string, where?: string, params?: readonly SqlValue[]): Promise<number>;
  close(): Promise<void>;
}

/** `?` placeholders as PostgreSQL's `$1, $2, …`, leaving quoted text and identifiers alone. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  let quote: string | undefined;
  let out = '';
  for (const ch of sql) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === '?') {
      out += `$${String(++n)}`;
      continue;
    }
    out += ch;
  }
  return out;
}

const countSql = (table: string, where: string | undefined) =>
  `SELECT count(*) FROM ${table}${where === undefined ? '' : ` WHERE ${where}`}`;

function toCount(value: unknown, sql: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new Error(`${sql} gave ${String(value)}, not a count`);
  }
  return value;
}

/** A read-only connection, opened at the first query (the store creates the file). */
function sqliteInspector(url: string): DatabaseInspector {
  let db: Database.Database | undefined;
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string) => {
    db ??= new Database(sqliteFilename(url), { readonly: true, fileMustExist: true });
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql).pluck();
      statements.set(sql, statement);
    }
    return statement;
  };
  const scalar = (sql: string, params: readonly SqlValue[] = []) =>
    new Promise<unknown>((resolve) => {
      resolve(prepared(sql).get(...params));
    });
  return {
    scalar,
    async count(table, where, params) {
      const sql = countSql(table, where);
      return toCount(await scalar(sql, params), sql);
    },
    close() {
      db?.close();
      return Promise.resolve();
    },
  };
}

// count(*) is a bigint, which node-postgres returns as text; counts and epoch-millisecond
// columns stay far below 2^53, so they come back as the numbers SQLite gives.
const postgresTypes: pg.CustomTypesConfig = {
  getTypeParser: (oid, format): unknown =>
    oid === pg.types.builtins.INT8 ? Number : (pg.types.getTypeParser(oid, format) as unknown),
};

/** One client, connected at the first query. */
function postgresInspector(url: string): DatabaseInspector {
  let connected: Promise<pg.Client> | undefined;
  const client = () => {
    connected ??= (async () => {
      const c = new pg.Client({ connectionString: url, types: postgresTypes });
      await c.connect();
      return c;
    })();
    return connected;
  };
  const scalar = async (sql: string, params: readonly SqlValue[] = []) => {
    const result = await (
      await client()
    ).query({ text: numberPlaceholders(sql), values: [...params], rowMode: 'array' });
    const [row] = result.rows as unknown[][];
    return row?.[0];
  };
  return {
    scalar,
    async count(table, where, params) {
      const sql = countSql(table, where);
      return toCount(await scalar(sql, params), sql);
    },
    async close() {
      await connected?.then(
        (c) => c.end(),
        () => undefined,
      );
    },
  };
}

export function openDatabaseInspector(url: string): DatabaseInspector {
  return isPostgresUrl(url) ? postgresInspector(url) : sqliteInspector(url);
}
