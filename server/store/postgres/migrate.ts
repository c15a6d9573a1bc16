import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { findMigrationsFolder } from '../migrationsFolder.js';

export const postgresMigrationsFolder = (from: string | URL = import.meta.url): string =>
  findMigrationsFolder('postgres', from);

/**
 * Session-level advisory lock held while migrating. Arbitrary and fixed ("katamigr" in ASCII):
 * every instance of this service must use the same value.
 */
const MIGRATION_LOCK = '7737593596595496818';

/**
 * Applies pending migrations, one instance at a time: drizzle's migrator takes no lock, so
 * instances starting together would each apply the same migration. The lock lives on one
 * dedicated connection (a pooled one could be another client's by the time it is released);
 * the next instance to get it finds the migrations recorded and applies nothing.
 */
export async function applyMigrations(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'kataven-migrate' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle({ client }), { migrationsFolder: postgresMigrationsFolder() });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await client.end();
  }
}
