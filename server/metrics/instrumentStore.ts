import type { Store } from '../store/store.js';
import type { Metrics } from './createMetrics.js';
import { STORE_OPERATIONS, type TimedStoreOperation } from './metricLabels.js';

type AsyncMethod = (...args: unknown[]) => Promise<unknown>;

/**
 * The store with every operation timed, and the security state changes it commits counted
 * (exchanges, rotations, revocations): one decorator over the `Store` interface, so neither
 * implementation's SQL knows about metrics.
 */
export function instrumentStore(store: Store, metrics: Metrics): Store {
  const timed: Partial<Record<TimedStoreOperation, AsyncMethod>> = {};
  for (const operation of Object.keys(STORE_OPERATIONS) as (keyof Store)[]) {
    if (!STORE_OPERATIONS[operation]) continue;
    const name = operation as TimedStoreOperation;
    const original = store[name].bind(store) as AsyncMethod;
    const histogram = metrics.storeDuration[name];
    timed[name] = (...args) => {
      const startedAt = performance.now();
      const observe = () => histogram.observe((performance.now() - startedAt) / 1000);
      return original(...args).then(
        (value) => {
          observe();
          return value;
        },
        (error: unknown) => {
          observe();
          throw error;
        },
      );
    };
  }
  const instrumented: Store = {
    ...(timed as Pick<Store, TimedStoreOperation>),
    onAdminChange: (listener) => store.onAdminChange(listener),
    close: () => store.close(),
    async consumeVisitorToken(input) {
      const result = await (timed.consumeVisitorToken as Store['consumeVisitorToken'])(input);
      if (result.started) metrics.exchanges.inc();
      return result;
    },
    async rotateRefreshToken(input) {
      const rotated = await (timed.rotateRefreshToken as Store['rotateRefreshToken'])(input);
      if (rotated) metrics.rotations.inc();
      return rotated;
    },
    async revokeSession(sessionId, at) {
      const revoked = await (timed.revokeSession as Store['revokeSession'])(sessionId, at);
      if (revoked) metrics.sessionsRevoked.inc();
      return revoked;
    },
    async revokeUserSessions(input) {
      const revoked = await (timed.revokeUserSessions as Store['revokeUserSessions'])(input);
      metrics.sessionsRevoked.inc(revoked);
      return revoked;
    },
  };
  return instrumented;
}
