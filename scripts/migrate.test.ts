import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { describeWithPostgres, postgresUrl } from '../server/test-support/services.js';
import { createTestDatabase } from '../server/test-support/testDatabase.js';

const run = promisify(execFile);
const migrate = (databaseUrl: string) =>
  run(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
const dir = mkdtempSync(join(tmpdir(), 'kataven-migrate-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run migrate', () => {
  it('migrates a new SQLite file, prints one line and exits', async () => {
    const url = `file:${join(dir, 'kataven.sqlite')}`;
    const { stdout } = await migrate(url);
    expect(stdout).toBe(`SQLite ${url}: migrations applied, schema up to date\n`);
  });

  it('fails with the reason and exit code 1 when the database cannot be migrated', async () => {
    await expect(migrate('file:./x.sqlite?mode=ro')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Migration failed: Unsupported SQLite url') as unknown,
    });
  });
});

describeWithPostgres('npm run migrate on PostgreSQL', () => {
  it('migrates an empty PostgreSQL database, naming it without credentials', async () => {
    const database = await createTestDatabase(postgresUrl(), 'migrate_script');
    try {
      const url = new URL(database.url);
      url.password = 'not-printed';
      const { stdout } = await migrate(url.toString());
      expect(stdout).toBe(
        `PostgreSQL ${database.name} at ${url.hostname}:${url.port}: migrations applied, schema up to date\n`,
      );
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const tables = await client.query("SELECT to_regclass('public.refresh_tokens') AS t");
      await client.end();
      expect(tables.rows).toEqual([{ t: 'refresh_tokens' }]);
    } finally {
      await database.drop();
    }
  });
});
