import type { SessionTokenResponse, Visitor, VisitorTokenResponse } from '../../contract/tokens.js';
import type { WidgetConfig } from '../../contract/widgetConfig.js';
import { KatavenError } from '../shared/katavenError.js';
import { createRequest } from './request.js';
import { openSessionStore, type StorageKind, type StoredSession } from './sessionStore.js';

export interface WidgetAuthOptions {
  /** Where the Kataven API answers, e.g. `https://auth.kataven.example`. */
  baseUrl: string;
  /** The widget's public key, `pk_live_…` or `pk_test_…`. */
  clientKey: string;
  /**
   * `local` (default) shares one session between the site's tabs; `session` keeps one per tab;
   * `memory` keeps nothing in Web Storage (a reload starts a new session).
   */
  storage?: StorageKind;
  /**
   * For signed-in visitors: resolves to a visitor token your backend minted with the Node
   * client's `createUserToken`. Without it the widget starts guest sessions.
   */
  fetchUserToken?: () => Promise<string>;
}

/** What the page may show about the current session. `expires_at` is the server's clock. */
export interface WidgetSession {
  visitor: Visitor;
  expires_at: string;
}

export interface WidgetAuth {
  /** The widget's public config: branding, copy, agent name. */
  getConfig(): Promise<WidgetConfig>;
  /** A valid session JWT: starts a session when there is none, refreshes one that is due. */
  getSessionToken(): Promise<string>;
  /** The current session, or null. */
  readonly session: WidgetSession | null;
  /** Calls `fn` on every session change (start, refresh, another tab's change, sign-out); returns unsubscribe. */
  subscribe(fn: (session: WidgetSession | null) => void): () => void;
  /** Ends the session on the server (logout) and forgets it here and in the site's other tabs. */
  signOut(): Promise<void>;
  /** Stops timers and listeners; the instance makes no further requests on its own. */
  destroy(): void;
}

/** Failures worth trying again later; everything else is final until the page asks again. */
const isTransient = (error: unknown) =>
  error instanceof KatavenError &&
  (error.status === 0 || error.status === 429 || error.status >= 500);

const MAX_FAILURES = 5;

/**
 * The widget's session for the page it runs on. It refreshes ahead of expiry on a timer
 * measured from elapsed time (the device clock's date is never compared with the server's),
 * keeps one refresh in flight per tab and across tabs (Web Locks; without them, `storage` events
 * and the server's reuse grace window keep tabs on one session), backs off on failures and stops
 * instead of looping, and starts a new session once when the old one is dead.
 *
 * @example
 * import { createWidgetAuth } from 'kataven-widget-auth/browser';
 *
 * const auth = createWidgetAuth({ baseUrl: 'https://auth.kataven.example', clientKey: 'pk_live_…' });
 * const config = await auth.getConfig();           // render the launcher from config.branding, config.copy
 * auth.subscribe((session) => render(session));    // visitor and expiry, on every change
 * const jwt = await auth.getSessionToken();        // open the live connection with it
 */
