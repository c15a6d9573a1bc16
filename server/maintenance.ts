import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Store } from './store/store.js';
import type { KeyVault } from './tokens/keyVault.js';
import { rotateIfDue } from './tokens/rotation.js';

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
}: {
  store: Store;
  clock: Clock;
  config: Config;
  logger: Logger;
  vault: KeyVault;
  intervalMs?: number;
}): { stop(): void } {
  const rotationDays = config.signingKeyRotationDays;
  const timer = setInterval(() => {
    if (rotationDays !== undefined) {
      rotateIfDue({ store, clock, vault }, rotationDays).then(
        (kid) => {
          if (kid !== undefined) logger.info({ event: 'signing_key_rotation_scheduled', kid }, 'next signing key published');
        },
        (error: unknown) => logger.error({ event: 'signing_key_rotation_failed', err: error instanceof Error ? error.message : String(error) }, 'scheduled signing-key rotation failed'),
      );
    }
    store.purgeExpired(clock.now(), config.refreshReuseGraceSeconds * 1000).then(
      (purged) => logger.debug({ event: 'purge', ...purged }, 'purged expired rows'),
      (error: unknown) => logger.error({ event: 'purge_failed', err: error instanceof Error ? error.message : String(error) }, 'purge failed'),
    );
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
