import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { createSecretKey } from '../admin/index.js';
import { captureLogs } from '../test-support/captureLogs.js';
import {
  ORIGIN,
  PATHS,
  guestSession,
  guestToken,
  sessionBody,
  visitorBody,
  withServer,
} from '../test-support/flowsHelpers.js';
import { request, type TestResponse } from '../test-support/http.js';
import type { TestServer } from '../test-support/startTestServer.js';
import type { RateLimitPolicy } from './rateLimit.js';
import { expectTextError } from '../test-support/expectTextError.js';

const TOO_MANY = 'Too many requests';
const FOREIGN = 'https://evil.example.net';

/** Rate limits on, client addresses taken from one trusted proxy's X-Forwarded-For. */
const limited = (limits: Record<string, string>, trustProxy = '1') => ({
  env: { KATAVEN_RATE_LIMITS: 'on', KATAVEN_TRUST_PROXY: trustProxy, ...limits },
});

const from = (ip: string | undefined) => (ip === undefined ? {} : { 'x-forwarded-for': ip });

function guest(
  server: TestServer,
  clientKey: string,
  ip?: string,
  origin = ORIGIN,
): Promise<TestResponse> {
  return request(server.baseUrl, PATHS.guest, {
    origin,
    headers: from(ip),
    body: { client_key: clientKey },
  });
}

function exchange(server: TestServer, token: string, ip?: string): Promise<TestResponse> {
  return request(server.baseUrl, PATHS.exchange, {
    origin: ORIGIN,
    headers: from(ip),
    body: { token },
  });
}

function refresh(server: TestServer, refreshToken: string, ip?: string): Promise<TestResponse> {
  return request(server.baseUrl, PATHS.refresh, {
    origin: ORIGIN,
    headers: from(ip),
    body: { refresh_token: refreshToken },
  });
}

function userToken(
  server: TestServer,
  clientKey: string,
  secretKey: string,
  ip?: string,
): Promise<TestResponse> {
  return request(server.baseUrl, PATHS.userToken, {
    headers: { authorization: `Bearer ${secretKey}`, ...from(ip) },
    body: { client_key: clientKey, user_id: 'u_1' },
  });
}

/** The spec's 429: the one-line text error plus Retry-After and the RateLimit fields for `policy`. */
function expectTooMany(res: TestResponse, policy: string, quota: number, window: number): number {
  expectTextError(res, 429, TOO_MANY);
  const retryAfter = res.headers.get('retry-after') ?? '';
  expect(retryAfter).toMatch(/^[1-9]\d*$/);
  const seconds = Number(retryAfter);
  expect(seconds).toBeLessThanOrEqual(window);
  expect(res.headers.get('ratelimit-policy')).toBe(`"${policy}";q=${quota};w=${window}`);
  expect(res.headers.get('ratelimit')).toBe(`"${policy}";r=0;t=${seconds}`);
  return seconds;
}

/** Sends until the first 429 (at most `bound` requests) and returns it with the count of answers before it. */
async function untilLimited(
  send: () => Promise<TestResponse>,
  bound: number,
): Promise<{ res: TestResponse; before: number }> {
  for (let before = 0; before < bound; before += 1) {
    const res = await send();
    if (res.status === 429) return { res, before };
  }
  throw new Error(`no 429 within ${bound} requests`);
}

/** Waits out a `Retry-After`, then retries (bounded) until the limit has reset. */
async function afterReset(
  retryAfterSeconds: number,
  send: () => Promise<TestResponse>,
): Promise<TestResponse> {
  await sleep(retryAfterSeconds * 1000);
  let res = await send();
  for (let attempt = 0; res.status === 429 && attempt < 10; attempt += 1) {
    await sleep(100);
    res = await send();
  }
  return res;
}

