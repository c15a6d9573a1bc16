import { gzipSync } from 'node:zlib';
import { describe, expect } from 'vitest';
import { request, type TestRequest, type TestResponse } from '../test-support/http.js';
import { rawRequest } from '../test-support/rawRequest.js';
import { serverTest } from '../test-support/serverTest.js';
import { CONFIG, GUEST, USER_TOKEN, EXCHANGE, REFRESH, LOGOUT, JWKS } from '../test-support/paths.js';
import { decodeJwtParts } from '../test-support/decodeJwtParts.js';
import { expectTextError } from '../test-support/expectTextError.js';
import { corsHeaderNames } from '../test-support/http.js';
import { ORIGIN } from '../test-support/origins.js';

const ELSEWHERE = 'https://not-in-any-allowlist.example';
const BODY_LIMIT = 16 * 1024;

/** The cross-origin routes (§3 CORS) and the method each serves. */
const CORS_ROUTES = [
  { path: CONFIG, method: 'GET' },
  { path: GUEST, method: 'POST' },
  { path: EXCHANGE, method: 'POST' },
  { path: REFRESH, method: 'POST' },
  { path: LOGOUT, method: 'POST' },
] as const;

const json = (res: TestResponse) => res.json as Record<string, unknown>;

/** Requests to the file's server, for its default widget. */
interface Api {
  call: (path: string, init?: TestRequest) => Promise<TestResponse>;
  /** The config path for the widget. */
  configPath: () => string;
  /** A guest visitor token, minted from the allowed origin. */
  guestToken: () => Promise<string>;
  /** A 200 exchange answer: a new guest session. */
  session: () => Promise<TestResponse>;
  clientKey: string;
  secretKey: string;
}

const it = serverTest.extend('api', ({ server, widget }): Api => {
  const { clientKey, secretKey } = widget;
  const call = (path: string, init: TestRequest = {}) => request(server.baseUrl, path, init);
  const guestToken = async () => {
    const res = await call(GUEST, { origin: ORIGIN, body: { client_key: clientKey } });
    expect(res.status, res.text).toBe(200);
    return String(json(res).token);
  };
  return {
    call,
    configPath: () => `${CONFIG}?client_key=${clientKey}`,
    guestToken,
    session: async () => {
      const res = await call(EXCHANGE, { origin: ORIGIN, body: { token: await guestToken() } });
      expect(res.status, res.text).toBe(200);
      return res;
    },
    clientKey,
    secretKey,
  };
});

function listOf(header: string | null): string[] {
  return (header ?? '')
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter((part) => part !== '');
}

/** One request of each kind the service answers: success, every error class, preflight. */
const SAMPLES: { name: string; run: (api: Api) => Promise<TestResponse> }[] = [
  { name: 'a config 200', run: ({ call, configPath }) => call(configPath(), { origin: ORIGIN }) },
  { name: 'a config 400', run: ({ call }) => call(`${CONFIG}?client_key=nope`, { origin: ORIGIN }) },
  {
    name: 'a config 403',
    run: ({ call, configPath }) => call(configPath(), { origin: ELSEWHERE }),
  },
  {
    name: 'a guest 200',
    run: ({ call, clientKey }) => call(GUEST, { origin: ORIGIN, body: { client_key: clientKey } }),
  },
  {
    name: 'a guest 404',
    run: ({ call }) =>
      call(GUEST, { origin: ORIGIN, body: { client_key: `pk_live_${'N'.repeat(24)}` } }),
  },
  {
    name: 'a user-token 200',
    run: ({ call, clientKey, secretKey }) =>
      call(USER_TOKEN, {
        body: { client_key: clientKey, user_id: 'u_1' },
        headers: { authorization: `Bearer ${secretKey}` },
      }),
  },
  {
    name: 'a user-token 401',
    run: ({ call, clientKey }) =>
      call(USER_TOKEN, { body: { client_key: clientKey, user_id: 'u_1' } }),
  },
  {
    name: 'an exchange 400',
    run: ({ call }) => call(EXCHANGE, { origin: ORIGIN, body: { token: 'x' } }),
  },
  {
    name: 'a refresh 400',
    run: ({ call }) => call(REFRESH, { origin: ORIGIN, body: { refresh_token: 'rt_x' } }),
  },
  {
    name: 'a logout 204',
    run: ({ call }) => call(LOGOUT, { origin: ORIGIN, body: { refresh_token: 'rt_x' } }),
  },
  { name: 'a 404 for an unknown path', run: ({ call }) => call('/nope') },
  { name: 'a 405 for a wrong method', run: ({ call }) => call(CONFIG, { method: 'DELETE' }) },
  {
    name: 'a 413',
    run: ({ call }) =>
      call(GUEST, {
        origin: ORIGIN,
        rawBody: 'x'.repeat(BODY_LIMIT + 1),
        headers: { 'content-type': 'application/json' },
      }),
  },
  {
    name: 'a 415',
    run: ({ call }) =>
      call(GUEST, { origin: ORIGIN, rawBody: '{}', headers: { 'content-type': 'text/plain' } }),
  },
  {
    name: 'a preflight',
    run: ({ call }) =>
      call(GUEST, {
        method: 'OPTIONS',
        origin: ORIGIN,
        headers: { 'access-control-request-method': 'POST' },
      }),
  },
  {
    name: 'a user-token OPTIONS',
    run: ({ call }) => call(USER_TOKEN, { method: 'OPTIONS', origin: ORIGIN }),
  },
  { name: 'healthz', run: ({ call }) => call('/healthz') },
  { name: 'readyz', run: ({ call }) => call('/readyz') },
  { name: 'the JWKS', run: ({ call }) => call(JWKS) },
];

