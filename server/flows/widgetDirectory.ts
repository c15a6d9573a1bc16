import { hash } from 'node:crypto';
import type { WidgetConfig } from '../../contract/index.js';
import type { Clock } from '../clock.js';
import { createOriginMatcher } from '../origins/index.js';
import type { WidgetRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

export interface ResolvedWidget {
  record: WidgetRecord;
  allowsOrigin: (origin: string | undefined) => boolean;
  config: WidgetConfig;
  /** Strong ETag of the serialized config (RFC 9110 §8.8.3). */
  etag: string;
}

export interface WidgetDirectory {
  /** The widget (enabled or not) for a client key, or undefined. */
  get(clientKey: string): Promise<ResolvedWidget | undefined>;
  /** Drops cached entries so the next `get` reads the store (admin changes in this process). */
  invalidate(clientKey?: string): void;
}

interface Entry {
  loadedAt: number;
  value: Promise<ResolvedWidget | undefined>;
}

/**
 * Widgets are read on every request but change rarely, so they are cached in memory for `ttlMs`
 * — changes made by the CLI in another process (disable, origins) take effect within that time.
 * Unknown keys are cached too, and the map is bounded, so random keys cannot grow memory or
 * reach the database more than once per TTL each.
 */
export function createWidgetDirectory({
  store,
  clock,
  ttlMs = 2000,
  maxEntries = 10_000,
}: {
  store: Store;
  clock: Clock;
  ttlMs?: number;
  maxEntries?: number;
}): WidgetDirectory {
  const entries = new Map<string, Entry>();

  const load = async (clientKey: string) => {
    const record = await store.findWidgetByClientKey(clientKey);
    return record ? resolve(record) : undefined;
  };

  return {
    get(clientKey) {
      const now = clock.now();
      const cached = entries.get(clientKey);
      if (cached && now - cached.loadedAt < ttlMs) return cached.value;
      if (cached) entries.delete(clientKey);
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      const value = load(clientKey);
      entries.set(clientKey, { loadedAt: now, value });
      // A failed load must not be cached.
      value.catch(() => entries.delete(clientKey));
      return value;
    },
    invalidate(clientKey) {
      if (clientKey === undefined) entries.clear();
      else entries.delete(clientKey);
    },
  };
}

function resolve(record: WidgetRecord): ResolvedWidget {
  const config: WidgetConfig = {
    client_key: record.clientKey,
    mode: record.mode,
    agent: record.settings.agent,
    branding: record.settings.branding,
    copy: record.settings.copy,
    guest_enabled: record.guestEnabled,
  };
  return {
    record,
    allowsOrigin: createOriginMatcher(record.origins, { allowLoopback: record.mode === 'test' }),
    config,
    etag: `"${hash('sha256', JSON.stringify(config), 'base64url').slice(0, 27)}"`,
  };
}
