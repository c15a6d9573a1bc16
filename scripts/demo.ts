import { dirname, join } from 'node:path';
import { sqliteFilename } from '../server/store/sqlite/openDatabase.js';
import { startDemo } from './demo/startDemo.js';

// `npm run demo`: an entry point like server/main.ts, so it may read process.env.
const databaseUrl = process.env.DEMO_DATABASE_URL ?? 'file:./data/demo.sqlite';
const demo = await startDemo({
  apiPort: Number(process.env.PORT ?? 8787),
  sitePort: Number(process.env.DEMO_SITE_PORT ?? 5173),
  databaseUrl,
  keysFile: join(dirname(sqliteFilename(databaseUrl)), 'demo-keys.json'),
  env: process.env,
  apiOutput: 'inherit',
}).catch((error: unknown) => {
  process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
process.stdout.write(
  [
    '',
    'Kataven demo',
    `  API:           ${demo.apiUrl}`,
    `  customer site: ${demo.siteUrl}   <- open this (a second origin)`,
    `  client key:    ${demo.clientKey}`,
    '',
    'Ctrl-C stops both.',
    '',
  ].join('\n'),
);

let stopping = false;
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  demo.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