describe('headers on every response (§3)', () => {
  for (const { name, run } of SAMPLES) {
    it(`sends nosniff, an X-Request-Id and no X-Powered-By on ${name}`, async ({ api }) => {
      const res = await run(api);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('x-request-id')).toMatch(/^[\x21-\x7e]{1,128}$/);
    });

    it(`never sends Access-Control-Allow-Credentials, a * or a null origin on ${name}`, async ({
      api,
    }) => {
      const res = await run(api);
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      expect(res.headers.get('access-control-allow-origin')).not.toBe('*');
      expect(res.headers.get('access-control-allow-origin')).not.toBe('null');
    });
  }

  describe('X-Request-Id', () => {
    const sane = [
      '0f8fad5b-d9cb-469f-a165-70867728950e',
      'abc.123:DEF-456',
      'req_8f14e45fceea167a',
    ];
    for (const id of sane) {
      it(`echoes a sane caller request id ${id}`, async ({ api: { call } }) => {
        const res = await call('/healthz', { headers: { 'x-request-id': id } });
        expect(res.headers.get('x-request-id')).toBe(id);
      });
    }

    it('echoes a sane request id on an error too', async ({ api: { call } }) => {
      const res = await call('/nope', { headers: { 'x-request-id': 'trace-42' } });
      expect(res.status).toBe(404);
      expect(res.headers.get('x-request-id')).toBe('trace-42');
    });

    const garbage = [
      { name: '300 characters', id: 'a'.repeat(300) },
      { name: 'spaces', id: 'abc def' },
      { name: 'a quote and angle brackets', id: '"><script>' },
      { name: 'a comma (two ids)', id: 'a,b' },
    ];
    for (const { name, id } of garbage) {
      it(`replaces a request id with ${name} by its own`, async ({ api: { call } }) => {
        const res = await call('/healthz', { headers: { 'x-request-id': id } });
        const echoed = res.headers.get('x-request-id');
        expect(echoed).not.toBe(id);
        expect(echoed).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
      });
    }

    it('replaces a request id with non-ASCII bytes', async ({ server }) => {
      const res = await rawRequest(server.baseUrl, '/healthz', {
        headers: [['x-request-id', 'caf\u00e9']],
      });
      expect(res.headers['x-request-id']).not.toBe('caf\u00e9');
      expect(res.headers['x-request-id']).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    });

    it('gives each request without an id a different one', async ({ api: { call } }) => {
      const a = await call('/healthz');
      const b = await call('/healthz');
      expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
    });
  });
});

describe('token responses are never cached', () => {
  const tokens: { name: string; run: (api: Api) => Promise<TestResponse> }[] = [
    {
      name: 'guest',
      run: ({ call, clientKey }) => call(GUEST, { origin: ORIGIN, body: { client_key: clientKey } }),
    },
    {
      name: 'user-token',
      run: ({ call, clientKey, secretKey }) =>
        call(USER_TOKEN, {
          body: { client_key: clientKey, user_id: 'u_1' },
          headers: { authorization: `Bearer ${secretKey}` },
        }),
    },
    { name: 'exchange', run: ({ session }) => session() },
    {
      name: 'refresh',
      run: async ({ call, session }) =>
        call(REFRESH, {
          origin: ORIGIN,
          body: { refresh_token: json(await session()).refresh_token },
        }),
    },
  ];
  for (const { name, run } of tokens) {
    it(`sends Cache-Control: no-store and Pragma: no-cache on a ${name} 200`, async ({ api }) => {
      const res = await run(api);
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('pragma')).toBe('no-cache');
      expect(res.headers.get('etag')).toBeNull();
    });
  }
});

