import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** `file:<path>` or `:memory:` (embedded SQLite), or `postgres://…` / `postgresql://…`. */
  url: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /** PostgreSQL: how often the admin change counter is polled, in addition to LISTEN. */
  adminChangePollMs?: number;
  /** PostgreSQL: connection trouble the store recovered from by itself. */
  onError?: (message: string) => void;
  /** SQLite: checkpoint the WAL from a worker thread (long-running servers). */
  checkpointInBackground?: boolean;
  onCheckpointError?: (message: string) => void;
  /** How long opening and migrating may wait for a lock held by another instance. */
  lockWaitMs?: number;
}

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//.test(url);

/**
 * Opens the store the URL names and applies its pending migrations. Each dialect is loaded only
 * when named: an embedded instance never holds the PostgreSQL driver in memory, nor the reverse.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (isPostgresUrl(options.url)) {
    const { openPostgresStore } = await import('./postgres/openPostgresStore.js');
    return openPostgresStore(options);
  }
  const { openSqliteStore } = await import('./sqlite/openSqliteStore.js');
  return openSqliteStore(options);
}
