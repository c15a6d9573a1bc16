import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../server/test-support/http.js';
import { startTestServer, type TestServer } from '../../server/test-support/startTestServer.js';
import { verifySessionToken } from '../node/index.js';
import { freePort } from '../test-support/freePort.js';
import { launchChromium } from '../test-support/launchChromium.js';
import { startPageServer, type PageServer } from '../test-support/startPageServer.js';
import type * as BrowserClient from './index.js';
import type { KatavenError, WidgetAuth, WidgetAuthOptions, WidgetSession } from './index.js';
import { GUEST, REFRESH } from '../../server/test-support/paths.js';

/** What the test page's window holds: the bundled client and what the test put there. */
interface TestWindow {
  Kataven: typeof BrowserClient;
  auth: WidgetAuth;
  changes: (WidgetSession | null)[];
}

interface Traffic {
  method: string;
  path: string;
  status: number;
}

interface Rig {
  api: TestServer;
  site: PageServer;
  context: BrowserContext;
  clientKey: string;
  /** Every answer the API gave the browser. */
  traffic: Traffic[];
  posts(path: string): Traffic[];
}

interface RigOptions {
  sessionTtlSeconds?: number;
  /** Server environment beyond the defaults (e.g. rate limits). */
  env?: Record<string, string>;
  /** A live widget that allows only this origin (so the test page's origin is refused). */
  onlyOrigin?: string;
  /** Hide the Web Locks API, as in browsers without it. */
  withoutWebLocks?: boolean;
}


let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
});

/** API on http://localhost:A, the customer's page on http://127.0.0.1:B: two origins, real CORS. */
async function withRig(options: RigOptions, body: (rig: Rig) => Promise<void>): Promise<void> {
  const env: Record<string, string> = { ...options.env };
  if (options.sessionTtlSeconds !== undefined)
    env.KATAVEN_SESSION_TOKEN_TTL = String(options.sessionTtlSeconds);
  const api = await startTestServer({ host: 'localhost', env });
  const widget =
    options.onlyOrigin === undefined
      ? await api.createWidget({ mode: 'test', origins: [] })
      : await api.createWidget({ mode: 'live', origins: [options.onlyOrigin] });
  const site = await startPageServer({
    apiBaseUrl: api.baseUrl,
    clientKey: widget.clientKey,
    secretKey: widget.secretKey,
  });
  const context = await browser.newContext();
  if (options.withoutWebLocks) {
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined });
    });
  }
  const traffic: Traffic[] = [];
  context.on('response', (response) => {
    const url = new URL(response.url());
    if (url.origin === api.baseUrl)
      traffic.push({
        method: response.request().method(),
        path: url.pathname,
        status: response.status(),
      });
  });
  try {
    await body({
      api,
      site,
      context,
      clientKey: widget.clientKey,
      traffic,
      posts: (path) => traffic.filter((t) => t.method === 'POST' && t.path === path),
    });
  } finally {
    await context.close();
    await site.close();
    await api.close();
  }
}

async function openTab(rig: Rig): Promise<Page> {
  const page = await rig.context.newPage();
  await page.goto(`${rig.site.origin}/`);
  return page;
}

interface AuthSetup {
  baseUrl?: string;
  storage?: WidgetAuthOptions['storage'];
  /** Sign in through the site's backend as this user. */
  user?: { user_id: string; name: string };
}

/** Creates `window.auth` in the page and records every session change in `window.changes`. */
async function createAuth(page: Page, rig: Rig, setup: AuthSetup = {}): Promise<void> {
  await page.evaluate(
    ({ baseUrl, clientKey, storage, user }) => {
      const w = window as unknown as TestWindow;
      const options: WidgetAuthOptions = { baseUrl, clientKey };
      if (storage) options.storage = storage;
      if (user) {
        options.fetchUserToken = async () => {
          const response = await fetch('/visitor-token', {
            method: 'POST',
            body: JSON.stringify(user),
          });
          return ((await response.json()) as { token: string }).token;
        };
      }
      w.auth = w.Kataven.createWidgetAuth(options);
      w.changes = [];
      w.auth.subscribe((session) => w.changes.push(session));
    },
    {
      baseUrl: setup.baseUrl ?? rig.api.baseUrl,
      clientKey: rig.clientKey,
      storage: setup.storage,
      user: setup.user,
    },
  );
}