describe('errors are one never-cached text/plain line', () => {
  const errors: {
    name: string;
    run: (api: Api) => Promise<TestResponse>;
    status: number;
    message?: string;
  }[] = [
    {
      name: 'config 400',
      run: ({ call }) => call(CONFIG),
      status: 400,
      message: 'Missing client_key',
    },
    {
      name: 'config 403',
      run: ({ call, configPath }) => call(configPath(), { origin: ELSEWHERE }),
      status: 403,
      message: 'Origin not in allowlist',
    },
    {
      name: 'guest 403',
      run: ({ call, clientKey }) =>
        call(GUEST, { origin: ELSEWHERE, body: { client_key: clientKey } }),
      status: 403,
      message: 'Origin not in allowlist for this client_key',
    },
    {
      name: 'user-token 401',
      run: ({ call }) => call(USER_TOKEN, { body: {} }),
      status: 401,
      message: 'Missing or invalid API key',
    },
    {
      name: 'exchange 400',
      run: ({ call }) => call(EXCHANGE, { origin: ORIGIN, body: {} }),
      status: 400,
      message: 'Missing or expired token',
    },
    {
      name: 'refresh 400',
      run: ({ call }) => call(REFRESH, { origin: ORIGIN, body: {} }),
      status: 400,
      message: 'Missing or expired refresh_token',
    },
    {
      name: 'unknown path 404',
      run: ({ call }) => call('/api/v1/widget/nope'),
      status: 404,
      message: 'Not found',
    },
    { name: 'wrong method 405', run: ({ call }) => call(GUEST), status: 405 },
    {
      name: 'body too large 413',
      run: ({ call }) =>
        call(GUEST, {
          origin: ORIGIN,
          rawBody: ' '.repeat(BODY_LIMIT + 1),
          headers: { 'content-type': 'application/json' },
        }),
      status: 413,
      message: 'Request body too large',
    },
    {
      name: 'not JSON 415',
      run: ({ call }) =>
        call(GUEST, { origin: ORIGIN, rawBody: '{}', headers: { 'content-type': 'text/plain' } }),
      status: 415,
      message: 'Content-Type must be application/json',
    },
  ];
  for (const { name, run, status, message } of errors) {
    it(`answers a ${name} as text/plain; charset=utf-8 with no-store and Pragma: no-cache`, async ({
      api,
    }) => {
      expectTextError(await run(api), status, message);
    });
  }
});

