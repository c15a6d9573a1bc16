import type { Store } from '../store.js';
import { openAdminChangeFeed } from './adminChangeFeed.js';
import { openDatabase } from './database.js';
import { applyMigrations } from './migrate.js';
import { purgeQueries } from './purge.js';
import { accountQueries } from './tables/accounts.js';
import { adminChangeVersionQuery } from './tables/adminChanges.js';
import { refreshTokenQueries } from './tables/refreshTokens.js';
import { secretKeyQueries } from './tables/secretKeys.js';
import { sessionQueries } from './tables/sessions.js';
import { signingKeyQueries } from './tables/signingKeys.js';
import { visitorTokenQueries } from './tables/spentVisitorTokens.js';
import { userRevocationQueries } from './tables/userRevocations.js';
import { widgetQueries } from './tables/widgets.js';

export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_ADMIN_CHANGE_POLL_MS = 250;

export interface PostgresStoreOptions {
  /** `postgres://…` or `postgresql://…` (libpq connection URI). */
  url: string;
  /** Connections in the pool. */
  poolSize?: number | undefined;
  /** How often the admin change counter is read (the longest an admin change can go unseen). */
  adminChangePollMs?: number | undefined;
  /**
   * Connection trouble the store recovers from by itself: an idle pooled connection or the
   * change listener's connection lost, a failed poll.
   */
  onError?: ((message: string) => void) | undefined;
}

/**
 * Applies pending migrations (one instance at a time, however many start together), then opens
 * the pool. Resolves once the store is ready; rejects if the database cannot be reached or
 * migrated. Any number of stores, in any number of processes, may share the database.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const onError = options.onError ?? (() => undefined);
  await applyMigrations(options.url);
  const db = openDatabase({
    url: options.url,
    poolSize: options.poolSize ?? DEFAULT_POOL_SIZE,
    onError: (message) => {
      onError(`idle database connection failed: ${message}`);
    },
  });
  try {
    const feed = await openAdminChangeFeed({
      url: options.url,
      pollMs: options.adminChangePollMs ?? DEFAULT_ADMIN_CHANGE_POLL_MS,
      readVersion: adminChangeVersionQuery(db),
      onError,
    });
    /** An admin write reaches this process's listeners before it resolves, not a poll later. */
    const announced =
      <Args extends unknown[], Result>(write: (...args: Args) => Promise<Result>) =>
      async (...args: Args): Promise<Result> => {
        const result = await write(...args);
        await feed.check();
        return result;
      };

    const widgets = widgetQueries(db);
    const secretKeys = secretKeyQueries(db);
    const signingKeys = signingKeyQueries(db);
    let closed: Promise<void> | undefined;
    return {
      ...accountQueries(db),
      ...widgets,
      createWidget: announced(widgets.createWidget),
      updateWidget: announced(widgets.updateWidget),
      ...secretKeys,
      createSecretKey: announced(secretKeys.createSecretKey),
      revokeSecretKey: announced(secretKeys.revokeSecretKey),
      rollSecretKey: announced(secretKeys.rollSecretKey),
      ...signingKeys,
      insertFirstSigningKey: announced(signingKeys.insertFirstSigningKey),
      rotateSigningKey: announced(signingKeys.rotateSigningKey),
      replaceSigningKeyPrivateJwk: announced(signingKeys.replaceSigningKeyPrivateJwk),
      withdrawSigningKey: announced(signingKeys.withdrawSigningKey),
      ...visitorTokenQueries(db),
      ...refreshTokenQueries(db),
      ...sessionQueries(db),
      ...userRevocationQueries(db),
      ...purgeQueries(db),
      onAdminChange: (listener) => feed.subscribe(listener),
      ping: async () => {
        await db.$client.query('SELECT 1');
      },
      close: () =>
        (closed ??= (async () => {
          await feed.close();
          await db.$client.end();
        })()),
    };
  } catch (error) {
    await db.$client.end();
    throw error;
  }
}