const getSessionToken = (page: Page) =>
  page.evaluate(() => (window as unknown as TestWindow).auth.getSessionToken());
const currentSession = (page: Page) =>
  page.evaluate(() => (window as unknown as TestWindow).auth.session);
const changeCount = (page: Page) =>
  page.evaluate(() => (window as unknown as TestWindow).changes.length);
const waitForChanges = (page: Page, count: number) =>
  // Polling by interval, not animation frames: a background tab gets none.
  page.waitForFunction((n) => (window as unknown as TestWindow).changes.length >= n, count, {
    timeout: 30_000,
    polling: 50,
  });

/** Runs an auth call in the page and returns the error it threw, as plain data. */
function failureOf(page: Page, call: 'getConfig' | 'getSessionToken') {
  return page.evaluate(async (method) => {
    const w = window as unknown as TestWindow;
    try {
      await w.auth[method]();
      return null;
    } catch (error) {
      const e = error as KatavenError;
      return {
        isKatavenError: error instanceof w.Kataven.KatavenError,
        status: e.status,
        code: e.code,
        message: e.message,
      };
    }
  }, call);
}

const storedRefreshToken = (page: Page, rig: Rig) =>
  page.evaluate(
    (key) =>
      (JSON.parse(localStorage.getItem(key) ?? '{}') as { refresh_token?: string }).refresh_token ??
      '',
    `kataven:${rig.clientKey}`,
  );

const storedKeys = (page: Page) =>
  page.evaluate(() => ({ local: Object.keys(localStorage), session: Object.keys(sessionStorage) }));

function verify(rig: Rig, token: string) {
  return verifySessionToken(token, {
    issuer: rig.api.config.issuer,
    jwksUrl: `${rig.api.baseUrl}/.well-known/jwks.json`,
  });
}

