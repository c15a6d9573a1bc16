import type { RequestListener, Server } from 'node:http';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, drainLogs } from './http/logger.js';
import { presetExpressPrototypes } from './http/presetPrototypes.js';
import { createLimitedServer } from './http/serverLimits.js';
import { startingHandler } from './http/startingHandler.js';
import { tuneHeap } from './heapTuning.js';
import { createUncaughtErrorExit } from './lifecycle/uncaughtErrorExit.js';
import { DeadlineExceeded, withDeadline } from './withDeadline.js';
// Everything else is imported once the server listens (below): loading the application's
// modules takes most of a start's CPU, and the liveness probe answers meanwhile.

/** A start that cannot go on; its message is one line naming the setting at fault. */
class StartupError extends Error {
  override name = 'StartupError';
}

const portOf = (server: Server, fallback: number) => {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : fallback;
};

/**
 * Connections the kernel holds for `accept` (capped by `net.core.somaxconn`). Node's 511 overflows
 * when thousands of clients connect at once (a deploy, a balancer failing over): the dropped
 * handshakes are retried by the clients' kernels only after 1, 3, 7 s.
 */
const LISTEN_BACKLOG = 4096;

function listen(server: Server, config: Pick<Config, 'host' | 'port'>, setting = 'PORT'): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${config.host ?? 'all interfaces'} port ${config.port}`;
      const cause =
        error.code === 'EADDRINUSE' ? 'already in use' : error.code === 'EACCES' ? 'permission denied' : error.message;
      reject(new StartupError(`${setting}: cannot listen on ${where}: ${cause}`));
    });
    server.listen({ port: config.port, ...(config.host !== undefined && { host: config.host }), backlog: LISTEN_BACKLOG });
  });
}

/** The longest an exit (a stop, a crash) waits for a log write already under way. */
const LOG_DRAIN_WAIT_MS = 1000;

/** The only module that reads `process.env`. */
async function main() {
  tuneHeap();
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel });

  // Listen first: liveness answers at once, and everything else 503 until the store is open and
  // migrated (startingHandler.ts). Slow, idle and oversized clients are cut off (serverLimits.ts).
  let handler: RequestListener = startingHandler();
  const uncaughtErrorExit = createUncaughtErrorExit({
    logger,
    stopAccepting: () => server.close(),
    drainWaitMs: LOG_DRAIN_WAIT_MS,
    writeStderr: (text) => process.stderr.write(text),
    exit: (code) => process.exit(code),
  });
  const prototypes = presetExpressPrototypes();
  const server = createLimitedServer(uncaughtErrorExit.guard((req, res) => handler(req, res)), {}, prototypes);
  process.on('uncaughtException', (error) => uncaughtErrorExit.handle(error));
  await listen(server, config);
  const port = portOf(server, config.port);
  const baseUrl = `http://localhost:${port}`;

  const { openStore } = await import('./store/openStore.js');
  const { describeOpenFailure } = await import('./store/describeOpenFailure.js');
  const { openKeyRing } = await import('./tokens/keyRing.js');
  const { retiredKeyGraceMs } = await import('./tokens/retiredKeyGrace.js');
  const { demoBanner, seedDemo } = await import('./demo/seedDemo.js');
  const { createApp } = await import('./http/createApp.js');
  const { startMaintenance } = await import('./maintenance.js');
  const { systemClock: clock } = await import('./clock.js');
  const { createKeyVault, KeyVaultError } = await import('./tokens/keyVault.js');
  const { warnAboutKeyStorage } = await import('./tokens/keyStorageWarnings.js');
  const { monitorEventLoopDelay } = await import('./http/eventLoopDelay.js');
  const { shedWhenOverloaded } = await import('./http/shedWhenOverloaded.js');
  const { createGracefulShutdown } = await import('./lifecycle/gracefulShutdown.js');

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
  const vault = createKeyVault(config.keyEncryption);
  const keys = await openKeyRing({ store, clock, retiredKeyGraceMs: retiredKeyGraceMs(config), vault }).catch((error: unknown) => {
    throw error instanceof KeyVaultError ? new StartupError(`KATAVEN_KEY_ENCRYPTION_KEY: ${error.message}`) : error;
  });
  keys.start();
  await warnAboutKeyStorage({ store, vault, logger });

  const demo = config.demo ? await seedDemo({ store, clock }) : undefined;
  // The Redis and Prometheus clients are loaded only when configured: one box runs without either.
  // Shared counters only matter when limits are on; without REDIS_URL each instance counts alone.
  const redis =
    config.redis && config.rateLimits.enabled
      ? (await import('./http/redisRateLimiters.js')).createRedisRateLimiters({ ...config.redis, logger })
      : undefined;
  const metricsOn = config.metrics.port !== undefined || config.metrics.token !== undefined;
  const metrics = metricsOn ? (await import('./metrics/createMetrics.js')).createMetrics() : undefined;
  const metricsServer =
    metrics && config.metrics.port !== undefined ? (await import('./metrics/metricsServer.js')).createMetricsServer(metrics.registry) : undefined;
  const eventLoopDelay = config.overloadMaxEventLoopDelayMs > 0 ? monitorEventLoopDelay() : undefined;
  const shutdown = createGracefulShutdown({
    server,
    delayMs: config.shutdownDelaySeconds * 1000,
    timeoutMs: config.shutdownTimeoutSeconds * 1000,
    logger,
    release: async () => {
      eventLoopDelay?.stop();
      shedder?.stop();
      maintenance.stop();
      app.close();
      keys.stop();
      metricsServer?.closeAllConnections();
      metricsServer?.close();
      await Promise.all([store.close(), redis?.close()]);
    },
  });
  const app = createApp({
    store,
    keys,
    clock,
    config,
    logger,
    ...(metrics && { metrics }),
    draining: () => shutdown.draining(),
    ...(redis && { rateLimiters: redis.factory, rateLimitsPerInstance: () => !redis.isShared() }),
  });
  prototypes?.adopt(app.express);
  const maintenance = startMaintenance({ store, clock, config, logger, vault });
  if (metricsServer) {
    await listen(metricsServer, { ...config, port: config.metrics.port ?? 0 }, 'KATAVEN_METRICS_PORT');
  }
  if (demo) process.stdout.write(demoBanner(demo, baseUrl) + '\n');
  // Answers written once the server stopped accepting close their connection: a keep-alive client
  // must not send another request on a socket that is about to close.
  const serve: RequestListener = (req, res) => {
    if (shutdown.closing()) res.setHeader('Connection', 'close');
    app.express(req, res);
  };
  const maxDelayMs = config.overloadMaxEventLoopDelayMs;
  const shedder = eventLoopDelay
    ? shedWhenOverloaded(serve, {
        eventLoopSaturated: () => eventLoopDelay.currentMs() > maxDelayMs,
        maxInFlight: config.overloadMaxInFlight,
        maxWaitMs: config.overloadMaxWaitMs,
        onShed: () => metrics?.shed.inc(),
      })
    : undefined;
  if (shedder) server.on('connection', shedder.connectionAccepted);
  handler = shedder?.listener ?? serve;
  const rateLimits = !config.rateLimits.enabled ? 'off' : redis ? 'redis' : 'memory';
  const metricsAt = metricsServer ? `port ${portOf(metricsServer, 0)}` : config.metrics.token !== undefined ? 'main port (token)' : 'off';
  logger.info(
    {
      event: 'listening',
      url: baseUrl,
      database: config.databaseUrl.startsWith('file:') ? config.databaseUrl : '[configured]',
      rateLimits,
      metrics: metricsAt,
    },
    `listening on ${baseUrl}`,
  );

  const stop = (signal: string) => {
    const exit = (code: number) => void drainLogs(logger, LOG_DRAIN_WAIT_MS).finally(() => process.exit(code));
    // Whatever hangs in the sequence, the process ends.
    const force = setTimeout(() => exit(1), config.shutdownDelaySeconds * 1000 + config.shutdownTimeoutSeconds * 1000 + 5000);
    force.unref();
    void shutdown.stop(signal, { delay: signal === 'SIGTERM' }).then(exit);
  };
  // SIGINT is a person at a terminal, not a load balancer: no delay.
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
