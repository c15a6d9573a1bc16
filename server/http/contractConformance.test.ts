/**
 * Drives every contract route through every answer it can give and holds each real response
 * to the contract (the audit in startTestServer: declared status, content type, exact error
 * message) and to the published openapi.json (documented status, media type and headers, with
 * header values checked against the contract's header catalogue).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  HeaderObject,
  OpenAPIObject,
  OperationObject,
  ReferenceObject,
  ResponseObject,
} from 'openapi3-ts/oas31';
import { describe, expect } from 'vitest';
import * as z from 'zod';
import {
  contract,
  EXAMPLE_REFRESH_TOKEN,
  publicCacheHeader,
  listRoutes,
  responseHeaders,
  type ResponseHeader,
} from '../../contract/index.js';
import { createMetrics } from '../metrics/createMetrics.js';
import { request, type TestRequest, type TestResponse } from '../test-support/http.js';
import { shedWhenOverloaded } from './shedWhenOverloaded.js';
import { serverTestWith, startedServer } from '../test-support/serverTest.js';
import type { TestServer } from '../test-support/startTestServer.js';
import { CONFIG, GUEST, USER_TOKEN, EXCHANGE, REFRESH, LOGOUT, REVOKE } from '../test-support/paths.js';
import { ORIGIN, OTHER_ORIGIN } from '../test-support/origins.js';
import { sessionBody, visitorBody } from '../test-support/flowsHelpers.js';

const document = JSON.parse(
  readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8'),
) as OpenAPIObject;

const EVIL = 'https://evil.example.net';
const UNKNOWN_KEY = `pk_live_${'Z'.repeat(24)}`;
const METRICS_TOKEN = 'conformance-metrics-token';
const OVERSIZED = JSON.stringify({ client_key: 'x'.repeat(17 * 1024) });

/**
 * Declared answers no request can provoke, with the reason. Everything else declared must be
 * observed below, so the document lists no status the server never gives.
 */
const UNREACHABLE: Record<string, Record<number, string>> = {
  getConfig: { 429: 'declared for a future limit; config is not rate limited today' },
  jwks: { 500: 'keys are served from memory' },
  healthz: { 500: 'touches nothing that can fail' },
  readyz: { 500: 'a database failure is its 503' },
  openApiDocument: { 500: 'served from memory' },
  apiReference: { 500: 'served from memory' },
  apiReferenceScript: { 500: 'read once from the installed package' },
  metrics: { 500: 'rendered from memory' },
};

const operations = new Map<string, OperationObject>(
  Object.values(document.paths ?? {}).flatMap((item) =>
    (['get', 'post'] as const).flatMap((method) => {
      const op = (item as Record<string, OperationObject | undefined>)[method];
      return op?.operationId === undefined ? [] : [[op.operationId, op] as const];
    }),
  ),
);

const observed = new Map<string, Set<number>>();

function headerComponent(ref: HeaderObject | ReferenceObject): {
  key: string;
  header: HeaderObject;
} {
  if (!('$ref' in ref)) throw new Error('response headers are documented as components');
  const key = ref.$ref.slice('#/components/headers/'.length);
  const header = document.components?.headers?.[key] as HeaderObject | undefined;
  if (header === undefined) throw new Error(`missing component ${ref.$ref}`);
  return { key, header };
}

/** The contract's definition behind a header component, whose zod schema checks real values. */
function contractHeader(key: string): ResponseHeader {
  const maxAge = /^PublicMaxAge(\d+)$/.exec(key)?.[1];
  if (maxAge !== undefined) return publicCacheHeader(Number(maxAge));
  const header = (responseHeaders as Record<string, ResponseHeader>)[key];
  if (header === undefined) throw new Error(`no contract header ${key}`);
  return header;
}

/** Holds one real answer to what openapi.json says about the operation's status. */
function expectDocumented(operationId: string, method: string, res: TestResponse): void {
  const where = `${operationId} ${method} → ${res.status} ${res.text.slice(0, 80)}`;
  const documented = operations.get(operationId)?.responses?.[res.status] as
    ResponseObject | undefined;
  expect(documented, `${where}: status not in openapi.json`).toBeDefined();
  if (documented === undefined) return;
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (documented.content === undefined) {
    expect(res.text, where).toBe('');
  } else {
    expect(Object.keys(documented.content), where).toContain(mediaType);
  }
  for (const [name, ref] of Object.entries(documented.headers ?? {})) {
    const { key, header } = headerComponent(ref);
    const value = res.headers.get(name);
    if (header.required === true) expect(value, `${where}: header ${name}`).not.toBeNull();
    if (value !== null) {
      const parsed = z.safeParse(contractHeader(key).value, value);
      expect(parsed.success, `${where}: ${name}: ${value}`).toBe(true);
    }
  }
  const statuses = observed.get(operationId) ?? new Set<number>();
  statuses.add(res.status);
  observed.set(operationId, statuses);
}

