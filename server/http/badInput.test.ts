import { gzipSync } from 'node:zlib';
import { describe, expect } from 'vitest';
import { apiTest as it, BODY_LIMIT, listOf } from '../test-support/apiTest.js';
import { decodeJwtParts } from '../test-support/decodeJwtParts.js';
import { expectTextError } from '../test-support/expectTextError.js';
import { visitorBody } from '../test-support/flowsHelpers.js';
import { ORIGIN } from '../test-support/origins.js';
import { CONFIG, EXCHANGE, GUEST, JWKS, LOGOUT, REFRESH, USER_TOKEN } from '../test-support/paths.js';
import { rawRequest } from '../test-support/rawRequest.js';

/** Bodies every JSON route refuses before reading them as its input. */
const REFUSED_BODIES = [
  { what: 'malformed JSON', rawBody: '{"client_key": ', contentType: 'application/json', status: 400, message: 'Invalid JSON body' },
  { what: 'a text/plain body', rawBody: '{}', contentType: 'text/plain', status: 415, message: 'Content-Type must be application/json' },
  { what: 'a form body', rawBody: 'client_key=x', contentType: 'application/x-www-form-urlencoded', status: 415, message: 'Content-Type must be application/json' },
  { what: 'a body over 16 KiB', rawBody: JSON.stringify({ pad: 'x'.repeat(BODY_LIMIT) }), contentType: 'application/json', status: 413, message: 'Request body too large' },
] as const;

describe('bad input never yields a 5xx', () => {
  const jsonRoutes: { path: string; headers?: Record<string, string> }[] = [
    { path: GUEST },
    { path: EXCHANGE },
    { path: REFRESH },
    { path: LOGOUT },
  ];

  for (const { path } of [...jsonRoutes, { path: USER_TOKEN }]) {
    const headers = (extra: Record<string, string>, secretKey: string) =>
      path === USER_TOKEN ? { ...extra, authorization: `Bearer ${secretKey}` } : extra;

    for (const { what, rawBody, contentType, status, message } of REFUSED_BODIES) {
      it(`answers ${what} on ${path} with ${status} "${message}"`, async ({ api: { call, secretKey } }) => {
        const res = await call(path, {
          origin: ORIGIN,
          rawBody,
          headers: headers({ 'content-type': contentType }, secretKey),
        });
        expectTextError(res, status, message);
      });
    }
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
        const { payload } = decodeJwtParts(visitorBody(res).token);
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
        expect(decodeJwtParts(visitorBody(res).token).payload.client_id).toBe(clientKey);
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