describe('CORS preflight (§3)', () => {
  for (const { path, method } of CORS_ROUTES) {
    it(`answers a preflight on ${path} with 204, the echoed origin, methods, Content-Type, max-age 600 and Vary: Origin`, async ({
      api: { call },
    }) => {
      const res = await call(path, {
        method: 'OPTIONS',
        origin: ELSEWHERE,
        headers: {
          'access-control-request-method': method,
          'access-control-request-headers': 'content-type',
        },
      });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(res.headers.get('access-control-allow-origin')).toBe(ELSEWHERE);
      expect(listOf(res.headers.get('access-control-allow-methods'))).toContain(
        method.toLowerCase(),
      );
      expect(res.headers.get('access-control-allow-headers')).toBe('Content-Type');
      expect(res.headers.get('access-control-max-age')).toBe('600');
      expect(listOf(res.headers.get('vary'))).toContain('origin');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    });

    it(`answers a preflight on ${path} without Origin with Vary: Origin and no Allow-Origin`, async ({
      api: { call },
    }) => {
      const res = await call(path, { method: 'OPTIONS' });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(listOf(res.headers.get('vary'))).toContain('origin');
    });
  }

  it('does not allow the Authorization header in a preflight (no secret keys from a page)', async ({
    api: { call },
  }) => {
    const res = await call(GUEST, {
      method: 'OPTIONS',
      origin: ORIGIN,
      headers: {
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(listOf(res.headers.get('access-control-allow-headers'))).not.toContain('authorization');
  });

  const neverEchoed = [
    { name: 'null', origin: 'null' },
    { name: 'two origins joined by a comma', origin: 'https://a.com, https://b.com' },
    { name: 'an origin with a path', origin: 'https://a.com/path' },
    { name: 'an origin with a trailing slash', origin: 'https://a.com/' },
    { name: 'an origin with a query', origin: 'https://a.com?x=1' },
    { name: 'an origin with a fragment', origin: 'https://a.com#x' },
    { name: 'an origin with userinfo', origin: 'https://user@a.com' },
    { name: 'a 300-character origin', origin: `https://${'a'.repeat(288)}.com` },
    { name: '*', origin: '*' },
    { name: 'a bare host', origin: 'a.com' },
    { name: 'a javascript: URL', origin: 'javascript:alert(1)' },
  ];
  for (const { name, origin } of neverEchoed) {
    it(`never echoes ${name} on a preflight or an actual response`, async ({
      api: { call, configPath, clientKey },
    }) => {
      const preflight = await call(GUEST, {
        method: 'OPTIONS',
        origin,
        headers: { 'access-control-request-method': 'POST' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      const actual = await call(GUEST, { origin, body: { client_key: clientKey } });
      expect(actual.status).toBe(403);
      expect(actual.headers.get('access-control-allow-origin')).toBeNull();
      expect(actual.headers.get('access-control-expose-headers')).toBeNull();
      const config = await call(configPath(), { origin });
      expect(config.status).toBe(403);
      expect(config.headers.get('access-control-allow-origin')).toBeNull();
    });
  }

  it('echoes a 256-character origin but not a 257-character one', async ({ api: { call } }) => {
    const at = (length: number) =>
      `https://${'a'.repeat(length - 'https://'.length - '.com'.length)}.com`;
    const ok = await call(GUEST, { method: 'OPTIONS', origin: at(256) });
    expect(ok.headers.get('access-control-allow-origin')).toBe(at(256));
    const tooLong = await call(GUEST, { method: 'OPTIONS', origin: at(257) });
    expect(tooLong.headers.get('access-control-allow-origin')).toBeNull();
  });

  const nonAscii = [
    { name: 'a Latin-1 byte', origin: 'https://caf\u00e9.example' },
    { name: 'UTF-8 bytes', origin: Buffer.from('https://café.example', 'utf8').toString('latin1') },
  ];
  for (const { name, origin } of nonAscii) {
    it(`never echoes a non-ASCII origin (${name})`, async ({ server, api: { clientKey } }) => {
      const preflight = await rawRequest(server.baseUrl, GUEST, {
        method: 'OPTIONS',
        headers: [['origin', origin]],
      });
      expect(preflight.status).toBeLessThan(500);
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      const actual = await rawRequest(server.baseUrl, GUEST, {
        method: 'POST',
        headers: [
          ['origin', origin],
          ['content-type', 'application/json'],
        ],
        body: JSON.stringify({ client_key: clientKey }),
      });
      expect(actual.status).toBe(403);
      expect(actual.headers['access-control-allow-origin']).toBeUndefined();
    });
  }

  it('never echoes two Origin headers, on a preflight or an actual response', async ({
    server,
    api: { clientKey },
  }) => {
    const preflight = await rawRequest(server.baseUrl, GUEST, {
      method: 'OPTIONS',
      headers: [['origin', [ORIGIN, 'https://b.com']]],
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const actual = await rawRequest(server.baseUrl, `${CONFIG}?client_key=${clientKey}`, {
      headers: [['origin', [ORIGIN, ORIGIN]]],
    });
    expect(actual.status).toBe(403);
    expect(actual.text).toBe('Origin not in allowlist');
    expect(actual.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS on actual responses (§3)', () => {
  const EXPOSED = ['retry-after', 'ratelimit', 'ratelimit-policy', 'etag'];
  const actual: {
    name: string;
    run: (api: Api, origin: string) => Promise<TestResponse>;
    status: number;
  }[] = [
    {
      name: 'a config 200',
      run: ({ call, configPath }, origin) => call(configPath(), { origin }),
      status: 200,
    },
    {
      name: 'a config 403',
      run: ({ call, configPath }) => call(configPath(), { origin: ELSEWHERE }),
      status: 403,
    },
    {
      name: 'a guest 200',
      run: ({ call, clientKey }, origin) =>
        call(GUEST, { origin, body: { client_key: clientKey } }),
      status: 200,
    },
    {
      name: 'a guest 403',
      run: ({ call, clientKey }) =>
        call(GUEST, { origin: ELSEWHERE, body: { client_key: clientKey } }),
      status: 403,
    },
    {
      name: 'a guest 400',
      run: ({ call }, origin) => call(GUEST, { origin, body: {} }),
      status: 400,
    },
    {
      name: 'a guest 415',
      run: ({ call }, origin) =>
        call(GUEST, { origin, rawBody: '{}', headers: { 'content-type': 'text/plain' } }),
      status: 415,
    },
    {
      name: 'an exchange 400',
      run: ({ call }, origin) => call(EXCHANGE, { origin, body: { token: 'x' } }),
      status: 400,
    },
    {
      name: 'a refresh 400',
      run: ({ call }, origin) => call(REFRESH, { origin, body: { refresh_token: 'rt_x' } }),
      status: 400,
    },
    {
      name: 'a logout 204',
      run: ({ call }, origin) => call(LOGOUT, { origin, body: { refresh_token: 'rt_x' } }),
      status: 204,
    },
  ];
  for (const { name, run, status } of actual) {
    it(`echoes the origin and exposes Retry-After, RateLimit, RateLimit-Policy and ETag on ${name}`, async ({
      api,
    }) => {
      const res = await run(api, ORIGIN);
      expect(res.status, res.text).toBe(status);
      const origin = status === 403 ? ELSEWHERE : ORIGIN;
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(listOf(res.headers.get('access-control-expose-headers')).sort()).toStrictEqual(
        [...EXPOSED].sort(),
      );
      expect(listOf(res.headers.get('vary'))).toContain('origin');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    });
  }

  const withoutOrigin: { name: string; run: (api: Api) => Promise<TestResponse> }[] = [
    { name: 'a config 200', run: ({ call, configPath }) => call(configPath()) },
    {
      name: 'a config 304',
      run: async ({ call, configPath }) =>
        call(configPath(), {
          headers: { 'if-none-match': (await call(configPath())).headers.get('etag') ?? '' },
        }),
    },
    {
      name: 'a config 404',
      run: ({ call }) => call(`${CONFIG}?client_key=pk_live_${'U'.repeat(24)}`),
    },
    {
      name: 'a guest 403',
      run: ({ call, clientKey }) => call(GUEST, { body: { client_key: clientKey } }),
    },
    { name: 'an exchange 400', run: ({ call }) => call(EXCHANGE, { body: { token: 'x' } }) },
    {
      name: 'a refresh 400',
      run: ({ call }) => call(REFRESH, { body: { refresh_token: 'rt_x' } }),
    },
    { name: 'a logout 204', run: ({ call }) => call(LOGOUT, { body: { refresh_token: 'rt_x' } }) },
  ];
  for (const { name, run } of withoutOrigin) {
    it(`sends Vary: Origin and no Allow-Origin on ${name} without an Origin`, async ({ api }) => {
      const res = await run(api);
      expect(listOf(res.headers.get('vary'))).toContain('origin');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    });
  }

  it('sends no CORS headers on healthz, readyz or the JWKS', async ({ api: { call } }) => {
    for (const path of ['/healthz', '/readyz', JWKS]) {
      const res = await call(path, { origin: ORIGIN });
      expect(corsHeaderNames(res.headers)).toStrictEqual([]);
    }
  });
});

describe('path variants of a CORS route are no way around its rules', () => {
  // Either the variant is not the route (404 "Not found"), or it gets the route's full treatment.
  const configVariants = [`${CONFIG}/`, '/API/v1/widget/config', '/api/v1/Widget/Config'];
  for (const path of configVariants) {
    it(`answers GET ${path} with 404 or with Vary: Origin and the echoed origin`, async ({
      api: { call, clientKey },
    }) => {
      const res = await call(`${path}?client_key=${clientKey}`, { origin: ORIGIN });
      if (res.status === 404) {
        expect(res.text).toBe('Not found');
      } else {
        expect(listOf(res.headers.get('vary'))).toContain('origin');
        expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      }
    });
  }

  const guestVariants = [`${GUEST}/`, '/api/v1/widget/auth/GUEST'];
  for (const path of guestVariants) {
    it(`answers a gzip-encoded POST ${path} with 404 or 415, as the canonical path does`, async ({
      api: { call },
    }) => {
      const res = await call(path, {
        origin: ORIGIN,
        rawBody: '{}',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      });
      expect([404, 415]).toContain(res.status);
    });

    it(`answers a text/plain POST ${path} with 404 or 415, as the canonical path does`, async ({
      api: { call, clientKey },
    }) => {
      const res = await call(path, {
        origin: ORIGIN,
        rawBody: JSON.stringify({ client_key: clientKey }),
        headers: { 'content-type': 'text/plain' },
      });
      expect([404, 415]).toContain(res.status);
    });
  }
});

describe('bad input never yields a 5xx (§3)', () => {
  const jsonRoutes: { path: string; headers?: Record<string, string> }[] = [
    { path: GUEST },
    { path: EXCHANGE },
    { path: REFRESH },
    { path: LOGOUT },
  ];

  for (const { path } of [...jsonRoutes, { path: USER_TOKEN }]) {
    const headers = (extra: Record<string, string>, secretKey: string) =>
      path === USER_TOKEN ? { ...extra, authorization: `Bearer ${secretKey}` } : extra;

    it(`answers malformed JSON on ${path} with 400 "Invalid JSON body"`, async ({
      api: { call, secretKey },
    }) => {
      const res = await call(path, {
        origin: ORIGIN,
        rawBody: '{"client_key": ',
        headers: headers({ 'content-type': 'application/json' }, secretKey),
      });
      expectTextError(res, 400, 'Invalid JSON body');
    });

    it(`answers a text/plain body on ${path} with 415 "Content-Type must be application/json"`, async ({
      api: { call, secretKey },
    }) => {
      const res = await call(path, {
        origin: ORIGIN,
        rawBody: '{}',
        headers: headers({ 'content-type': 'text/plain' }, secretKey),
      });
      expectTextError(res, 415, 'Content-Type must be application/json');
    });

    it(`answers a form body on ${path} with 415`, async ({ api: { call, secretKey } }) => {
      const res = await call(path, {
        origin: ORIGIN,
        rawBody: 'client_key=x',
        headers: headers({ 'content-type': 'application/x-www-form-urlencoded' }, secretKey),
      });
      expectTextError(res, 415, 'Content-Type must be application/json');
    });

    it(`answers a body over 16 KiB on ${path} with 413 "Request body too large"`, async ({
      api: { call, secretKey },
    }) => {
      const rawBody = JSON.stringify({ pad: 'x'.repeat(BODY_LIMIT) });
      const res = await call(path, {
        origin: ORIGIN,
        rawBody,
        headers: headers({ 'content-type': 'application/json' }, secretKey),
      });
      expectTextError(res, 413, 'Request body too large');
    });
  }

  it('answers a body with no Content-Type with 415', async ({ server, api: { clientKey } }) => {
    const res = await rawRequest(server.baseUrl, GUEST, {
      method: 'POST',
      headers: [['origin', ORIGIN]],
      body: JSON.stringify({ client_key: clientKey }),
    });
    expect(res.status).toBe(415);
    expect(res.text).toBe('Content-Type must be application/json');
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('answers a JSON body with an unsupported charset with 415', async ({
    api: { call, clientKey },
  }) => {
    const res = await call(GUEST, {
      origin: ORIGIN,
      rawBody: JSON.stringify({ client_key: clientKey }),
      headers: { 'content-type': 'application/json; charset=iso-8859-1' },
    });
    expectTextError(res, 415, 'Content-Type must be application/json');
  });

  it('accepts application/json with a utf-8 charset parameter, in any case', async ({
    api: { call, clientKey },
  }) => {
    const res = await call(GUEST, {
      origin: ORIGIN,
      rawBody: JSON.stringify({ client_key: clientKey }),
      headers: { 'content-type': 'Application/JSON; charset=UTF-8' },
    });
    expect(res.status, res.text).toBe(200);
  });

  const encodings = ['gzip', 'deflate', 'br', 'GZIP'];
  for (const encoding of encodings) {
    it(`refuses Content-Encoding: ${encoding} with 415`, async ({ api: { call } }) => {
      const res = await call(GUEST, {
        origin: ORIGIN,
        rawBody: '{}',
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      });
      expectTextError(res, 415);
    });
  }

  it('refuses a real gzip body with 415, without inflating it', async ({
    server,
    api: { clientKey },
  }) => {
    const bomb = gzipSync(
      Buffer.from(`{"client_key":"${clientKey}","pad":"${'0'.repeat(1_000_000)}"}`),
    );
    expect(bomb.length).toBeLessThan(BODY_LIMIT);
    const res = await rawRequest(server.baseUrl, GUEST, {
      method: 'POST',
      headers: [
        ['origin', ORIGIN],
        ['content-type', 'application/json'],
        ['content-encoding', 'gzip'],
      ],
      body: bomb,
    });
    expect(res.status).toBe(415);
  });

  it('accepts a body of exactly 16 KiB and refuses one byte more with 413', async ({
    api: { call, clientKey },
  }) => {
    const bodyOf = (size: number) => {
      const base = JSON.stringify({ client_key: clientKey, pad: '' });
      return JSON.stringify({ client_key: clientKey, pad: 'x'.repeat(size - base.length) });
    };
    expect(Buffer.byteLength(bodyOf(BODY_LIMIT))).toBe(BODY_LIMIT);
    const atLimit = await call(GUEST, {
      origin: ORIGIN,
      rawBody: bodyOf(BODY_LIMIT),
      headers: { 'content-type': 'application/json' },
    });
    expect(atLimit.status, atLimit.text).toBe(200);
    const over = await call(GUEST, {
      origin: ORIGIN,
      rawBody: bodyOf(BODY_LIMIT + 1),
      headers: { 'content-type': 'application/json' },
    });
    expectTextError(over, 413, 'Request body too large');
  });

  it('refuses an over-long chunked body (no Content-Length) with 413', async ({
    server,
    api: { clientKey },
  }) => {
    const res = await rawRequest(server.baseUrl, GUEST, {
      method: 'POST',
      headers: [
        ['origin', ORIGIN],
        ['content-type', 'application/json'],
        ['transfer-encoding', 'chunked'],
      ],
      body: JSON.stringify({ client_key: clientKey, pad: 'x'.repeat(BODY_LIMIT) }),
    });
    expect(res.status).toBe(413);
    expect(res.text).toBe('Request body too large');
  });

  describe('405 with Allow', () => {
    const wrong: { method: string; path: string; allow: string[] }[] = [
      { method: 'GET', path: GUEST, allow: ['POST', 'OPTIONS'] },
      { method: 'PUT', path: GUEST, allow: ['POST', 'OPTIONS'] },
      { method: 'DELETE', path: CONFIG, allow: ['GET', 'HEAD', 'OPTIONS'] },
      { method: 'POST', path: CONFIG, allow: ['GET', 'HEAD', 'OPTIONS'] },
      { method: 'PUT', path: USER_TOKEN, allow: ['POST'] },
      { method: 'GET', path: USER_TOKEN, allow: ['POST'] },
      { method: 'GET', path: EXCHANGE, allow: ['POST', 'OPTIONS'] },
      { method: 'DELETE', path: REFRESH, allow: ['POST', 'OPTIONS'] },
      { method: 'GET', path: LOGOUT, allow: ['POST', 'OPTIONS'] },
      { method: 'POST', path: '/healthz', allow: ['GET', 'HEAD'] },
      { method: 'DELETE', path: JWKS, allow: ['GET', 'HEAD'] },
    ];
    for (const { method, path, allow } of wrong) {
      it(`answers ${method} ${path} with 405 and Allow: ${allow.join(', ')}`, async ({
        api: { call },
      }) => {
        const res = await call(path, {
          method,
          ...(method === 'GET' || method === 'DELETE'
            ? {}
            : { rawBody: '{}', headers: { 'content-type': 'application/json' } }),
        });
        expectTextError(res, 405);
        expect(listOf(res.headers.get('allow')).sort()).toStrictEqual(
          allow.map((m) => m.toLowerCase()).sort(),
        );
      });
    }
  });

  describe('404 "Not found"', () => {
    const paths = [
      '/',
      '/nope',
      '/api/v1/widget',
      '/api/v1/widget/auth/nope',
      '/api/v2/widget/config',
      '/.well-known/openid-configuration',
      '/%2e%2e/etc/passwd',
    ];
    for (const path of paths) {
      it(`answers GET ${path} with 404 "Not found"`, async ({ api: { call } }) => {
        expectTextError(await call(path), 404, 'Not found');
      });
    }

    it('answers POST to an unknown path with 404 "Not found", whatever the body', async ({
      api: { call },
    }) => {
      expectTextError(
        await call('/api/v1/widget/auth/nope', {
          rawBody: 'not json',
          headers: { 'content-type': 'text/plain' },
        }),
        404,
        'Not found',
      );
    });
  });

  describe('hostile JSON', () => {
    it('ignores a __proto__ key and pollutes no prototype', async ({
      api: { call, clientKey },
    }) => {
      const rawBody = `{"client_key": "${clientKey}", "__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}}`;
      const res = await call(GUEST, {
        origin: ORIGIN,
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status, res.text).toBe(200);
      const probe: Record<string, unknown> = {};
      expect(probe.polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    });

    it('ignores __proto__ inside user metadata and pollutes no prototype', async ({
      api: { call, clientKey, secretKey },
    }) => {
      const rawBody = `{"client_key": "${clientKey}", "user_id": "u_1", "metadata": {"__proto__": {"polluted": 1}, "plan": "pro"}}`;
      const res = await call(USER_TOKEN, {
        rawBody,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secretKey}` },
      });
      expect(res.status).toBeLessThan(500);
      if (res.status === 200) {
        const { payload } = decodeJwtParts(String(json(res).token));
        expect(payload.metadata).toStrictEqual({ plan: 'pro' });
      }
      const probe: Record<string, unknown> = {};
      expect(probe.polluted).toBeUndefined();
    });

    const deep: { name: string; rawBody: () => string }[] = [
      { name: '5000 nested arrays', rawBody: () => '['.repeat(5000) + ']'.repeat(5000) },
      {
        name: '5000 nested arrays as client_key',
        rawBody: () => `{"client_key": ${'['.repeat(5000)}${']'.repeat(5000)}}`,
      },
      { name: '2500 nested objects', rawBody: () => '{"a":'.repeat(2500) + '1' + '}'.repeat(2500) },
      { name: '16000 unclosed brackets', rawBody: () => '['.repeat(16_000) },
    ];
    for (const { name, rawBody } of deep) {
      it(`answers ${name} within 16 KiB with a 4xx`, async ({ api: { call } }) => {
        const body = rawBody();
        expect(body.length).toBeLessThanOrEqual(BODY_LIMIT);
        const res = await call(GUEST, {
          origin: ORIGIN,
          rawBody: body,
          headers: { 'content-type': 'application/json' },
        });
        expectTextError(res, 400);
      });
    }

    it('answers deep nesting inside user metadata with a 400', async ({
      api: { call, clientKey, secretKey },
    }) => {
      const rawBody = `{"client_key": "${clientKey}", "user_id": "u_1", "metadata": {"a": ${'['.repeat(5000)}${']'.repeat(5000)}}}`;
      const res = await call(USER_TOKEN, {
        rawBody,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secretKey}` },
      });
      expectTextError(res, 400);
    });

    it('handles duplicate keys (the last wins) without a 5xx', async ({
      api: { call, clientKey },
    }) => {
      const rawBody = `{"client_key": "pk_live_${'D'.repeat(24)}", "client_key": "${clientKey}"}`;
      const res = await call(GUEST, {
        origin: ORIGIN,
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      expect([200, 400]).toContain(res.status);
      if (res.status === 200)
        expect(decodeJwtParts(String(json(res).token)).payload.client_id).toBe(clientKey);
    });

    const huge = ['1e999', '-1e999', '123456789012345678901234567890e300'];
    for (const number of huge) {
      it(`answers ${number} as client_key with 400 "Invalid client_key"`, async ({
        api: { call },
      }) => {
        const res = await call(GUEST, {
          origin: ORIGIN,
          rawBody: `{"client_key": ${number}}`,
          headers: { 'content-type': 'application/json' },
        });
        expectTextError(res, 400, 'Invalid client_key');
      });

      it(`answers ${number} as a metadata value with 400 naming metadata`, async ({
        api: { call, clientKey, secretKey },
      }) => {
        const rawBody = `{"client_key": "${clientKey}", "user_id": "u_1", "metadata": {"n": ${number}}}`;
        const res = await call(USER_TOKEN, {
          rawBody,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${secretKey}` },
        });
        expectTextError(res, 400);
        expect(res.text).toContain('metadata');
      });
    }

    it('answers a huge exponent as a refresh_token with 400, not 5xx', async ({
      api: { call },
    }) => {
      const res = await call(REFRESH, {
        origin: ORIGIN,
        rawBody: '{"refresh_token": 1e999}',
        headers: { 'content-type': 'application/json' },
      });
      expectTextError(res, 400, 'Missing or expired refresh_token');
    });

    it('answers a lone surrogate in a string with a 4xx', async ({
      api: { call, clientKey, secretKey },
    }) => {
      const res = await call(USER_TOKEN, {
        rawBody: `{"client_key": "${clientKey}", "user_id": "u\\ud800"}`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secretKey}` },
      });
      expectTextError(res, 400);
    });
  });
});

describe('health and keys', () => {
  it('answers GET /healthz with 200 ok', async ({ api: { call } }) => {
    const res = await call('/healthz');
    expect(res.status).toBe(200);
    expect(res.text).toBe('ok');
  });

  it('answers GET /readyz with 200 ok', async ({ api: { call } }) => {
    const res = await call('/readyz');
    expect(res.status).toBe(200);
    expect(res.text).toBe('ok');
  });

  it('serves the JWKS with only public members and Cache-Control: public, max-age=300', async ({
    api: { call },
  }) => {
    const res = await call(JWKS);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.headers.get('pragma')).toBeNull();
    const { keys } = res.json as { keys: Record<string, unknown>[] };
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(Object.keys(key).sort()).toStrictEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    }
    expect(new Set(keys.map((k) => k.kid)).size).toBe(keys.length);
  });

  it('lists the kid that signs the tokens it issues', async ({ api: { call, guestToken } }) => {
    const { header } = decodeJwtParts(await guestToken());
    const { keys } = (await call(JWKS)).json as { keys: Record<string, unknown>[] };
    expect(keys.map((k) => k.kid)).toContain(header.kid);
  });
});
