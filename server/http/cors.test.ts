import { describe, expect } from 'vitest';
import { apiTest as it, CORS_ROUTES, ELSEWHERE, listOf, type Api } from '../test-support/apiTest.js';
import { corsHeaderNames, type TestResponse } from '../test-support/http.js';
import { ORIGIN } from '../test-support/origins.js';
import { CONFIG, EXCHANGE, GUEST, JWKS, LOGOUT, REFRESH } from '../test-support/paths.js';
import { rawRequest } from '../test-support/rawRequest.js';

describe('CORS preflight', () => {
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

describe('CORS on actual responses', () => {
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
