import type { Server } from 'node:http';
import pino from 'pino';
import { systemClock } from './clock.js';
import { ConfigError, loadConfig } from './config.js';
import { demoBanner, seedDemo } from './demo/seedDemo.js';
import { createApp } from './http/createApp.js';
import { startMaintenance } from './maintenance.js';
import { openSqliteStore } from './store/sqlite/openSqliteStore.js';
import { openKeyRing } from './tokens/keyRing.js';
import { retiredKeyGraceMs } from './tokens/retiredKeyGrace.js';

/** The only module that reads `process.env`. */
async function main() {
  const config = loadConfig(process.env);
  const logger = pino({ level: config.logLevel, redact: { paths: ['req.headers.authorization', '*.token', '*.refresh_token', '*.secret_key'], censor: '[redacted]' } });
  const clock = systemClock;
  const store = await openSqliteStore({ url: config.databaseUrl });
  const keys = await openKeyRing({ store, clock, retiredKeyGraceMs: retiredKeyGraceMs(config) });
  keys.start();

  const demo = config.demo ? await seedDemo({ store, clock }) : undefined;
  const app = createApp({ store, keys, clock, config, logger });
  const maintenance = startMaintenance({ store, clock, config, logger });

  const server: Server =
    config.host === undefined ? app.express.listen(config.port) : app.express.listen(config.port, config.host);
  // Slow or idle clients are cut off instead of holding sockets (slowloris).
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const baseUrl = `http://localhost:${port}`;
  if (demo) process.stdout.write(demoBanner(demo, baseUrl) + '\n');
  logger.info({ event: 'listening', url: baseUrl, database: config.databaseUrl.startsWith('file:') ? config.databaseUrl : '[configured]' }, `listening on ${baseUrl}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'stopping', signal }, 'draining in-flight requests');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close(() => {
      maintenance.stop();
      keys.stop();
      store.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `Failed to start: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(message + '\n');
  process.exit(1);
});
