import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { PurgeResult } from './store/records.js';
import type { Store } from './store/store.js';
import type { KeyVault } from './tokens/keyVault.js';
import { rotateIfDue } from './tokens/rotation.js';

/**
 * Rows of each kind one purge call may delete: each call is one short transaction, so requests
 * waiting on the database (SQLite's write lock, the event loop) run between calls.
 */
export const PURGE_BATCH_ROWS = 100;
/**
 * After each full batch the purge waits three times as long as the batch took (and at least
 * this): a backlog then takes at most a quarter of the process's time, and requests keep their latency.
 */
const MIN_PAUSE_MS = 5;
const PAUSE_PER_BATCH_TIME = 3;

export interface Maintenance {
  /** Purges everything due now, batch after batch; resolves with the totals. */
  purgeNow(): Promise<PurgeResult>;
  stop(): void;
}

/**
 * Periodic purge of expired rows, so the hot tables stay small; and, with
 * KATAVEN_SIGNING_KEY_ROTATION_DAYS, the scheduled signing-key rotation.
 */
export function startMaintenance({
  store,
  clock,
  config,
  logger,
  vault,
  intervalMs = 60_000,
  batchRows = PURGE_BATCH_ROWS,
}: {
  store: Store;
  clock: Clock;
  config: Config;
  logger: Logger;
  vault: KeyVault;
  intervalMs?: number;
  batchRows?: number;
}): Maintenance {
  let stopped = false;
  const purgeNow = async (): Promise<PurgeResult> => {
    const total: PurgeResult = { visitorTokens: 0, refreshTokens: 0, sessions: 0, successorBoxes: 0 };
    for (;;) {
      const startedAt = performance.now();
      const batch = await store.purgeExpired(clock.now(), config.refreshReuseGraceSeconds * 1000, batchRows);
      total.visitorTokens += batch.visitorTokens;
      total.refreshTokens += batch.refreshTokens;
      total.sessions += batch.sessions;
      total.successorBoxes += batch.successorBoxes;
      const full = batch.visitorTokens >= batchRows || batch.sessions >= batchRows || batch.successorBoxes >= batchRows;
      if (!full || stopped) return total;
      const pauseMs = Math.max(MIN_PAUSE_MS, PAUSE_PER_BATCH_TIME * (performance.now() - startedAt));
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };

  const rotationDays = config.signingKeyRotationDays;
  let running = false;
  const timer = setInterval(() => {
    if (rotationDays !== undefined) {
      rotateIfDue({ store, clock, vault }, rotationDays).then(
        (kid) => {
          if (kid !== undefined) logger.info({ event: 'signing_key_rotation_scheduled', kid }, 'next signing key published');
        },
        (error: unknown) => logger.error({ event: 'signing_key_rotation_failed', err: error instanceof Error ? error.message : String(error) }, 'scheduled signing-key rotation failed'),
      );
    }
    // A large backlog can take longer than the interval: one purge at a time.
    if (running) return;
    running = true;
    purgeNow()
      .then(
        (purged) => logger.debug({ event: 'purge', ...purged }, 'purged expired rows'),
        (error: unknown) => logger.error({ event: 'purge_failed', err: error instanceof Error ? error.message : String(error) }, 'purge failed'),
      )
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return {
    purgeNow,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
