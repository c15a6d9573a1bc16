/**
 * Vitest global setup: reads the test run's environment and checks, once per run, the services
 * some suites need. PostgreSQL (`TEST_DATABASE_URL`, default the local server) is checked when a
 * suite needs it; `TEST_DATABASE_URL=postgres://…` also puts every test server on PostgreSQL (a
 * fresh database each), unset they run on SQLite files. Redis (`TEST_REDIS_URL`) is checked when
 * a suite needs it. With `CI` set an unreachable service fails the run; otherwise the suites that need it are
 * skipped (`services.ts`) and one notice, printed at the end of the run, says which did not run
 * and how to run them.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import * as z from 'zod';
import { isPostgresUrl, redactPassword } from './testDatabase.js';
import { SERVICE_SUITE_MARKERS, type TestServices } from './testServices.js';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const PROBE_TIMEOUT_MS = 3_000;

const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);

const TestEnv = z.object({
  TEST_DATABASE_URL: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .refine(
        isPostgresUrl,
        'TEST_DATABASE_URL must be a postgres:// URL (leave it unset for SQLite)',
      )
      .optional(),
  ),
  TEST_REDIS_URL: z.preprocess(unsetIfEmpty, z.string().default(DEFAULT_REDIS_URL)),
  CI: z
    .preprocess(unsetIfEmpty, z.string().optional())
    .transform((v) => v !== undefined && v !== 'false' && v !== '0'),
});

const reason = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

/** Why PostgreSQL at `url` cannot be used, or undefined when it answers. */
async function postgresFailure(url: string): Promise<string | undefined> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: PROBE_TIMEOUT_MS,
  });
  try {
    await client.connect();
  } catch (error) {
    return reason(error);
  }
  try {
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return reason(error);
  } finally {
    await client.end();
  }
}

/** Why Redis at `url` cannot be used, or undefined when it answers PING. */
async function redisFailure(url: string): Promise<string | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // connect() rejects with only "Connection is closed."; the socket's error says why.
  let socketError: unknown;
  redis.on('error', (error: unknown) => {
    socketError ??= error;
  });
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return reason(socketError ?? error);
  } finally {
    redis.disconnect();
  }
}

/** The project's test files that use each service's describe helper, relative to the root. */
async function suitesNeeding(
  project: TestProject,
): Promise<Record<keyof typeof SERVICE_SUITE_MARKERS, string[]>> {
  const { testFiles } = await project.globTestFiles();
  const sources = await Promise.all(
    testFiles.map(async (file) => ({ file, text: await readFile(file, 'utf8') })),
  );
  const using = (marker: string) =>
    sources
      .filter(({ text }) => new RegExp(`\\b${marker}\\b`).test(text))
      .map(({ file }) => relative(project.config.root, file))
      .sort();
  return {
    postgres: using(SERVICE_SUITE_MARKERS.postgres),
    redis: using(SERVICE_SUITE_MARKERS.redis),
  };
}

const notRun = (service: string, files: readonly string[]) =>
  `the ${service} suites in ${files.join(', ')} did not run`;

/** Ends the run with one line rather than a stack trace under vitest's "no test files found". */
function stopRun(reasons: readonly string[]): never {
  console.error(`Test run stopped: ${reasons.join('; ')}`);
  process.exit(1);
}

export default async function setup(project: TestProject): Promise<() => void> {
  const parsed = TestEnv.safeParse(process.env);
  if (!parsed.success) stopRun(parsed.error.issues.map((issue) => issue.message));
  const env = parsed.data;
  const suites = await suitesNeeding(project);
  const failures: string[] = [];
  const notices: string[] = [];

  // The PostgreSQL suites (the store's conformance, migrations, several instances) run whenever a
  // server answers; TEST_DATABASE_URL also puts every test server on it.
  let postgresUrl: string | null = null;
  let storeUrl: string | null = null;
  if (env.TEST_DATABASE_URL !== undefined || suites.postgres.length > 0) {
    const server = env.TEST_DATABASE_URL ?? DEFAULT_POSTGRES_URL;
    const named = env.TEST_DATABASE_URL === undefined ? '' : ' (TEST_DATABASE_URL)';
    const shown = redactPassword(server);
    const failure = await postgresFailure(server);
    if (failure === undefined) {
      postgresUrl = server;
      storeUrl = env.TEST_DATABASE_URL ?? null;
    } else if (env.CI) failures.push(`PostgreSQL at ${shown}${named} is unreachable: ${failure}`);
    else {
      const fallback =
        env.TEST_DATABASE_URL === undefined ? '' : 'the server suites ran on SQLite and ';
      notices.push(
        `PostgreSQL at ${shown}${named} unreachable (${failure}): ${fallback}${notRun('PostgreSQL', suites.postgres)}; ` +
          'start PostgreSQL (or point TEST_DATABASE_URL at one) and run `npm test`, or `npm run test:postgres` for every server suite on PostgreSQL.',
      );
    }
  }

  let redisUrl: string | null = null;
  if (suites.redis.length > 0) {
    const shown = redactPassword(env.TEST_REDIS_URL);
    const failure = await redisFailure(env.TEST_REDIS_URL);
    if (failure === undefined) redisUrl = env.TEST_REDIS_URL;
    else if (env.CI) failures.push(`Redis at ${shown} (TEST_REDIS_URL) is unreachable: ${failure}`);
    else {
      notices.push(
        `Redis at ${shown} unreachable (${failure}): ${notRun('Redis', suites.redis)}; ` +
          'start Redis (or point TEST_REDIS_URL at one) and run `npm test`.',
      );
    }
  }

  if (failures.length > 0) stopRun(failures);
  const services: TestServices = { postgresUrl, storeUrl, redisUrl };
  project.provide('testServices', services);
  return () => {
    if (notices.length > 0) console.log(`\nNot run: ${notices.join(' ')}\n`);
  };
}