describe('rate limits', () => {
  describe('guest per client address', () => {
    it('answers 429 "Too many requests" with Retry-After and RateLimit fields once the quota is spent', async () => {
      await withServer(limited({ KATAVEN_RATE_LIMIT_GUEST_PER_IP: '3/min' }), async (server) => {
        const { clientKey } = await server.createWidget();
        for (const remaining of [2, 1, 0]) {
          const res = await guest(server, clientKey, '198.51.100.1');
          visitorBody(res);
          expect(res.headers.get('ratelimit-policy')).toBe('"guest-ip";q=3;w=60');
          expect(res.headers.get('ratelimit')).toMatch(
            new RegExp(`^"guest-ip";r=${remaining};t=(60|59|58|57|56|55)$`),
          );
        }
        const res = await guest(server, clientKey, '198.51.100.1');
        expectTooMany(res, 'guest-ip', 3, 60);
        // CORS-readable: the widget sees the 429, its message and when to come back.
        expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
        expect(res.headers.get('access-control-expose-headers')).toBe(
          'Retry-After, RateLimit, RateLimit-Policy, ETag',
        );
      });
    });

    it('keeps a separate budget for every other client address', async () => {
      await withServer(limited({ KATAVEN_RATE_LIMIT_GUEST_PER_IP: '2/min' }), async (server) => {
        const { clientKey } = await server.createWidget();
        await guest(server, clientKey, '198.51.100.1');
        await guest(server, clientKey, '198.51.100.1');
        expectTooMany(await guest(server, clientKey, '198.51.100.1'), 'guest-ip', 2, 60);
        visitorBody(await guest(server, clientKey, '198.51.100.2'));
        visitorBody(await guest(server, clientKey, '203.0.113.9'));
      });
    });

    it('counts refused requests too (a prober spends its own budget)', async () => {
      await withServer(limited({ KATAVEN_RATE_LIMIT_GUEST_PER_IP: '2/min' }), async (server) => {
        const { clientKey } = await server.createWidget();
        expectTextError(await guest(server, clientKey, '198.51.100.1', FOREIGN), 403);
        expectTextError(await guest(server, `pk_live_${'Z'.repeat(24)}`, '198.51.100.1'), 404);
        expectTooMany(await guest(server, clientKey, '198.51.100.1'), 'guest-ip', 2, 60);
      });
    });

    it('resets when the window ends: after Retry-After the same address is served again', async () => {
      await withServer(limited({ KATAVEN_RATE_LIMIT_GUEST_PER_IP: '2/s' }), async (server) => {
        const { clientKey } = await server.createWidget();
        const send = () => guest(server, clientKey, '198.51.100.1');
        const { res, before } = await untilLimited(send, 20);
        expect(before).toBeGreaterThanOrEqual(2);
        const seconds = expectTooMany(res, 'guest-ip', 2, 1);
        visitorBody(await afterReset(seconds, send));
      });
    });

    it('groups IPv6 addresses by /64 and treats an IPv4-mapped address as the IPv4 address', async () => {
      await withServer(limited({ KATAVEN_RATE_LIMIT_GUEST_PER_IP: '2/min' }), async (server) => {
        const { clientKey } = await server.createWidget();
        visitorBody(await guest(server, clientKey, '2001:db8:1:2::1'));
        visitorBody(await guest(server, clientKey, '2001:db8:1:2:ffff:ffff:ffff:fffe'));
        expectTooMany(await guest(server, clientKey, '2001:db8:1:2::abcd'), 'guest-ip', 2, 60);
        visitorBody(await guest(server, clientKey, '2001:db8:1:3::1'));

        visitorBody(await guest(server, clientKey, '192.0.2.10'));
        visitorBody(await guest(server, clientKey, '::ffff:192.0.2.10'));
        expectTooMany(await guest(server, clientKey, '192.0.2.10'), 'guest-ip', 2, 60);
      });
    });
  });

  describe('the client address', () => {
    it('comes from the socket when no proxy is trusted: a forged X-Forwarded-For does not reset the limit', async () => {
      await withServer(
        limited({ KATAVEN_RATE_LIMIT_GUEST_PER_IP: '2/min' }, '0'),
        async (server) => {
          const { clientKey } = await server.createWidget();
          visitorBody(await guest(server, clientKey, '198.51.100.1'));
          visitorBody(await guest(server, clientKey, '198.51.100.2'));
          for (const forged of ['198.51.100.3', '203.0.113.1, 198.51.100.4', '::1', 'unknown']) {
            expectTooMany(await guest(server, clientKey, forged), 'guest-ip', 2, 60);
          }
        },
      );
    });

    it('believes only as many X-Forwarded-For hops as KATAVEN_TRUST_PROXY names', async () => {
      await withServer(
        limited({ KATAVEN_RATE_LIMIT_GUEST_PER_IP: '2/min' }, '1'),
        async (server) => {
          const { clientKey } = await server.createWidget();
          // One trusted proxy appends the real peer last; entries before it are the client's own claims.
          visitorBody(await guest(server, clientKey, '203.0.113.1, 198.51.100.1'));
          visitorBody(await guest(server, clientKey, '203.0.113.2, 198.51.100.1'));
          expectTooMany(
            await guest(server, clientKey, '203.0.113.3, 198.51.100.1'),
            'guest-ip',
            2,
            60,
          );
        },
      );
    });
  });

  describe('guest per widget', () => {
    it("answers 429 with the widget policy once the widget's quota is spent, whatever the address", async () => {
      await withServer(
        limited({ KATAVEN_RATE_LIMIT_GUEST_PER_WIDGET: '2/min' }),
        async (server) => {
          const { clientKey } = await server.createWidget();
          const first = await guest(server, clientKey, '198.51.100.1');
          visitorBody(first);
          // The shared quota's remaining count is never advertised: it would reveal the widget's traffic.
          expect(first.headers.get('ratelimit')).toMatch(/^"guest-ip";r=\d+;t=\d+$/);
          expect(first.headers.get('ratelimit-policy')).toBe('"guest-ip";q=60;w=60');
          visitorBody(await guest(server, clientKey, '198.51.100.2'));
          expectTooMany(await guest(server, clientKey, '198.51.100.3'), 'guest-widget', 2, 60);
        },
      );
    });

    it('keeps a separate budget for every other widget', async () => {
      await withServer(
        limited({ KATAVEN_RATE_LIMIT_GUEST_PER_WIDGET: '1/min' }),
        async (server) => {
          const { clientKey } = await server.createWidget();
          const other = await server.createWidget();
          visitorBody(await guest(server, clientKey, '198.51.100.1'));
          expectTooMany(await guest(server, clientKey, '198.51.100.2'), 'guest-widget', 1, 60);
          visitorBody(await guest(server, other.clientKey, '198.51.100.3'));
        },
      );
    });

    it("does not let pages on other origins (403) spend the widget's quota", async () => {
      await withServer(
        limited({ KATAVEN_RATE_LIMIT_GUEST_PER_WIDGET: '2/min' }),
        async (server) => {
          const { clientKey } = await server.createWidget();
          for (let i = 0; i < 5; i += 1)
            expectTextError(await guest(server, clientKey, `198.51.100.${i}`, FOREIGN), 403);
          visitorBody(await guest(server, clientKey, '203.0.113.1'));
          visitorBody(await guest(server, clientKey, '203.0.113.2'));
          expectTooMany(await guest(server, clientKey, '203.0.113.3'), 'guest-widget', 2, 60);
        },
      );
    });

    it('resets when the window ends', async () => {
      await withServer(limited({ KATAVEN_RATE_LIMIT_GUEST_PER_WIDGET: '1/s' }), async (server) => {
        const { clientKey } = await server.createWidget();
        let ip = 0;
        const send = () => guest(server, clientKey, `198.51.100.${(ip += 1)}`);
        const { res } = await untilLimited(send, 20);
        const seconds = expectTooMany(res, 'guest-widget', 1, 1);
        visitorBody(await afterReset(seconds, send));
      });
    });
  });

  describe('exchange per client address', () => {
    it('answers 429 after the quota, counting refused exchanges, and spends no visitor token while limiting', async () => {
      await withServer(limited({ KATAVEN_RATE_LIMIT_EXCHANGE_PER_IP: '2/min' }), async (server) => {
        const { clientKey } = await server.createWidget();
        const visitor = await guestToken(server, clientKey);
        expectTextError(
          await exchange(server, 'not-a-jwt', '198.51.100.1'),
          400,
          'Missing or expired token',
        );
        const ok = await exchange(
          server,
          (await guestToken(server, clientKey)).token,
          '198.51.100.1',
        );
        sessionBody(ok);
        expect(ok.headers.get('ratelimit-policy')).toBe('"exchange-ip";q=2;w=60');
        expect(ok.headers.get('ratelimit')).toMatch(/^"exchange-ip";r=0;t=(60|59|58|57|56|55)$/);
        expectTooMany(await exchange(server, visitor.token, '198.51.100.1'), 'exchange-ip', 2, 60);
        // Another address is unaffected, and the token refused with 429 was not spent.
        sessionBody(await exchange(server, visitor.token, '198.51.100.2'));
      });
    });

    it('resets when the window ends', async () => {
      await withServer(limited({ KATAVEN_RATE_LIMIT_EXCHANGE_PER_IP: '1/s' }), async (server) => {
        const { clientKey } = await server.createWidget();
        const visitor = await guestToken(server, clientKey);
        const { res } = await untilLimited(() => exchange(server, 'not-a-jwt', '198.51.100.1'), 20);
        const seconds = expectTooMany(res, 'exchange-ip', 1, 1);
        sessionBody(
          await afterReset(seconds, () => exchange(server, visitor.token, '198.51.100.1')),
        );
      });
    });
  });

  describe('refresh per client address', () => {
    it('answers 429 after the quota and leaves the refresh token unspent', async () => {
      await withServer(limited({ KATAVEN_RATE_LIMIT_REFRESH_PER_IP: '2/min' }), async (server) => {
        const { clientKey } = await server.createWidget();
        const session = await guestSession(server, clientKey);
        expectTextError(
          await refresh(server, 'rt_unknown', '198.51.100.1'),
          400,
          'Missing or expired refresh_token',
        );
        expectTextError(
          await refresh(server, 'rt_unknown', '198.51.100.1'),
          400,
          'Missing or expired refresh_token',
        );
        expectTooMany(
          await refresh(server, session.refresh_token, '198.51.100.1'),
          'refresh-ip',
          2,
          60,
        );
        const ok = await refresh(server, session.refresh_token, '198.51.100.2');
        sessionBody(ok);
        expect(ok.headers.get('ratelimit')).toMatch(/^"refresh-ip";r=1;t=(60|59|58|57|56|55)$/);
      });
    });

    it('resets when the window ends', async () => {
      await withServer(limited({ KATAVEN_RATE_LIMIT_REFRESH_PER_IP: '1/s' }), async (server) => {
        const { clientKey } = await server.createWidget();
        const session = await guestSession(server, clientKey);
        const { res } = await untilLimited(() => refresh(server, 'rt_unknown', '198.51.100.1'), 20);
        const seconds = expectTooMany(res, 'refresh-ip', 1, 1);
        sessionBody(
          await afterReset(seconds, () => refresh(server, session.refresh_token, '198.51.100.1')),
        );
      });
    });
  });

  describe('user-token per secret key', () => {
    it('answers 429 after the quota for that key only; another key of the same account is unaffected', async () => {
      await withServer(
        limited({ KATAVEN_RATE_LIMIT_USER_TOKEN_PER_KEY: '2/min' }),
        async (server) => {
          const { clientKey, secretKey, accountId } = await server.createWidget();
          const other = await createSecretKey(
            { store: server.store, clock: server.clock },
            { accountId, mode: 'live' },
          );
          const first = await userToken(server, clientKey, secretKey, '198.51.100.1');
          visitorBody(first);
          expect(first.headers.get('ratelimit-policy')).toBe('"user-token-key";q=2;w=60');
          expect(first.headers.get('ratelimit')).toMatch(
            /^"user-token-key";r=1;t=(60|59|58|57|56|55)$/,
          );
          visitorBody(await userToken(server, clientKey, secretKey, '198.51.100.2'));
          const res = await userToken(server, clientKey, secretKey, '198.51.100.3');
          expectTooMany(res, 'user-token-key', 2, 60);
          // Server-to-server: no CORS headers, on a 429 either.
          expect(
            [...res.headers.keys()].filter((name) => name.startsWith('access-control-')),
          ).toEqual([]);
          visitorBody(await userToken(server, clientKey, other.secret_key, '198.51.100.3'));
        },
      );
    });

    it('authenticates first: a bad key is 401, never 429, and spends no quota', async () => {
      await withServer(
        limited({ KATAVEN_RATE_LIMIT_USER_TOKEN_PER_KEY: '1/min' }),
        async (server) => {
          const { clientKey, secretKey } = await server.createWidget();
          for (let i = 0; i < 3; i += 1)
            expectTextError(await userToken(server, clientKey, 'sk_live_kt_nope'), 401);
          visitorBody(await userToken(server, clientKey, secretKey));
          expectTooMany(await userToken(server, clientKey, secretKey), 'user-token-key', 1, 60);
          expectTextError(await userToken(server, clientKey, 'sk_live_kt_nope'), 401);
        },
      );
    });

    it('resets when the window ends', async () => {
      await withServer(
        limited({ KATAVEN_RATE_LIMIT_USER_TOKEN_PER_KEY: '1/s' }),
        async (server) => {
          const { clientKey, secretKey } = await server.createWidget();
          const send = () => userToken(server, clientKey, secretKey);
          const { res } = await untilLimited(send, 20);
          const seconds = expectTooMany(res, 'user-token-key', 1, 1);
          visitorBody(await afterReset(seconds, send));
        },
      );
    });
  });

  it('logs every 429 as a rate_limited security event tied to its request id', async () => {
    const logs = captureLogs();
    await withServer(
      { ...limited({ KATAVEN_RATE_LIMIT_GUEST_PER_IP: '1/min' }), logger: logs.logger },
      async (server) => {
        const { clientKey } = await server.createWidget();
        visitorBody(await guest(server, clientKey, '198.51.100.1'));
        const res = await guest(server, clientKey, '198.51.100.1');
        expectTooMany(res, 'guest-ip', 1, 60);
        const events = logs.records().filter((line) => line.event === 'rate_limited');
        expect(events).toEqual([
          expect.objectContaining({
            level: 40,
            msg: 'rate_limited',
            route: 'guest',
            limit: 'guest-ip',
            requestId: res.headers.get('x-request-id'),
          }),
        ]);
      },
    );
  });

  it('serves everything when KATAVEN_RATE_LIMITS=off, and sends no RateLimit fields', async () => {
    await withServer(
      {
        env: {
          KATAVEN_RATE_LIMITS: 'off',
          KATAVEN_RATE_LIMIT_GUEST_PER_IP: '1/min',
          KATAVEN_RATE_LIMIT_EXCHANGE_PER_IP: '1/min',
        },
      },
      async (server) => {
        const { clientKey } = await server.createWidget();
        for (let i = 0; i < 5; i += 1) {
          const res = await guest(server, clientKey);
          expect(res.headers.get('ratelimit')).toBeNull();
          sessionBody(await exchange(server, visitorBody(res).token));
        }
      },
    );
  });

  it('builds its counters with the factory it is given (a shared store for several instances)', async () => {
    const built: RateLimitPolicy[] = [];
    const rateLimiters = (policy: RateLimitPolicy) => {
      built.push(policy);
      return new RateLimiterMemory({
        keyPrefix: policy.name,
        points: policy.points,
        duration: policy.windowSeconds,
      });
    };
    await withServer(
      { ...limited({ KATAVEN_RATE_LIMIT_GUEST_PER_IP: '1/min' }), rateLimiters },
      async (server) => {
        const { clientKey } = await server.createWidget();
        expect(built.map((p) => `${p.name} ${p.points}/${p.windowSeconds}s`).sort()).toEqual([
          'exchange-ip 120/60s',
          'guest-ip 1/60s',
          'guest-widget 3000/60s',
          'refresh-ip 120/60s',
          'revoke-key 3000/60s',
          'user-token-key 3000/60s',
        ]);
        visitorBody(await guest(server, clientKey));
        expectTooMany(await guest(server, clientKey), 'guest-ip', 1, 60);
      },
    );
  });
});