describe('createWidgetAuth in Chromium, page and API on two origins', () => {
  it('guest flow: reads the config and starts a guest session bound to the page origin', async () => {
    await withRig({}, async (rig) => {
      const page = await openTab(rig);
      await createAuth(page, rig);
      const config = await page.evaluate(() => (window as unknown as TestWindow).auth.getConfig());
      expect(config).toMatchObject({
        client_key: rig.clientKey,
        mode: 'test',
        agent: { display_name: 'Ava' },
        guest_enabled: true,
      });

      const token = await getSessionToken(page);
      const claims = await verify(rig, token);
      expect(claims).toMatchObject({
        kind: 'guest',
        client_id: rig.clientKey,
        origin: rig.site.origin,
      });
      const session = await currentSession(page);
      expect(session?.visitor).toMatchObject({ id: claims.sub, kind: 'guest', user_id: null });
      expect(await changeCount(page)).toBe(1);
      // A second call reuses the fresh token: no new request.
      expect(await getSessionToken(page)).toBe(token);
      expect(rig.posts(GUEST)).toHaveLength(1);
      expect(await storedKeys(page)).toEqual({ local: [`kataven:${rig.clientKey}`], session: [] });
    });
  });

  it("user flow: exchanges the visitor token the site's backend minted with the Node client", async () => {
    await withRig({}, async (rig) => {
      const page = await openTab(rig);
      await createAuth(page, rig, { user: { user_id: 'u_ada', name: 'Ada' } });
      const claims = await verify(rig, await getSessionToken(page));
      expect(claims).toMatchObject({
        kind: 'user',
        user_id: 'u_ada',
        name: 'Ada',
        origin: rig.site.origin,
      });
      expect((await currentSession(page))?.visitor).toMatchObject({
        kind: 'user',
        user_id: 'u_ada',
        name: 'Ada',
      });
      expect(rig.posts(GUEST)).toHaveLength(0);
    });
  });

  it('refreshes on its own timer ahead of expiry, without minting a new guest', async () => {
    await withRig({ sessionTtlSeconds: 2 }, async (rig) => {
      const page = await openTab(rig);
      await createAuth(page, rig);
      const first = await getSessionToken(page);
      const firstClaims = await verify(rig, first);
      // The server's clock moves on as the browser's does; the client never reads either.
      rig.api.clock.advance(2_000);
      await waitForChanges(page, 2);

      const second = await getSessionToken(page);
      expect(second).not.toBe(first);
      const secondClaims = await verify(rig, second);
      expect(secondClaims.sub).toBe(firstClaims.sub);
      expect(secondClaims.sid).toBe(firstClaims.sid);
      expect(secondClaims.exp).toBeGreaterThan(firstClaims.exp);
      expect(rig.posts(GUEST)).toHaveLength(1);
      expect(rig.posts(REFRESH).length).toBeGreaterThanOrEqual(1);
      expect(rig.posts(REFRESH).every((t) => t.status === 200)).toBe(true);
    });
  });

  for (const withoutWebLocks of [false, true]) {
    const how = withoutWebLocks
      ? 'without Web Locks: storage events and the server grace window'
      : 'with Web Locks';
    it(`two tabs sharing storage come due at the same moment and stay on one session (${how})`, async () => {
      await withRig({ sessionTtlSeconds: 4, withoutWebLocks }, async (rig) => {
        const a = await openTab(rig);
        const b = await openTab(rig);
        expect(await a.evaluate(() => typeof navigator.locks)).toBe(
          withoutWebLocks ? 'undefined' : 'object',
        );
        await createAuth(a, rig);
        const first = await getSessionToken(a);
        // Tab B adopts the stored session: both tabs hold the same refresh token and come due together.
        await createAuth(b, rig);
        expect((await currentSession(b))?.visitor.id).toBe((await currentSession(a))?.visitor.id);

        // A recorded its start; B subscribed after adopting, so it has recorded nothing yet.
        await Promise.all([waitForChanges(a, 2), waitForChanges(b, 1)]);
        await Promise.all(
          [a, b].map((tab) =>
            tab.evaluate(() => {
              (window as unknown as TestWindow).auth.destroy();
            }),
          ),
        );
        const [tokenA, tokenB] = await Promise.all([getSessionToken(a), getSessionToken(b)]);
        expect(tokenA).not.toBe(first);
        const [claimsA, claimsB] = await Promise.all([verify(rig, tokenA), verify(rig, tokenB)]);
        expect(claimsA.sid).toBe(claimsB.sid);
        expect(claimsA.sub).toBe(claimsB.sub);
        const refreshes = rig.posts(REFRESH);
        // One refresh at a time, and usually one in all: the tab that gets the lock second finds
        // the winner's session and adopts it. Chromium hands localStorage writes to other tabs
        // asynchronously, so that tab may still read the spent token and refresh once more, in turn;
        // the server's grace window then answers with the same successor, so the family never forks.
        expect(refreshes.length).toBeGreaterThanOrEqual(1);
        expect(refreshes.length).toBeLessThanOrEqual(2);
        // The session survived: no refresh was refused and no tab had to start over as a new guest.
        expect(refreshes.filter((t) => t.status !== 200)).toEqual([]);
        expect(rig.posts(GUEST)).toHaveLength(1);
        const stillLive = await request(rig.api.baseUrl, REFRESH, {
          origin: rig.site.origin,
          body: { refresh_token: await storedRefreshToken(a, rig) },
        });
        expect(stillLive.status).toBe(200);
      });
    });
  }

  it('starts a new session once, and reports it, when the refresh token is dead', async () => {
    await withRig({ sessionTtlSeconds: 2 }, async (rig) => {
      const page = await openTab(rig);
      await createAuth(page, rig);
      await getSessionToken(page);
      const before = await currentSession(page);
      const refreshToken = await storedRefreshToken(page, rig);
      // The session ends elsewhere (another device signed out, or an admin revoked it).
      expect(
        (
          await request(rig.api.baseUrl, '/api/v1/widget/auth/logout', {
            body: { refresh_token: refreshToken },
          })
        ).status,
      ).toBe(204);

      await page.waitForFunction(
        (oldId) =>
          (window as unknown as TestWindow).changes.some(
            (s) => s !== null && s.visitor.id !== oldId,
          ),
        before?.visitor.id,
        { timeout: 30_000, polling: 50 },
      );
      const after = await currentSession(page);
      expect(after?.visitor.id).not.toBe(before?.visitor.id);
      expect(rig.posts(REFRESH).filter((t) => t.status === 400)).toHaveLength(1);
      expect(rig.posts(GUEST)).toHaveLength(2);
      expect((await verify(rig, await getSessionToken(page))).sub).toBe(after?.visitor.id);
    });
  });

  it('turns a refused origin into origin_not_allowed with the server message, not an opaque CORS failure', async () => {
    await withRig({ onlyOrigin: 'https://shop.example.com' }, async (rig) => {
      const page = await openTab(rig);
      await createAuth(page, rig);
      expect(await failureOf(page, 'getConfig')).toEqual({
        isKatavenError: true,
        status: 403,
        code: 'origin_not_allowed',
        message: 'Origin not in allowlist',
      });
      expect(await failureOf(page, 'getSessionToken')).toEqual({
        isKatavenError: true,
        status: 403,
        code: 'origin_not_allowed',
        message: 'Origin not in allowlist for this client_key',
      });
      expect(await currentSession(page)).toBeNull();
    });
  });

  it('reads a 429 across origins: rate_limited with the Retry-After the server sent', async () => {
    const env = { KATAVEN_RATE_LIMITS: 'on', KATAVEN_RATE_LIMIT_GUEST_PER_IP: '1/min' };
    await withRig({ env }, async (rig) => {
      const page = await openTab(rig);
      await createAuth(page, rig, { storage: 'memory' });
      await getSessionToken(page);
      await createAuth(page, rig, { storage: 'memory' });
      const failure = await page.evaluate(async () => {
        try {
          await (window as unknown as TestWindow).auth.getSessionToken();
          return null;
        } catch (error) {
          const e = error as KatavenError;
          return { status: e.status, code: e.code, message: e.message, retryAfter: e.retryAfter };
        }
      });
      expect(failure).toMatchObject({
        status: 429,
        code: 'rate_limited',
        message: 'Too many requests',
      });
      expect(failure?.retryAfter).toBeGreaterThan(0);
      expect(failure?.retryAfter).toBeLessThanOrEqual(60);
      expect(rig.posts(GUEST).map((t) => t.status)).toEqual([200, 429]);
    });
  });

  it('reports network_error when the API cannot be reached', async () => {
    await withRig({}, async (rig) => {
      const page = await openTab(rig);
      await createAuth(page, rig, { baseUrl: `http://localhost:${await freePort()}` });
      expect(await failureOf(page, 'getSessionToken')).toMatchObject({
        isKatavenError: true,
        status: 0,
        code: 'network_error',
      });
    });
  });

  it('signOut ends the session on the server and forgets it: the old refresh token is dead', async () => {
    await withRig({}, async (rig) => {
      const page = await openTab(rig);
      await createAuth(page, rig);
      await getSessionToken(page);
      const refreshToken = await storedRefreshToken(page, rig);
      expect(refreshToken).toMatch(/^rt_/);

      await page.evaluate(() => (window as unknown as TestWindow).auth.signOut());
      expect(await currentSession(page)).toBeNull();
      expect(
        await page.evaluate(() => (window as unknown as TestWindow).changes.at(-1)),
      ).toBeNull();
      expect(await storedKeys(page)).toEqual({ local: [], session: [] });

      const res = await request(rig.api.baseUrl, REFRESH, {
        origin: rig.site.origin,
        body: { refresh_token: refreshToken },
      });
      expect({ status: res.status, text: res.text }).toEqual({
        status: 400,
        text: 'Missing or expired refresh_token',
      });
    });
  });

  it("storage 'memory' keeps the session out of localStorage and sessionStorage", async () => {
    await withRig({}, async (rig) => {
      const page = await openTab(rig);
      await createAuth(page, rig, { storage: 'memory' });
      await verify(rig, await getSessionToken(page));
      expect(await currentSession(page)).not.toBeNull();
      expect(await storedKeys(page)).toEqual({ local: [], session: [] });
    });
  });

  it("storage 'session' keeps the session per tab", async () => {
    await withRig({}, async (rig) => {
      const page = await openTab(rig);
      await createAuth(page, rig, { storage: 'session' });
      await getSessionToken(page);
      expect(await storedKeys(page)).toEqual({ local: [], session: [`kataven:${rig.clientKey}`] });
    });
  });
});
