/**
 * Suites that need PostgreSQL or Redis. The global setup checks each service once per run: with
 * `CI` set an unreachable one fails the run; otherwise its suites are skipped here and one notice
 * says which did not run and how to run them. A test file is found to need a service by the name
 * of the describe helper it uses, so use these rather than `describe.skipIf`.
 */
import { describe, inject, type SuiteFactory } from 'vitest';
import type { TestServices } from './testServices.js';

const services: TestServices = inject('testServices');

/** A describe whose tests run only when PostgreSQL (`TEST_DATABASE_URL`, default the local server) answers. */
export function describeWithPostgres(name: string, factory: SuiteFactory): void {
  describe.runIf(services.postgresUrl !== null)(name, factory);
}

/** A describe whose tests run only when Redis (`TEST_REDIS_URL`) is reachable. */
export function describeWithRedis(name: string, factory: SuiteFactory): void {
  describe.runIf(services.redisUrl !== null)(name, factory);
}

/**
 * The reachable PostgreSQL server's URL, to create databases on (`createTestDatabase`); for use
 * inside a `describeWithPostgres` suite, in hooks or tests.
 */
export function postgresUrl(): string {
  if (services.postgresUrl === null)
    throw new Error('PostgreSQL is not available: use describeWithPostgres');
  return services.postgresUrl;
}

/** The reachable Redis server's URL; for use inside a `describeWithRedis` suite. */
export function redisUrl(): string {
  if (services.redisUrl === null) throw new Error('Redis is not available: use describeWithRedis');
  return services.redisUrl;
}

/** Where test servers keep their data: a PostgreSQL server, or undefined for SQLite files. */
export function testStoreServerUrl(): string | undefined {
  return services.storeUrl ?? undefined;
}
