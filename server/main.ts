import { systemClock } from './clock.js';
import { ConfigError, loadConfig } from './config.js';
import { demoBanner, seedDemo } from './demo/seedDemo.js';
import { createApp } from './http/createApp.js';
import { createLogger } from './http/logger.js';
import { createRedisRateLimiters } from './http/redisRateLimiters.js';
import { createLimitedServer } from './http/serverLimits.js';
import { tuneHeap } from './heapTuning.js';
import { startMaintenance } from './maintenance.js';
import { openStore } from './store/openStore.js';
import { openKeyRing } from './tokens/keyRing.js';
import { retiredKeyGraceMs } from './tokens/retiredKeyGrace.js';

/** The only module that reads `process.env`. */
async function main() {
  tuneHeap();
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel });
  const clock = systemClock;
  const store = await openStore({
    url: config.databaseUrl,
    poolSize: config.dbPoolSize,
    onError: (message) => logger.warn({ event: 'database_connection_error', err: { message } }, 'database connection trouble, recovering'),
    // WAL checkpoints (copy + fsync) off the event loop: issue #6, walCheckpointer.ts.
    checkpointInBackground: true,
    onCheckpointError: (message) => logger.warn({ event: 'wal_checkpoint_failed', err: { message } }, 'background WAL checkpoint failed'),
  });
  const keys = await openKeyRing({ store, clock, retiredKeyGraceMs: retiredKeyGraceMs(config) });
  keys.start();

  const demo = config.demo ? await seedDemo({ store, clock }) : undefined;
  // Shared counters only matter when limits are on; without REDIS_URL each instance counts alone.
  const redis = config.redis && config.rateLimits.enabled ? createRedisRateLimiters({ ...config.redis, logger }) : undefined;
  const app = createApp({
    store,
    keys,
    clock,
    config,
    logger,
    ...(redis && { rateLimiters: redis.factory, rateLimitsPerInstance: () => !redis.isShared() }),
  });
  const maintenance = startMaintenance({ store, clock, config, logger });

  // Slow, idle and oversized clients are cut off (server/http/serverLimits.ts).
  const server = createLimitedServer(app.express);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
    if (config.host === undefined) server.listen(config.port);
    else server.listen(config.port, config.host);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const baseUrl = `http://localhost:${port}`;
  if (demo) process.stdout.write(demoBanner(demo, baseUrl) + '\n');
  const rateLimits = !config.rateLimits.enabled ? 'off' : redis ? 'redis' : 'memory';
  logger.info({ event: 'listening', url: baseUrl, database: config.databaseUrl.startsWith('file:') ? config.databaseUrl : '[configured]', rateLimits }, `listening on ${baseUrl}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'stopping', signal }, 'draining in-flight requests');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close(() => {
      maintenance.stop();
      app.close();
      keys.stop();
      Promise.all([store.close(), redis?.close()]).then(
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