async function call(
  server: TestServer,
  operationId: string,
  path: string,
  init: TestRequest = {},
): Promise<TestResponse> {
  const res = await request(server.baseUrl, path, init);
  expectDocumented(
    operationId,
    init.method ?? (init.body === undefined && init.rawBody === undefined ? 'GET' : 'POST'),
    res,
  );
  return res;
}

const json = (
  body: unknown,
  origin?: string,
  headers: Record<string, string> = {},
): TestRequest => ({
  method: 'POST',
  body,
  headers,
  ...(origin === undefined ? {} : { origin }),
});

/** The generic ways to get a POST wrong, each answered before the route's own code runs. */
async function badBodies(
  server: TestServer,
  operationId: string,
  path: string,
  headers: Record<string, string> = {},
) {
  const post = (rawBody: string, extra: Record<string, string>) =>
    call(server, operationId, path, {
      method: 'POST',
      rawBody,
      origin: ORIGIN,
      headers: { ...headers, ...extra },
    });
  expect((await post('{', { 'content-type': 'application/json' })).text).toBe('Invalid JSON body');
  expect((await post(OVERSIZED, { 'content-type': 'application/json' })).status).toBe(413);
  expect((await post('{}', { 'content-type': 'text/plain' })).status).toBe(415);
  expect(
    (await post('{}', { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status,
  ).toBe(415);
  expect((await call(server, operationId, path, { method: 'GET', headers })).status).toBe(405);
}

// Rate limits on (defaults): counted answers carry the documented RateLimit fields.
const it = serverTestWith({ server: { env: { KATAVEN_RATE_LIMITS: 'on' } } })
  /** Limits of one request a minute, to provoke a 429 on every rate-limited route. */
  .extend(
    'limited',
    { scope: 'file' },
    startedServer({
      env: {
        KATAVEN_RATE_LIMITS: 'on',
        KATAVEN_RATE_LIMIT_GUEST_PER_IP: '1/min',
        KATAVEN_RATE_LIMIT_EXCHANGE_PER_IP: '1/min',
        KATAVEN_RATE_LIMIT_REFRESH_PER_IP: '1/min',
        KATAVEN_RATE_LIMIT_USER_TOKEN_PER_KEY: '1/min',
      },
    }),
  )
  /** A server whose store a test closes, to provoke the 500 and 503 answers. */
  .extend('broken', { scope: 'file' }, startedServer())
  /** Serves `/metrics` to a token, and is stopping (`/readyz` 503 `Shutting down`). */
  .extend(
    'metered',
    { scope: 'file' },
    startedServer({ env: { KATAVEN_METRICS_TOKEN: METRICS_TOKEN }, metrics: createMetrics(), draining: () => true }),
  );

describe('every route answers only what the contract and openapi.json declare', () => {
  it('config: 200, HEAD, 304, 400, 403, 404, 405', async ({ server }) => {
    const { clientKey } = await server.createWidget({ origins: [ORIGIN] });
    const ok = await call(server, 'getConfig', `${CONFIG}?client_key=${clientKey}`, {
      origin: ORIGIN,
    });
    expect(ok.status).toBe(200);
    expect(
      (await call(server, 'getConfig', `${CONFIG}?client_key=${clientKey}`, { method: 'HEAD' }))
        .status,
    ).toBe(200);
    const etag = ok.headers.get('etag') ?? '';
    expect(
      (
        await call(server, 'getConfig', `${CONFIG}?client_key=${clientKey}`, {
          headers: { 'if-none-match': etag },
        })
      ).status,
    ).toBe(304);
    expect((await call(server, 'getConfig', CONFIG)).status).toBe(400);
    expect(
      (await call(server, 'getConfig', `${CONFIG}?client_key=${clientKey}`, { origin: EVIL }))
        .status,
    ).toBe(403);
    expect((await call(server, 'getConfig', `${CONFIG}?client_key=${UNKNOWN_KEY}`)).status).toBe(
      404,
    );
    expect(
      (await call(server, 'getConfig', CONFIG, { method: 'DELETE', origin: ORIGIN })).status,
    ).toBe(405);
  });

  it('guest: 200, 400, 403 (origin, guests disabled), 404, 405, 413, 415', async ({ server }) => {
    const { clientKey } = await server.createWidget({ origins: [ORIGIN] });
    const noGuests = (await server.createWidget({ origins: [ORIGIN], guestEnabled: false }))
      .clientKey;
    expect((await call(server, 'guest', GUEST, json({ client_key: clientKey }, ORIGIN))).status).toBe(
      200,
    );
    expect((await call(server, 'guest', GUEST, json({}, ORIGIN))).text).toBe('Missing client_key');
    expect((await call(server, 'guest', GUEST, json({ client_key: 'nope' }, ORIGIN))).text).toBe(
      'Invalid client_key',
    );
    expect((await call(server, 'guest', GUEST, json({ client_key: clientKey }, EVIL))).status).toBe(
      403,
    );
    expect((await call(server, 'guest', GUEST, json({ client_key: noGuests }, ORIGIN))).text).toBe(
      'Guest access is disabled for this client_key',
    );
    expect(
      (await call(server, 'guest', GUEST, json({ client_key: UNKNOWN_KEY }, ORIGIN))).status,
    ).toBe(404);
    await badBodies(server, 'guest', GUEST);
  });

  it('user-token: 200, 400 (missing, field reason), 401, 404, 405 (also to a preflight), 413, 415', async ({
    server,
  }) => {
    const { clientKey, secretKey } = await server.createWidget({ origins: [ORIGIN] });
    const auth = { authorization: `Bearer ${secretKey}` };
    expect(
      (
        await call(
          server,
          'userToken',
          USER_TOKEN,
          json({ client_key: clientKey, user_id: 'u_1' }, undefined, auth),
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await call(
          server,
          'userToken',
          USER_TOKEN,
          json({ client_key: clientKey }, undefined, auth),
        )
      ).text,
    ).toBe('Missing client_key or user_id');
    for (const [field, value, reason] of [
      ['user_id', 'u'.repeat(257), 'user_id must be at most 256 characters'],
      ['name', 'n'.repeat(129), 'name must be at most 128 characters'],
      ['email', 'not-an-address', 'email must be a valid email address'],
    ] as const) {
      const res = await call(
        server,
        'userToken',
        USER_TOKEN,
        json({ client_key: clientKey, user_id: 'u_1', [field]: value }, undefined, auth),
      );
      // The reasons the reference lists as examples are real answers.
      expect(res.text).toBe(reason);
    }
    expect(
      (await call(server, 'userToken', USER_TOKEN, json({ client_key: clientKey, user_id: 'u_1' })))
        .status,
    ).toBe(401);
    expect(
      (
        await call(
          server,
          'userToken',
          USER_TOKEN,
          json({ client_key: clientKey, user_id: 'u_1' }, undefined, {
            authorization: 'Bearer sk_live_nope',
          }),
        )
      ).status,
    ).toBe(401);
    expect(
      (
        await call(
          server,
          'userToken',
          USER_TOKEN,
          json({ client_key: UNKNOWN_KEY, user_id: 'u_1' }, undefined, auth),
        )
      ).status,
    ).toBe(404);
    expect(
      (await call(server, 'userToken', USER_TOKEN, { method: 'OPTIONS', origin: ORIGIN })).status,
    ).toBe(405);
    await badBodies(server, 'userToken', USER_TOKEN, auth);
  });

  it('revoke: 200, 400 (missing, field reason), 401, 404, 405 (also to a preflight), 413, 415', async ({ server }) => {
    const { clientKey, secretKey } = await server.createWidget({ origins: [ORIGIN] });
    const auth = { authorization: `Bearer ${secretKey}` };
    const revoke = (body: unknown, headers: Record<string, string> = auth) => call(server, 'revokeUser', REVOKE, json(body, undefined, headers));
    expect((await revoke({ client_key: clientKey, user_id: 'u_1' })).status).toBe(200);
    expect((await revoke({ client_key: clientKey })).text).toBe('Missing client_key or user_id');
    expect((await revoke({ client_key: clientKey, user_id: 'u'.repeat(257) })).text).toBe('user_id must be at most 256 characters');
    expect((await revoke({ client_key: clientKey, user_id: 'u_1' }, {})).status).toBe(401);
    expect((await revoke({ client_key: UNKNOWN_KEY, user_id: 'u_1' })).status).toBe(404);
    expect((await call(server, 'revokeUser', REVOKE, { method: 'OPTIONS', origin: ORIGIN })).status).toBe(405);
    await badBodies(server, 'revokeUser', REVOKE, auth);
  });

  it('exchange: 200, 400, 403, 405, 413, 415', async ({ server }) => {
    const { clientKey } = await server.createWidget({ origins: [ORIGIN, OTHER_ORIGIN] });
    const mint = async () =>
      visitorBody(await request(server.baseUrl, GUEST, json({ client_key: clientKey }, ORIGIN))).token;
    expect(
      (await call(server, 'exchange', EXCHANGE, json({ token: await mint() }, ORIGIN))).status,
    ).toBe(200);
    expect(
      (await call(server, 'exchange', EXCHANGE, json({ token: 'not.a.jwt' }, ORIGIN))).status,
    ).toBe(400);
    expect(
      (await call(server, 'exchange', EXCHANGE, json({ token: await mint() }, OTHER_ORIGIN))).status,
    ).toBe(403);
    await badBodies(server, 'exchange', EXCHANGE);
  });

  it('refresh and logout: 200, 204, 400, 403, 405, 413, 415', async ({ server }) => {
    const { clientKey } = await server.createWidget({ origins: [ORIGIN] });
    const guest = visitorBody(await request(server.baseUrl, GUEST, json({ client_key: clientKey }, ORIGIN)));
    const session = sessionBody(await request(server.baseUrl, EXCHANGE, json({ token: guest.token }, ORIGIN)));
    expect(
      (await call(server, 'refresh', REFRESH, json({ refresh_token: session.refresh_token }, EVIL)))
        .status,
    ).toBe(403);
    const refreshed = await call(
      server,
      'refresh',
      REFRESH,
      json({ refresh_token: session.refresh_token }, ORIGIN),
    );
    expect(refreshed.status).toBe(200);
    expect(
      (await call(server, 'refresh', REFRESH, json({ refresh_token: 'rt_unknown' }, ORIGIN))).status,
    ).toBe(400);
    await badBodies(server, 'refresh', REFRESH);

    const { refresh_token } = sessionBody(refreshed);
    expect((await call(server, 'logout', LOGOUT, json({ refresh_token }, ORIGIN))).status).toBe(204);
    expect(
      (await call(server, 'logout', LOGOUT, json({ refresh_token: 'rt_unknown' }))).status,
    ).toBe(204);
    expect((await call(server, 'logout', LOGOUT, json({}, ORIGIN))).text).toBe(
      'Missing or expired refresh_token',
    );
    await badBodies(server, 'logout', LOGOUT);
  });

  it('the reads (JWKS, probes, description, reference page and script): 200, HEAD, 304, 405', async ({
    server,
  }) => {
    const reads = {
      jwks: '/.well-known/jwks.json',
      healthz: '/healthz',
      readyz: '/readyz',
      openApiDocument: '/openapi.json',
      apiReference: '/docs',
      apiReferenceScript: '/docs/assets/api-reference.js',
    };
    for (const [operationId, path] of Object.entries(reads)) {
      const ok = await call(server, operationId, path);
      expect(ok.status, operationId).toBe(200);
      expect((await call(server, operationId, path, { method: 'HEAD' })).status, operationId).toBe(
        200,
      );
      const etag = ok.headers.get('etag');
      if (etag !== null) {
        expect(
          (await call(server, operationId, path, { headers: { 'if-none-match': etag } })).status,
          operationId,
        ).toBe(304);
      }
      expect(
        (
          await call(server, operationId, path, {
            method: 'POST',
            rawBody: '{}',
            headers: { 'content-type': 'application/json' },
          })
        ).status,
        operationId,
      ).toBe(405);
    }
  });

  it('metrics: 200 to the token, 401 without it, 404 when no token is configured, 405; readyz 503 while stopping', async ({
    server,
    metered,
  }) => {
    const bearer = { authorization: `Bearer ${METRICS_TOKEN}` };
    expect((await call(metered, 'metrics', '/metrics', { headers: bearer })).status).toBe(200);
    expect((await call(metered, 'metrics', '/metrics', { method: 'HEAD', headers: bearer })).status).toBe(200);
    expect((await call(metered, 'metrics', '/metrics')).status).toBe(401);
    expect((await call(server, 'metrics', '/metrics', { headers: bearer })).status).toBe(404);
    expect((await call(metered, 'metrics', '/metrics', json({}))).status).toBe(405);
    expect((await call(metered, 'readyz', '/readyz')).text).toBe('Shutting down');
  });

  it('503 Service overloaded with Retry-After on every route but /healthz while the instance sheds load', async ({
    server,
  }) => {
    const shedder = shedWhenOverloaded(server.app.express, { eventLoopSaturated: () => true, maxInFlight: 0, maxWaitMs: 0, onShed: () => undefined });
    const shedding = createServer(shedder.listener);
    await new Promise<void>((resolve) => shedding.listen(0, '127.0.0.1', resolve));
    const front = { ...server, baseUrl: `http://127.0.0.1:${(shedding.address() as AddressInfo).port}` };
    try {
      for (const { key: operationId, route, cors } of listRoutes(contract)) {
        const init = route.method === 'POST' ? json({}, ORIGIN) : { origin: ORIGIN };
        const res = await call(front, operationId, route.path, init);
        if (operationId === 'healthz') {
          expect(res.status).toBe(200);
          continue;
        }
        expect({ operationId, status: res.status, text: res.text }).toEqual({ operationId, status: 503, text: 'Service overloaded' });
        expect(res.headers.get('retry-after')).toBe('1');
        if (cors) expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      }
    } finally {
      shedder.stop();
      shedding.closeAllConnections();
      await new Promise((resolve) => shedding.close(resolve));
    }
  });

  it('429 with Retry-After and the RateLimit fields on every rate-limited route', async ({
    limited,
  }) => {
    const { clientKey, secretKey } = await limited.createWidget({ origins: [ORIGIN] });
    const auth = { authorization: `Bearer ${secretKey}` };
    const twice = async (operationId: string, path: string, init: TestRequest) => {
      const first = await call(limited, operationId, path, init);
      expect(first.status, operationId).not.toBe(429);
      const second = await call(limited, operationId, path, init);
      expect(second.status, operationId).toBe(429);
      expect(second.text).toBe('Too many requests');
    };
    await twice('guest', GUEST, json({ client_key: clientKey }, ORIGIN));
    await twice(
      'userToken',
      USER_TOKEN,
      json({ client_key: clientKey, user_id: 'u_1' }, undefined, auth),
    );
    await twice('revokeUser', REVOKE, json({ client_key: clientKey, user_id: 'u_1' }, undefined, auth));
    await twice('exchange', EXCHANGE, json({ token: 'not.a.jwt' }, ORIGIN));
    await twice('refresh', REFRESH, json({ refresh_token: 'rt_unknown' }, ORIGIN));
  });

  it('500 "Internal server error" on routes that reach the database once it is gone, 503 from readyz', async ({
    broken,
  }) => {
    const { clientKey, secretKey } = await broken.createWidget({ origins: [ORIGIN] });
    const guest = visitorBody(await request(broken.baseUrl, GUEST, json({ client_key: clientKey }, ORIGIN)));
    await broken.store.close();
    const failures: [string, string, TestRequest][] = [
      ['getConfig', `${CONFIG}?client_key=${clientKey}`, { origin: ORIGIN }],
      ['guest', GUEST, json({ client_key: clientKey }, ORIGIN)],
      [
        'userToken',
        USER_TOKEN,
        json({ client_key: clientKey, user_id: 'u_1' }, undefined, {
          authorization: `Bearer ${secretKey}`,
        }),
      ],
      ['revokeUser', REVOKE, json({ client_key: clientKey, user_id: 'u_1' }, undefined, { authorization: `Bearer ${secretKey}` })],
      ['exchange', EXCHANGE, json({ token: guest.token }, ORIGIN)],
      // Well-formed, so the lookup reaches the store.
      ['refresh', REFRESH, json({ refresh_token: EXAMPLE_REFRESH_TOKEN }, ORIGIN)],
      ['logout', LOGOUT, json({ refresh_token: EXAMPLE_REFRESH_TOKEN }, ORIGIN)],
    ];
    for (const [operationId, path, init] of failures) {
      const res = await call(broken, operationId, path, init);
      expect({ operationId, status: res.status, text: res.text }).toEqual({
        operationId,
        status: 500,
        text: 'Internal server error',
      });
    }
    const notReady = await call(broken, 'readyz', '/readyz');
    expect({ status: notReady.status, text: notReady.text }).toEqual({
      status: 503,
      text: 'Database unavailable',
    });
  });

  it('gave no answer the contract does not declare, and gave every declared answer that can be provoked', ({
    server,
    limited,
    broken,
    metered,
  }) => {
    expect([
      ...server.contractViolations,
      ...limited.contractViolations,
      ...broken.contractViolations,
      ...metered.contractViolations,
    ]).toEqual([]);
    const missing: string[] = [];
    for (const { key: operationId, route } of listRoutes(contract)) {
      for (const status of Object.keys(route.responses).map(Number)) {
        const reason = UNREACHABLE[operationId]?.[status];
        const seen = observed.get(operationId)?.has(status) ?? false;
        if (reason === undefined && !seen) missing.push(`${operationId} ${status}`);
        if (reason !== undefined)
          expect(seen, `${operationId} ${status} was reached: drop it from UNREACHABLE`).toBe(
            false,
          );
      }
    }
    expect(missing).toEqual([]);
  });
});
