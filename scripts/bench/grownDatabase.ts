import Database from 'better-sqlite3';
import pg from 'pg';
import { isPostgresUrl } from '../../server/store/openStore.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * What `--grown` adds to a bench database, straight in SQL (the API would take hours): `rows`
 * sessions each with one refresh token and one spent visitor jti, alive for a month, and the
 * same number of rows already expired for the purge to find — half of them spent visitor jtis,
 * half sessions with their one refresh token each. Tokens are stored as the service stores them
 * now: carrying their id, so outside the index of hashes.
 */
export interface GrownRows {
  live: number;
  expired: number;
}

/**
 * Ids shaped like the service's time-ordered ids (`ses_`, `rtk_`, a bare jti) with an all-zero
 * time part: older than anything the service writes, as rows from the past are, so the service's
 * own inserts still append to each index. Live rows count from 1, expired ones from 10⁹.
 */
const EXPIRED_FROM = 1_000_000_000;

function sqliteStatements(): string[] {
  const series = (count: string, offset: string) =>
    `WITH RECURSIVE n(i) AS (SELECT ${offset} UNION ALL SELECT i + 1 FROM n WHERE i < ${offset} + ${count} - 1)`;
  const id = (prefix: string) => `'${prefix}' || '00000000' || printf('%016d', i)`;
  const sessions = (count: string, offset: string, expiresAt: string) => `${series(count, offset)}
    INSERT INTO sessions (id, widget_id, client_key, visitor_id, kind, origin, created_at, expires_at)
    SELECT ${id('ses_')}, @widgetId, @clientKey, 'vis_' || printf('%022d', i), 'guest', @origin, @createdAt, ${expiresAt} FROM n`;
  const tokens = (count: string, offset: string, expiresAt: string) => `${series(count, offset)}
    INSERT INTO refresh_tokens (id, hash, session_id, created_at, expires_at, by_hash)
    SELECT ${id('rtk_')}, lower(hex(randomblob(32))), ${id('ses_')}, @createdAt, ${expiresAt}, 0 FROM n`;
  const jtis = (count: string, offset: string, expiresAt: string, session: string) => `${series(count, offset)}
    INSERT INTO spent_visitor_tokens (jti, spent_at, expires_at, session_id)
    SELECT ${id('')}, @createdAt, ${expiresAt}, ${session} FROM n`;
  return [
    sessions('@live', '1', '@liveUntil'),
    tokens('@live', '1', '@liveUntil'),
    jtis('@live', '1', '@liveUntil', id('ses_')),
    sessions('@expiredSessions', String(EXPIRED_FROM), '@expiredAt'),
    tokens('@expiredSessions', String(EXPIRED_FROM), '@expiredAt'),
    jtis('@expiredJtis', String(2 * EXPIRED_FROM), '@expiredAt', 'NULL'),
  ];
}

function postgresStatements(): string[] {
  const id = (prefix: string) => `'${prefix}' || '00000000' || lpad(i::text, 16, '0')`;
  const series = (count: string, offset: string) => `FROM generate_series(${offset}::bigint, ${offset}::bigint + ${count} - 1) AS i`;
  return [
    `INSERT INTO sessions (id, widget_id, client_key, visitor_id, kind, origin, created_at, expires_at)
     SELECT ${id('ses_')}, $1, $2, 'vis_' || lpad(i::text, 22, '0'), 'guest', $3, $4, $5 ${series('$6', '1')}`,
    `INSERT INTO refresh_tokens (id, hash, session_id, created_at, expires_at, by_hash)
     SELECT ${id('rtk_')}, md5(random()::text) || md5(random()::text), ${id('ses_')}, $1, $2, false ${series('$3', '1')}`,
    `INSERT INTO spent_visitor_tokens (jti, spent_at, expires_at, session_id)
     SELECT ${id('')}, $1, $2, ${id('ses_')} ${series('$3', '1')}`,
    `INSERT INTO sessions (id, widget_id, client_key, visitor_id, kind, origin, created_at, expires_at)
     SELECT ${id('ses_')}, $1, $2, 'vis_' || lpad(i::text, 22, '0'), 'guest', $3, $4, $5 ${series('$6', String(EXPIRED_FROM))}`,
    `INSERT INTO refresh_tokens (id, hash, session_id, created_at, expires_at, by_hash)
     SELECT ${id('rtk_')}, md5(random()::text) || md5(random()::text), ${id('ses_')}, $1, $2, false ${series('$3', String(EXPIRED_FROM))}`,
    `INSERT INTO spent_visitor_tokens (jti, spent_at, expires_at, session_id)
     SELECT ${id('')}, $1, $2, NULL ${series('$3', String(2 * EXPIRED_FROM))}`,
  ];
}

