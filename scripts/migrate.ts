// `npm run migrate`: applies pending migrations to DATABASE_URL and exits, for deployments that
// migrate as a one-off job before starting instances (instances also migrate at start).
// An entry point like server/main.ts, so it may read process.env.
import { loadConfig } from '../server/config.js';
import { isPostgresUrl, openStore } from '../server/store/openStore.js';

/** Names the database without its credentials. */
function describeDatabase(url: string): string {
  if (!isPostgresUrl(url)) return `SQLite ${url}`;
  const { hostname, port, pathname } = new URL(url);
  return `PostgreSQL ${decodeURIComponent(pathname.slice(1)) || '(default database)'} at ${hostname || 'the local socket'}${port === '' ? '' : `:${port}`}`;
}

try {
  const config = loadConfig(process.env);
  const store = await openStore({ url: config.databaseUrl });
  await store.close();
  process.stdout.write(
    `${describeDatabase(config.databaseUrl)}: migrations applied, schema up to date\n`,
  );
} catch (error) {
  process.stderr.write(
    `Migration failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
}
