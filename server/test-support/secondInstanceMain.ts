/**
 * Child-process entry for `startSecondInstance`: a second server process on the same database
 * (a SQLite file or a PostgreSQL database), as when several instances run behind a load
 * balancer. Its clock is fixed at the instant passed in (argv), so it agrees with the test's
 * manual clock. Prints `{"port":N}` once listening; exits when its stdin closes or on SIGTERM.
 */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createManualClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { createApp } from '../http/createApp.js';
import { openStore } from '../store/openStore.js';
import { openKeyRing } from '../tokens/keyRing.js';
import { retiredKeyGraceMs } from '../tokens/retiredKeyGrace.js';

async function main() {
  const [databaseUrl, nowMs, envJson] = process.argv.slice(2);
  if (databaseUrl === undefined || nowMs === undefined)
    throw new Error('usage: secondInstanceMain DATABASE_URL NOW_MS [ENV_JSON]');
  const env = envJson === undefined ? {} : (JSON.parse(envJson) as Record<string, string>);
  const config = loadConfig({ ...env, DATABASE_URL: databaseUrl });
  const clock = createManualClock(Number(nowMs));
  const store = await openStore({ url: config.databaseUrl });
  const keys = await openKeyRing({ store, clock, retiredKeyGraceMs: retiredKeyGraceMs(config) });
  const app = createApp({
    store,
    keys,
    clock,
    config,
    logger: pino({ level: 'silent' }),
    responseValidation: true,
    widgetCacheTtlMs: 0,
  });
  const server = app.express.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);

  const stop = () => {
    server.closeAllConnections();
    server.close(() => {
      store.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  };
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
