/**
 * What the global setup (`globalSetup.ts`) found, handed to every test file through vitest's
 * `provide`/`inject`. A null URL means the suites that need that service do not run.
 */
export interface TestServices {
  /** The PostgreSQL server test databases are created on; null: tests run on SQLite files. */
  postgresUrl: string | null;
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