export function createWidgetAuth(options: WidgetAuthOptions): WidgetAuth {
  const { clientKey, fetchUserToken } = options;
  const request = createRequest(options.baseUrl);
  const key = `kataven:${clientKey}`;
  const store = openSessionStore(options.storage ?? 'local', key);
  const shared = store.area !== undefined;
  const kind = fetchUserToken ? 'user' : 'guest';
  const listeners = new Set<(session: WidgetSession | null) => void>();

  let current: StoredSession | null = null;
  let snapshot: WidgetSession | null = null;
  /** `performance.now()` at which the current token expires. */
  let expiresAtTick = 0;
  let pending: Promise<string> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let destroyed = false;

  /**
   * Milliseconds the current token has left, the smaller of two measures of elapsed time: the
   * monotonic clock (immune to the device clock being changed) and the device clock since
   * receipt (which, unlike the monotonic clock on some systems, also runs while the machine sleeps).
   */
  const left = () =>
    current
      ? Math.min(
          expiresAtTick - performance.now(),
          current.expires_in * 1e3 - (Date.now() - current.received_at),
        )
      : -1;
  /** Refresh a quarter of the lifetime ahead of expiry, at most a minute ahead. */
  const lead = () => Math.min(6e4, (current?.expires_in ?? 0) * 250);
  const isFresh = () => left() > lead();

  const notify = () => {
    snapshot = current && { visitor: current.visitor, expires_at: current.expires_at };
    for (const fn of listeners) {
      try {
        fn(snapshot);
      } catch (error) {
        setTimeout(() => {
          throw error;
        });
      }
    }
  };

  const schedule = (delay: number) => {
    clearTimeout(timer);
    if (!destroyed && current) timer = setTimeout(tick, Math.max(0, delay));
  };

  /** Takes a session as current; a stored one is aged by the device clock since it was received. */
  const adopt = (session: StoredSession | null) => {
    current = session;
    const age = session ? Date.now() - session.received_at : 0;
    expiresAtTick = session && age >= 0 ? performance.now() + session.expires_in * 1e3 - age : 0;
    notify();
    schedule(left() - lead());
  };

  const accept = (response: SessionTokenResponse) => {
    const { token, refresh_token, expires_in, expires_at, visitor } = response;
    const session = {
      token,
      refresh_token,
      expires_in,
      expires_at,
      visitor,
      received_at: Date.now(),
    };
    store.write(session);
    failures = 0;
    adopt(session);
    return token;
  };

  /** Stored sessions are used only in the matching mode, so a signed-in user's never serves a guest page. */
  const readStored = () => {
    const stored = store.read();
    return stored?.visitor.kind === kind ? stored : null;
  };

  const withLock = async <T>(fn: () => Promise<T>): Promise<T> =>
    shared && typeof navigator !== 'undefined' && navigator.locks
      ? await navigator.locks.request(key, fn)
      : fn();

  const startSession = async () => {
    const visitorToken = fetchUserToken
      ? await fetchUserToken()
      : (
          await request<VisitorTokenResponse>('/api/v1/widget/auth/guest', {
            client_key: clientKey,
          })
        ).token;
    return accept(
      await request<SessionTokenResponse>('/api/v1/widget/auth/exchange', { token: visitorToken }),
    );
  };

  const renew = () => {
    const spending = current?.refresh_token;
    return withLock(async () => {
      // Another tab may have refreshed while this one waited for the lock (its session arrives
      // through storage, or already did through a storage event): use that instead of spending
      // a token that is no longer the live one. Browsers pass storage writes between tabs
      // asynchronously, so this can still miss a write made a moment ago; the refresh that
      // follows presents a just-spent token, which the server's grace window answers with the
      // same successor, so the session never forks.
      const stored = readStored();
      if (stored && stored.refresh_token !== current?.refresh_token) adopt(stored);
      if (current && current.refresh_token !== spending && isFresh()) return current.token;
      if (current) {
        const presented = current.refresh_token;
        try {
          return accept(
            await request<SessionTokenResponse>('/api/v1/widget/auth/refresh', {
              refresh_token: presented,
            }),
          );
        } catch (error) {
          if (!(error instanceof KatavenError) || error.status !== 400) throw error;
          // Refused because another tab moved the session on meanwhile: follow it.
          const latest = readStored();
          if (latest && latest.refresh_token !== presented) {
            adopt(latest);
            if (left() > 0) return latest.token;
          }
          // The session is dead (expired, revoked): start a new one, once.
          store.write(null);
          adopt(null);
        }
      }
      return startSession();
    });
  };

  const ensure = () =>
    (pending ??= renew().finally(() => {
      pending = undefined;
    }));

  /** A timer-driven refresh. Transient failures back off (the server's `Retry-After` first); a few in a row, or any other failure, stop the timer until the page asks again. */
  function tick() {
    ensure().catch((error: unknown) => {
      if (!isTransient(error) || ++failures >= MAX_FAILURES) return;
      const retryAfter = (error as KatavenError).retryAfter;
      schedule(
        retryAfter !== undefined
          ? retryAfter * 1e3
          : Math.min(6e4, 1e3 * 2 ** failures * (0.5 + Math.random() / 2)),
      );
    });
  }

  const onStorage = (event: StorageEvent) => {
    // `key` null: another tab cleared the whole storage area.
    if ((event.key !== key && event.key !== null) || event.storageArea !== store.area) return;
    const stored = readStored();
    if (stored?.refresh_token !== current?.refresh_token) adopt(stored);
  };
  /** Timers sleep with the tab (and the machine): check again when it is back, or back online. */
  const onWake = () => {
    if (document.visibilityState === 'visible' && current && !isFresh()) tick();
  };

  const inPage = typeof document !== 'undefined';
  if (shared) addEventListener('storage', onStorage);
  if (inPage) {
    document.addEventListener('visibilitychange', onWake);
    addEventListener('online', onWake);
  }
  current = readStored();
  if (current) adopt(current);

  return {
    getConfig: () =>
      request<WidgetConfig>(`/api/v1/widget/config?client_key=${encodeURIComponent(clientKey)}`),

    async getSessionToken() {
      if (current && isFresh()) return current.token;
      try {
        return await ensure();
      } catch (error) {
        // A token that is due but still valid is better than none while the network recovers.
        if (current && left() > 0 && isTransient(error)) return current.token;
        throw error;
      }
    },

    get session() {
      return snapshot;
    },

    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },

    async signOut() {
      await pending?.catch(() => undefined);
      const ended = await withLock(() => {
        const session = store.read() ?? current;
        store.write(null);
        return Promise.resolve(session);
      });
      clearTimeout(timer);
      adopt(null);
      if (ended)
        await request('/api/v1/widget/auth/logout', { refresh_token: ended.refresh_token });
    },

    destroy() {
      destroyed = true;
      clearTimeout(timer);
      listeners.clear();
      if (shared) removeEventListener('storage', onStorage);
      if (inPage) {
        document.removeEventListener('visibilitychange', onWake);
        removeEventListener('online', onWake);
      }
    },
  };
}
