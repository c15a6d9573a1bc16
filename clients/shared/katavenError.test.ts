import { describe, expect } from 'vitest';
import { serverTest } from '../../server/test-support/serverTest.js';
import type { TestServer } from '../../server/test-support/startTestServer.js';
import { startScriptedServer } from '../test-support/scriptedServer.js';
import { errorFromResponse, KatavenError, parseRetryAfter } from './katavenError.js';
import { GUEST } from '../../server/test-support/paths.js';
import { ORIGIN } from '../../server/test-support/origins.js';

const EVIL = 'https://evil.example';

/** The live test server, a POST to it from the shop's origin, and its widgets' client keys. */
interface Live {
  server: TestServer;
  post: (path: string, body: unknown, headers?: Record<string, string>) => Promise<Response>;
  liveKey: string;
  noGuestKey: string;
}

const it = serverTest
  .extend(
    'noGuestKey',
    { scope: 'file' },
    async ({ server }) =>
      (await server.createWidget({ origins: [ORIGIN], guestEnabled: false })).clientKey,
  )
  .extend('live', ({ server, widget, noGuestKey }): Live => ({
    server,
    post: (path, body, headers = {}) =>
      fetch(server.baseUrl + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    liveKey: widget.clientKey,
    noGuestKey,
  }));

const cases: {
  code: string;
  status: number;
  message: string;
  send: (live: Live) => Promise<Response>;
}[] = [
  {
    code: 'missing_client_key',
    status: 400,
    message: 'Missing client_key',
    send: ({ post }) => post(GUEST, {}),
  },
  {
    code: 'invalid_client_key',
    status: 400,
    message: 'Invalid client_key',
    send: ({ post }) => post(GUEST, { client_key: 'pk_live_!' }),
  },
  {
    code: 'origin_not_allowed',
    status: 403,
    message: 'Origin not in allowlist for this client_key',
    send: ({ post, liveKey }) => post(GUEST, { client_key: liveKey }, { origin: EVIL }),
  },
  {
    code: 'origin_not_allowed',
    status: 403,
    message: 'Origin not in allowlist',
    send: ({ server, liveKey }) =>
      fetch(`${server.baseUrl}/api/v1/widget/config?client_key=${liveKey}`, {
        headers: { origin: EVIL },
      }),
  },
  {
    code: 'guest_disabled',
    status: 403,
    message: 'Guest access is disabled for this client_key',
    send: ({ post, noGuestKey }) => post(GUEST, { client_key: noGuestKey }),
  },
  {
    code: 'unknown_client_key',
    status: 404,
    message: 'Unknown client_key',
    send: ({ post }) => post(GUEST, { client_key: `pk_live_${'Z'.repeat(24)}` }),
  },
  {
    code: 'invalid_api_key',
    status: 401,
    message: 'Missing or invalid API key',
    send: ({ post, liveKey }) =>
      post(
        '/api/v1/widget/auth/user-token',
        { client_key: liveKey, user_id: 'u' },
        { authorization: 'Bearer sk_test_kt_nope' },
      ),
  },
  {
    code: 'token_expired',
    status: 400,
    message: 'Missing or expired token',
    send: ({ post }) => post('/api/v1/widget/auth/exchange', { token: 'a.b.c' }),
  },
  {
    code: 'refresh_expired',
    status: 400,
    message: 'Missing or expired refresh_token',
    send: ({ post }) => post('/api/v1/widget/auth/refresh', { refresh_token: 'rt_unknown' }),
  },
  {
    code: 'invalid_json',
    status: 400,
    message: 'Invalid JSON body',
    send: ({ post }) => post(GUEST, '{"client_key":'),
  },
  {
    code: 'unsupported_media_type',
    status: 415,
    message: 'Content-Type must be application/json',
    send: ({ post }) =>
      post(GUEST, 'client_key=x', { 'content-type': 'application/x-www-form-urlencoded' }),
  },
  {
    code: 'body_too_large',
    status: 413,
    message: 'Request body too large',
    send: ({ post }) => post(GUEST, { client_key: 'x'.repeat(20_000) }),
  },
  {
    code: 'not_found',
    status: 404,
    message: 'Not found',
    send: ({ server }) => fetch(`${server.baseUrl}/api/v1/nothing`),
  },
  {
    code: 'method_not_allowed',
    status: 405,
    message: 'Method not allowed',
    send: ({ server }) => fetch(server.baseUrl + GUEST),
  },
];

describe('errorFromResponse', () => {
  for (const { code, status, message, send } of cases) {
    it(`maps the live server's ${status} "${message}" to ${code}`, async ({ live }) => {
      const error = await errorFromResponse(await send(live));
      expect(error).toBeInstanceOf(KatavenError);
      expect({ status: error.status, code: error.code, message: error.message }).toEqual({
        status,
        code,
        message,
      });
    });
  }

  it('maps a 429 to rate_limited and reads Retry-After in seconds', async () => {
    const upstream = await startScriptedServer([
      { status: 429, headers: { 'retry-after': '7' }, body: 'Too many requests' },
    ]);
    try {
      const error = await errorFromResponse(await fetch(upstream.baseUrl));
      expect({ status: error.status, code: error.code, retryAfter: error.retryAfter }).toEqual({
        status: 429,
        code: 'rate_limited',
        retryAfter: 7,
      });
    } finally {
      await upstream.close();
    }
  });

  it('maps a 5xx with an unknown body to server_error', async () => {
    const upstream = await startScriptedServer([{ status: 502, body: '<html>Bad gateway</html>' }]);
    try {
      const error = await errorFromResponse(await fetch(upstream.baseUrl));
      expect({ status: error.status, code: error.code }).toEqual({
        status: 502,
        code: 'server_error',
      });
    } finally {
      await upstream.close();
    }
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP-dates, and ignores anything else', () => {
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter(' 30 ')).toBe(30);
    expect(parseRetryAfter(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThanOrEqual(59);
    expect(parseRetryAfter(new Date(Date.now() - 60_000).toUTCString())).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
