import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { openDatabase } from './openDatabase.js';

/** How long one attempt waits for a lock, blocking the thread. */
const ATTEMPT_BUSY_TIMEOUT_MS = 20;
/** Pause between attempts, with the event loop free. */
const RETRY_INTERVAL_MS = 50;

function isBusy(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof Database.SqliteError && e.code.startsWith('SQLITE_BUSY')) return true;
  }
  return false;
}

/**
 * `openDatabase`, retried while another connection holds the lock that switching to WAL or
 * migrating needs (another instance migrating the same file), for up to `waitMs`. Each attempt
 * blocks only briefly, so a server that listens before its store is open keeps answering its
 * liveness probe meanwhile.
 */
export async function openWhenUnlocked(url: string, waitMs: number): Promise<Database.Database> {
  const giveUpAt = Date.now() + waitMs;
  for (;;) {
    try {
      return openDatabase(url, ATTEMPT_BUSY_TIMEOUT_MS);
    } catch (error) {
      if (!isBusy(error) || Date.now() >= giveUpAt) throw error;
    }
    await sleep(RETRY_INTERVAL_MS);
  }
}
