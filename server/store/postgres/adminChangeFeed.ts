import pg from 'pg';
import { ADMIN_CHANGES_CHANNEL } from './tables/adminChanges.js';

/** Reconnection delays for the listening connection: doubling from the first to the last. */
const FIRST_RECONNECT_MS = 100;
const LAST_RECONNECT_MS = 5_000;

export interface AdminChangeFeedOptions {
  url: string;
  /** How often the counter is read, whatever the listening connection does. */
  pollMs: number;
  readVersion: () => Promise<number>;
  onError: (message: string) => void;
}

export interface AdminChangeFeed {
  subscribe(listener: () => void): () => void;
  /** Reads the counter now and calls the listeners if it moved. */
  check(): Promise<void>;
  close(): Promise<void>;
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * Calls the listeners whenever the admin change counter moves past the last version seen. Two
 * paths, started by the first subscriber: LISTEN on one dedicated connection (a change arrives
 * within milliseconds of its commit) and a poll of the counter every `pollMs` (a notification sent
 * while that connection was down is never replayed). The connection is re-established with
 * backoff whenever it drops, and the counter is read once it listens again.
 */
export async function openAdminChangeFeed(
  options: AdminChangeFeedOptions,
): Promise<AdminChangeFeed> {
  const { url, pollMs, readVersion, onError } = options;
  let seen = await readVersion();
  const listeners = new Set<() => void>();
  let started = false;
  let closed = false;
  let pollTimer: NodeJS.Timeout | undefined;
  let polling = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let reconnectMs = FIRST_RECONNECT_MS;
  let listening: pg.Client | undefined;
  const pending = new Set<Promise<unknown>>();

  const track = <T>(work: Promise<T>): Promise<T> => {
    pending.add(work);
    void work.finally(() => pending.delete(work)).catch(() => undefined);
    return work;
  };

  const observe = (version: number) => {
    if (closed || version <= seen) return;
    seen = version;
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch (error) {
        onError(`admin change listener failed: ${messageOf(error)}`);
      }
    }
  };

  const check = (): Promise<void> => {
    if (!started || closed) return Promise.resolve();
    return track(
      readVersion().then(observe, (error: unknown) => {
        onError(`reading the admin change counter failed: ${messageOf(error)}`);
      }),
    );
  };

  const poll = () => {
    if (polling) return;
    polling = true;
    void check().finally(() => (polling = false));
  };

  const scheduleReconnect = () => {
    if (closed || reconnectTimer !== undefined) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void listen();
    }, reconnectMs);
    reconnectTimer.unref();
    reconnectMs = Math.min(reconnectMs * 2, LAST_RECONNECT_MS);
  };

  const drop = (client: pg.Client) => {
    if (listening !== client) return;
    listening = undefined;
    client.end().catch(() => undefined);
    scheduleReconnect();
  };

  const listen = async (): Promise<void> => {
    const client = new pg.Client({
      connectionString: url,
      application_name: 'kataven-admin-changes',
    });
    listening = client;
    client.on('error', (error) => {
      onError(`admin change listener connection lost: ${error.message}`);
      drop(client);
    });
    client.on('end', () => {
      drop(client);
    });
    client.on('notification', (message) => {
      const version = Number(message.payload);
      if (Number.isSafeInteger(version)) observe(version);
      else void check();
    });
    try {
      await track(client.connect());
      await track(client.query(`LISTEN ${ADMIN_CHANGES_CHANNEL}`));
    } catch (error) {
      if (!closed) onError(`admin change listener cannot connect: ${messageOf(error)}`);
      drop(client);
      return;
    }
    if (listening !== client) return;
    reconnectMs = FIRST_RECONNECT_MS;
    await check();
  };

  const start = () => {
    started = true;
    pollTimer = setInterval(poll, pollMs);
    pollTimer.unref();
    void listen();
  };

  return {
    subscribe: (listener) => {
      listeners.add(listener);
      if (!started && !closed) start();
      return () => {
        listeners.delete(listener);
      };
    },
    check,
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(pollTimer);
      clearTimeout(reconnectTimer);
      const client = listening;
      listening = undefined;
      await Promise.allSettled([...pending]);
      await client?.end().catch(() => undefined);
    },
  };
}
