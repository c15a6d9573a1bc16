/**
 * Whether the PostgreSQL tests can run here. Without PostgreSQL a developer's run says so and goes
 * on; in CI (`CI` set) PostgreSQL is part of the machine, so its absence fails the run.
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onBase, TEST_DATABASE_BASE_URL } from './postgresDatabases.js';

/** Resolves true when PostgreSQL answers; `testFile` is the caller's `import.meta.url`. */
export async function postgresAvailable(testFile: string): Promise<boolean> {
  try {
    await onBase((client) => client.query('SELECT 1'));
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const where = new URL(TEST_DATABASE_BASE_URL);
    where.password = '';
    const message =
      `PostgreSQL is unreachable at ${where.toString()} (${reason}): ` +
      `${basename(fileURLToPath(testFile))} did not run. Start PostgreSQL or set TEST_DATABASE_URL.`;
    if (process.env.CI !== undefined && process.env.CI !== '') throw new Error(message);
    process.stderr.write(`${message}\n`);
    return false;
  }
}
