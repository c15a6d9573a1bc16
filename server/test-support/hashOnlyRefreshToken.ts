import Database from 'better-sqlite3';
import pg from 'pg';
import { randomBase62 } from '../keys/base62.js';
import { sqliteFilename } from '../store/sqlite/openDatabase.js';
import { numberPlaceholders } from './databaseInspector.js';
import { refreshTokenHash, refreshTokenRowId } from './flowsHelpers.js';
import { isPostgresUrl } from './testDatabase.js';

/**
 * Turns the row of `issued` (a token as the server issues it now) into the row a release before
 * tokens carried their id would have written: a token of `rt_` + 43 characters, found only by its
 * hash. Returns that token. Written straight to the database, as the old release did.
 */
export async function asHashOnlyRefreshToken(databaseUrl: string, issued: string): Promise<string> {
  const token = `rt_${randomBase62(43)}`;
  const params = [refreshTokenHash(token), refreshTokenRowId(issued)];
  const sql = 'UPDATE refresh_tokens SET hash = ?, by_hash = true WHERE id = ?';
  let changed: number;
  if (isPostgresUrl(databaseUrl)) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      changed = (await client.query(numberPlaceholders(sql), params)).rowCount ?? 0;
    } finally {
      await client.end();
    }
  } else {
    const db = new Database(sqliteFilename(databaseUrl), { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      changed = db.prepare(sql).run(...params).changes;
    } finally {
      db.close();
    }
  }
  if (changed !== 1) throw new Error(`no refresh token row for ${issued.slice(0, 6)}…`);
  return token;
}
