/**
 * Guarantees that must hold across instances, proven with separate processes (each with its own
 * pool) on one database: migrating at start, creating the first signing key, spending a visitor
 * token and rotating a refresh token.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { spawnContender } from '../test-support/contender.js';
import { postgresUrl, describeWithPostgres } from '../../test-support/services.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/testDatabase.js';
import type { RaceWins } from '../test-support/raceProcess.js';
import { seedRacePlan } from '../test-support/seedRacePlan.js';
import type { InstanceStart } from '../test-support/startInstanceProcess.js';
import { postgresMigrationsFolder } from './migrate.js';
import { openPostgresStore } from './openPostgresStore.js';

/** Starting a process through tsx takes seconds of CPU; ten of them share two cores. */
const PROCESSES_TIMEOUT_MS = 180_000;
const script = (name: string) =>
  fileURLToPath(new URL(`../test-support/${name}.ts`, import.meta.url));

async function query<Row extends pg.QueryResultRow>(url: string, text: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(text)).rows;
  } finally {
    await client.end();
  }
}

describeWithPostgres('PostgreSQL store shared by processes', () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  it(
    'ten instances starting at once on an empty database apply each migration once and create one signing key',
    async () => {
      database = await createTestDatabase(postgresUrl(), 'ten_instances');
      const { url } = database;
      const instances = await Promise.all(
        Array.from({ length: 10 }, () =>
          spawnContender<InstanceStart>(script('startInstanceProcess'), [url]),
        ),
      );
      for (const instance of instances) instance.start();
      const started = await Promise.all(instances.map((i) => i.result));

      expect(started.filter((s) => s.insertedSigningKey)).toHaveLength(1);
      const journal = JSON.parse(
        readFileSync(join(postgresMigrationsFolder(), 'meta', '_journal.json'), 'utf8'),
      ) as { entries: unknown[] };
      const applied = await query<{ n: string; distinct: string }>(
        url,
        'SELECT count(*) AS n, count(DISTINCT hash) AS distinct FROM drizzle.__drizzle_migrations',
      );
      expect(applied).toEqual([
        { n: String(journal.entries.length), distinct: String(journal.entries.length) },
      ]);
      expect(await query(url, 'SELECT kid FROM signing_keys')).toHaveLength(1);
    },
    PROCESSES_TIMEOUT_MS,
  );

  it(
    '50 tries of each jti and each refresh token from 5 processes: one session per jti, one successor per token',
    async () => {
      database = await createTestDatabase(postgresUrl(), 'race');
      const { url } = database;
      const store = await openPostgresStore({ url });
      const plan = await seedRacePlan(store, 10, 10);
      await store.close();

      const contenders = await Promise.all(
        Array.from({ length: 5 }, () =>
          spawnContender<RaceWins>(script('raceProcess'), [url, JSON.stringify(plan)]),
        ),
      );
      for (const contender of contenders) contender.start();
      const wins = await Promise.all(contenders.map((c) => c.result));

      expect(wins.reduce((sum, w) => sum + w.consumed, 0)).toBe(10);
      expect(wins.reduce((sum, w) => sum + w.rotated, 0)).toBe(10);
      const [counts] = await query(
        url,
        `SELECT (SELECT count(*) FROM sessions)::int AS sessions,
              (SELECT count(*) FROM spent_visitor_tokens)::int AS jtis,
              (SELECT count(*) FROM refresh_tokens)::int AS tokens,
              (SELECT count(*) FROM refresh_tokens WHERE spent_at IS NOT NULL)::int AS spent,
              (SELECT count(*) FROM (
                 SELECT session_id FROM refresh_tokens WHERE spent_at IS NULL
                 GROUP BY session_id HAVING count(*) > 1) forks)::int AS forked`,
      );
      // 10 sessions set up + 10 started in the race; 10 first tokens + 10 successors + 10 new.
      expect(counts).toEqual({ sessions: 20, jtis: 20, tokens: 30, spent: 10, forked: 0 });
    },
    PROCESSES_TIMEOUT_MS,
  );
});
