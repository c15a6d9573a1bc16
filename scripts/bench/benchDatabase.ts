import { createDatabase, type CreatedDatabase } from '../../server/store/postgres/createDatabase.js';

export type BenchDatabase = CreatedDatabase;

/** A fresh, empty PostgreSQL database for one run, dropped when the run ends. */
export function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  return createDatabase(serverUrl, `kataven_bench_${Date.now().toString(36)}`);
}
