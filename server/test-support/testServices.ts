/**
 * What the global setup (`globalSetup.ts`) found, handed to every test file through vitest's
 * `provide`/`inject`. A null URL means the suites that need that service do not run.
 */
export interface TestServices {
  /** A reachable PostgreSQL server for the PostgreSQL suites; null: they do not run. */
  postgresUrl: string | null;
  /** The PostgreSQL server test servers create their databases on; null: SQLite files. */
  storeUrl: string | null;
  /** The Redis server the Redis suites use. */
  redisUrl: string | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testServices: TestServices;
  }
}

/** The helpers whose presence in a test file marks it as needing the service (see `services.ts`). */
export const SERVICE_SUITE_MARKERS = {
  postgres: 'describeWithPostgres',
  redis: 'describeWithRedis',
} as const;
