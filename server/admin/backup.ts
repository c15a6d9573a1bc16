import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isPostgresUrl } from '../store/openStore.js';
import { backupDatabase, type BackupResult } from '../store/sqlite/backupDatabase.js';
import { AdminError } from './adminError.js';

/**
 * `backup --to FILE` for the embedded database, safe while servers run. PostgreSQL has its own,
 * better tools (a dump cannot replace point-in-time recovery), so the CLI does not pretend.
 */
export async function backupEmbeddedDatabase(databaseUrl: string, to: string): Promise<BackupResult> {
  if (isPostgresUrl(databaseUrl)) {
    throw new AdminError('backup is for the embedded SQLite database; back up PostgreSQL with pg_dump or continuous archiving (PITR): see docs/operations.md');
  }
  const file = resolve(to);
  // Never overwrite: the file may be the only good copy someone has.
  if (existsSync(file)) throw new AdminError(`--to ${to}: the file already exists; name a new file`);
  const result = await backupDatabase(databaseUrl, file).catch((error: unknown) => {
    throw new AdminError(`backup failed: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (result.check !== 'ok') throw new AdminError(`backup written to ${file} but its check failed: ${result.check}`);
  return result;
}
