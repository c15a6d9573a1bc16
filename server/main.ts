import type { RequestListener, Server } from 'node:http';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, flushLogs } from './http/logger.js';
import { createLimitedServer } from './http/serverLimits.js';
import { startingHandler } from './http/startingHandler.js';
import { tuneHeap } from './heapTuning.js';
import { DeadlineExceeded, withDeadline } from './withDeadline.js';
// Everything else is imported once the server listens (below): loading the application's
// modules takes most of a start's CPU, and the liveness probe answers meanwhile.

/** A start that cannot go on; its message is one line naming the setting at fault. */
class StartupError extends Error {
  override name = 'StartupError';
}

function listen(server: Server, config: Config): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${config.host ?? 'all interfaces'} port ${config.port}`;
      const cause =
        error.code === 'EADDRINUSE' ? 'already in use' : error.code === 'EACCES' ? 'permission denied' : error.message;
      reject(new StartupError(`PORT: cannot listen on ${where}: ${cause}`));
    });
    if (config.host === undefined) server.listen(config.port);
    else server.listen(config.port, config.host);
  });
}

/** The only module that reads `process.env`. */
async function main() {
  tuneHeap();
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel });
  // Lines are written asynchronously; a crash must not lose the ones still buffered, nor its own.
  process.on('uncaughtExceptionMonitor', (error) => {
    logger.fatal({ event: 'uncaught_exception', err: error }, 'uncaught exception');
    flushLogs(logger);
  });

  // Listen first: liveness answers at once, and everything else 503 until the store is open and
  // migrated (startingHandler.ts). Slow, idle and oversized clients are cut off (serverLimits.ts).
  let handler: RequestListener = startingHandler();
  const server = createLimitedServer((req, res) => handler(req, res));
  await listen(server, config);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const baseUrl = `http://localhost:${port}`;

  const { openStore } = await import('./store/openStore.js');
  const { describeOpenFailure } = await import('./store/describeOpenFailure.js');
  const { openKeyRing } = await import('./tokens/keyRing.js');
  const { retiredKeyGraceMs } = await import('./tokens/retiredKeyGrace.js');
  const { demoBanner, seedDemo } = await import('./demo/seedDemo.js');
  const { createApp } = await import('./http/createApp.js');
  const { startMaintenance } = await import('./maintenance.js');
  const { createRedisRateLimiters } = await import('./http/redisRateLimiters.js');
  const { systemClock: clock } = await import('./clock.js');

  const timeoutMs = config.startupTimeoutSeconds * 1000;
  const store = await withDeadline(
    openStore({
      url: config.databaseUrl,
      poolSize: config.dbPoolSize,
      onError: (message) => logger.warn({ event: 'database_connection_error', err: { message } }, 'database connection trouble, recovering'),
      // Wait for another instance's lock for as long as the start-up deadline allows.
      lockWaitMs: Number.POSITIVE_INFINITY,
      // WAL checkpoints (copy + fsync) off the event loop: walCheckpointer.ts.
      checkpointInBackground: true,
      onCheckpointError: (message) => logger.warn({ event: 'wal_checkpoint_failed', err: { message } }, 'background WAL checkpoint failed'),
    }),
    timeoutMs,
  ).catch((error: unknown) => {
    const cause =
      error instanceof DeadlineExceeded
        ? `the database did not open within ${config.startupTimeoutSeconds} s (KATAVEN_STARTUP_TIMEOUT)`
        : describeOpenFailure(config.databaseUrl, error);
    throw new StartupError(`DATABASE_URL: ${cause}`);
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
  if (demo) process.stdout.write(demoBanner(demo, baseUrl) + '\n');
  handler = app.express;
  const rateLimits = !config.rateLimits.enabled ? 'off' : redis ? 'redis' : 'memory';
  logger.info({ event: 'listening', url: baseUrl, database: config.databaseUrl.startsWith('file:') ? config.databaseUrl : '[configured]', rateLimits }, `listening on ${baseUrl}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'stopping', signal }, 'draining in-flight requests');
    const exit = (code: number) => {
      flushLogs(logger);
      process.exit(code);
    };
    const force = setTimeout(() => exit(1), 10_000);
    force.unref();
    server.close(() => {
      maintenance.stop();
      app.close();
      keys.stop();
      Promise.all([store.close(), redis?.close()]).then(
        () => exit(0),
        () => exit(1),
      );
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  const message =
    error instanceof ConfigError || error instanceof StartupError
      ? error.message
      : `Failed to start: ${(error instanceof Error ? error.message : String(error)).split('\n')[0] ?? ''}`;
  process.stderr.write(message + '\n');
  // A timed-out open may still hold a thread or a socket; exit rather than wait for it.
  process.exit(1);
});
