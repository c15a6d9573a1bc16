import type { Store } from './store.js';
import { openSqliteStore } from './sqlite/openSqliteStore.js';

export interface OpenStoreOptions {
  /** `file:<path>` or `:memory:` (embedded SQLite), or `postgres://…` / `postgresql://…`. */
  url: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /** SQLite: checkpoint the WAL from a worker thread (long-running servers). */
  checkpointInBackground?: boolean;
  onCheckpointError?: (message: string) => void;
  /** How long opening and migrating may wait for a lock held by another instance. */
  lockWaitMs?: number;
}

/** Opens the store the URL names and applies its pending migrations. */
export function openStore(options: OpenStoreOptions): Promise<Store> {
  return openSqliteStore(options);
}
