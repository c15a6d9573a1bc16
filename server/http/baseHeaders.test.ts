import { describe, expect } from 'vitest';
import { apiTest as it, SAMPLES, type Api } from '../test-support/apiTest.js';
import { sessionBody } from '../test-support/flowsHelpers.js';
import { type TestResponse } from '../test-support/http.js';
import { ORIGIN } from '../test-support/origins.js';
import { GUEST, REFRESH, USER_TOKEN } from '../test-support/paths.js';
import { rawRequest } from '../test-support/rawRequest.js';

describe('headers on every response', () => {
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
          body: { refresh_token: sessionBody(await session()).refresh_token },
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