/** The `expires_at` every seeded expired row carries, so a count can tell them from the service's own. */
export const seededExpiry = (now: number) => now - DAY_MS;

/** Adds `rows` to the migrated bench database at `databaseUrl`, for the widget `clientKey`. */
export async function seedGrownRows(databaseUrl: string, clientKey: string, rows: GrownRows, now: number): Promise<void> {
  const expiredSessions = Math.floor(rows.expired / 4);
  const expiredJtis = rows.expired - 2 * expiredSessions;
  const times = { createdAt: now - 40 * DAY_MS, liveUntil: now + 30 * DAY_MS, expiredAt: seededExpiry(now) };
  const counts = [rows.live, rows.live, rows.live, expiredSessions, expiredSessions, expiredJtis];
  if (isPostgresUrl(databaseUrl)) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const widget = await client.query<{ id: string; origin: string }>(`SELECT id, origins ->> 0 AS origin FROM widgets WHERE client_key = $1`, [clientKey]);
      const { id: widgetId, origin } = widget.rows[0] ?? { id: '', origin: '' };
      const params = (live: boolean, count: number, withWidget: boolean) => [
        ...(withWidget ? [widgetId, clientKey, origin] : []),
        times.createdAt,
        live ? times.liveUntil : times.expiredAt,
        count,
      ];
      await client.query('BEGIN');
      for (const [i, statement] of postgresStatements().entries()) {
        const count = counts[i] ?? 0;
        if (count > 0) await client.query(statement, params(i < 3, count, i % 3 === 0));
      }
      await client.query('COMMIT');
      await client.query('VACUUM ANALYZE');
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(databaseUrl.replace(/^file:/, ''));
  try {
    db.pragma('busy_timeout = 30000');
    const widget = db.prepare<[string], { id: string; origin: string }>(`SELECT id, json_extract(origins, '$[0]') AS origin FROM widgets WHERE client_key = ?`).get(clientKey);
    const params = { widgetId: widget?.id, clientKey, origin: widget?.origin, ...times, live: rows.live, expiredSessions, expiredJtis };
    db.transaction(() => {
      for (const [i, statement] of sqliteStatements().entries()) {
        if ((counts[i] ?? 0) === 0) continue;
        // Each statement names only some of the parameters; better-sqlite3 refuses extras.
        const names = new Set([...statement.matchAll(/@(\w+)/g)].map((m) => m[1]));
        db.prepare(statement).run(Object.fromEntries(Object.entries(params).filter(([name]) => names.has(name))));
      }
    }).immediate();
    db.exec('ANALYZE');
  } finally {
    db.close();
  }
}

/** Seeded expired rows still in the database (spent jtis and sessions), counted through their indexes. */
export async function countSeededExpired(databaseUrl: string, expiredAt: number): Promise<number> {
  const sql = `SELECT (SELECT count(*) FROM spent_visitor_tokens WHERE expires_at = $1)
                    + (SELECT count(*) FROM sessions WHERE expires_at = $1) AS n`;
  if (isPostgresUrl(databaseUrl)) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return Number((await client.query<{ n: string }>(sql, [expiredAt])).rows[0]?.n ?? 0);
    } finally {
      await client.end();
    }
  }
  const db = new Database(databaseUrl.replace(/^file:/, ''), { readonly: true });
  try {
    return db.prepare<{ at: number }, number>(sql.replaceAll('$1', '@at')).pluck().get({ at: expiredAt }) ?? 0;
  } finally {
    db.close();
  }
}
