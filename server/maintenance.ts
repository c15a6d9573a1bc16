import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Store } from './store/store.js';

/** Periodic purge of expired rows, so the hot tables stay small. */
export function startMaintenance({
  store,
  clock,
  config,
  logger,
  intervalMs = 60_000,
}: {
  store: Store;
  clock: Clock;
  config: Config;
  logger: Logger;
  intervalMs?: number;
}): { stop(): void } {
  const timer = setInterval(() => {
    store.purgeExpired(clock.now(), config.refreshReuseGraceSeconds * 1000).then(
      (purged) => logger.debug({ event: 'purge', ...purged }, 'purged expired rows'),
      (error: unknown) => logger.error({ event: 'purge_failed', err: error instanceof Error ? error.message : String(error) }, 'purge failed'),
    );
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
