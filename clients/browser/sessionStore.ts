import type { SessionTokenResponse } from '../../contract/tokens.js';

/** Where the widget keeps its session: shared by the site's tabs, per tab, or this page only. */
export type StorageKind = 'local' | 'session' | 'memory';

/**
 * A session as stored. `received_at` is this device's clock when the answer arrived: only ever
 * compared with the same device's clock (another tab, a reload), so skew against the server
 * never matters; within a tab, elapsed time comes from `performance.now()` instead.
 */
export type StoredSession = Pick<
  SessionTokenResponse,
  'token' | 'refresh_token' | 'expires_in' | 'expires_at' | 'visitor'
> & {
  received_at: number;
};

export interface SessionStore {
  /** The shared storage area, when there is one (`local`): its `storage` events come from other tabs. */
  area: Storage | undefined;
  read(): StoredSession | null;
  write(session: StoredSession | null): void;
}

function parse(raw: string | null): StoredSession | null {
  try {
    const value = raw === null ? null : (JSON.parse(raw) as StoredSession | null);
    return value !== null &&
      typeof value.refresh_token === 'string' &&
      typeof value.token === 'string'
      ? value
      : null;
  } catch {
    return null;
  }
}

/**
 * Web Storage can be missing or throw (privacy modes, sandboxed frames, a full quota); the
 * session then lives in memory for this page, which is still correct, just not shared.
 */
export function openSessionStore(kind: StorageKind, key: string): SessionStore {
  let area: Storage | undefined;
  try {
    area = kind === 'local' ? localStorage : kind === 'session' ? sessionStorage : undefined;
  } catch {
    area = undefined;
  }
  let memory: string | null = null;
  return {
    area: kind === 'local' ? area : undefined,
    read() {
      try {
        if (area) return parse(area.getItem(key));
      } catch {
        // fall through to the in-memory copy
      }
      return parse(memory);
    },
    write(session) {
      memory = session && JSON.stringify(session);
      try {
        if (memory === null) area?.removeItem(key);
        else area?.setItem(key, memory);
      } catch {
        area = undefined;
      }
    },
  };
}
