import { inspect } from 'node:util';
import { afterEach, describe, expect } from 'vitest';
import { serverTest } from '../../server/test-support/serverTest.js';
import {
  startScriptedServer,
  type Reply,
  type ScriptedServer,
} from '../test-support/scriptedServer.js';
import { createServerClient, KatavenError, type ServerClientOptions } from './index.js';
import { ORIGIN } from '../../server/test-support/origins.js';

const WELL_FORMED_UNKNOWN_KEY = `sk_test_kt_${'A'.repeat(40)}000000`;

const scripted: ScriptedServer[] = [];

afterEach(async () => {
  await Promise.all(scripted.splice(0).map((s) => s.close()));
});

async function scriptedServer(replies: Reply[]): Promise<ScriptedServer> {
  const s = await startScriptedServer(replies);
  scripted.push(s);
  return s;
}

const it = serverTest
  /** A client of the live test server, with the widget's secret key unless overridden. */
  .extend(
    'client',
    ({ server, widget }) =>
      (overrides: Partial<ServerClientOptions> = {}) =>
        createServerClient({ baseUrl: server.baseUrl, secretKey: widget.secretKey, ...overrides }),
  )
  /** A scripted reply that passes the request on to the live test server. */
  .extend('forwardToLive', ({ server }) => (): Reply => ({ forwardTo: server.baseUrl }));

async function failure(promise: Promise<unknown>): Promise<KatavenError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KatavenError);
  return error as KatavenError;
}

/** Everything an error could leak through: its message, JSON form and a deep inspection (cause included). */
function everythingIn(error: KatavenError): string {
  return [
    error.message,
    JSON.stringify(error),
    inspect(error, { depth: 10, showHidden: true }),
  ].join('\n');
}

describe('createServerClient().revokeUserSessions', () => {
  it("ends the user's sessions on the live server and says how many, 0 on a repeat", async ({ client, server, widget: { clientKey } }) => {
    const visitor = await client().createUserToken({ client_key: clientKey, user_id: 'u_revoked' });
    const exchanged = await fetch(`${server.baseUrl}/api/v1/widget/auth/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: JSON.stringify({ token: visitor.token }),
    });
    expect(exchanged.status).toBe(200);
    expect(await client().revokeUserSessions({ client_key: clientKey, user_id: 'u_revoked' })).toEqual({ revoked_sessions: 1 });
    expect(await client().revokeUserSessions({ client_key: clientKey, user_id: 'u_revoked' })).toEqual({ revoked_sessions: 0 });
  });

  it('throws the KatavenError of the answer, as createUserToken does', async ({ client, widget: { clientKey } }) => {
    const error = await failure(client({ secretKey: WELL_FORMED_UNKNOWN_KEY }).revokeUserSessions({ client_key: clientKey, user_id: 'u' }));
    expect([error.status, error.code]).toEqual([401, 'invalid_api_key']);
  });
});

describe('createServerClient().createUserToken', () => {
  it('mints a user visitor token on the live server, typed as the contract says', async ({
    client,
    widget: { clientKey },
  }) => {
    const visitor = await client().createUserToken({
      client_key: clientKey,
      user_id: 'u_123',
      name: 'Ada',
      email: 'ada@example.com',
      metadata: { plan: 'pro', seats: 3, trial: false },
    });
    expect(visitor).toMatchObject({ token_type: 'Bearer', user_id: 'u_123' });
    expect(visitor.visitor_id).toMatch(/^vis_/);
    expect(visitor.token.split('.')).toHaveLength(3);
    expect(visitor.expires_in).toBeGreaterThan(0);
  });

  it('works with a baseUrl that ends in a slash', async ({
    server,
    client,
    widget: { clientKey },
  }) => {
    const visitor = await client({ baseUrl: `${server.baseUrl}/` }).createUserToken({
      client_key: clientKey,
      user_id: 'u_1',
    });
    expect(visitor.user_id).toBe('u_1');
  });

  it('sends its requests through the fetch it is given', async ({
    server,
    client,
    widget: { clientKey },
  }) => {
    const urls: string[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      urls.push(input instanceof Request ? input.url : String(input));
      return fetch(input, init);
    };
    await client({ fetch: countingFetch }).createUserToken({
      client_key: clientKey,
      user_id: 'u_2',
    });
    expect(urls).toEqual([`${server.baseUrl}/api/v1/widget/auth/user-token`]);
  });

  describe('maps each answer of the live server to its KatavenError code', () => {
    it('invalid_api_key (401) for an unknown secret key', async ({
      client,
      widget: { clientKey },
    }) => {
      const error = await failure(
        client({ secretKey: WELL_FORMED_UNKNOWN_KEY }).createUserToken({
          client_key: clientKey,
          user_id: 'u',
        }),
      );
      expect({ status: error.status, code: error.code, message: error.message }).toEqual({
        status: 401,
        code: 'invalid_api_key',
        message: 'Missing or invalid API key',
      });
    });

    it('invalid_api_key (401) for a client key sent as the secret key', async ({
      client,
      widget: { clientKey },
    }) => {
      const error = await failure(
        client({ secretKey: clientKey }).createUserToken({ client_key: clientKey, user_id: 'u' }),
      );
      expect(error.code).toBe('invalid_api_key');
    });

    it('missing_user_fields (400) for an empty user_id', async ({
      client,
      widget: { clientKey },
    }) => {
      const error = await failure(client().createUserToken({ client_key: clientKey, user_id: '' }));
      expect({ status: error.status, code: error.code, message: error.message }).toEqual({
        status: 400,
        code: 'missing_user_fields',
        message: 'Missing client_key or user_id',
      });
    });

    it('invalid_client_key (400) for a malformed client key', async ({ client }) => {
      const error = await failure(
        client().createUserToken({ client_key: 'pk_nope', user_id: 'u' }),
      );
      expect({ status: error.status, code: error.code, message: error.message }).toEqual({
        status: 400,
        code: 'invalid_client_key',
        message: 'Invalid client_key',
      });
    });

    it('invalid_request (400) with the field reason for another invalid field', async ({
      client,
      widget: { clientKey },
    }) => {
      const error = await failure(
        client().createUserToken({ client_key: clientKey, user_id: 'u', name: 'x'.repeat(129) }),
      );
      expect({ status: error.status, code: error.code, message: error.message }).toEqual({
        status: 400,
        code: 'invalid_request',
        message: 'name must be at most 128 characters',
      });
    });

    it('unknown_client_key (404) for a widget of another account', async ({ server, client }) => {
      const other = await server.createWidget({ origins: [ORIGIN] });
      const error = await failure(
        client().createUserToken({ client_key: other.clientKey, user_id: 'u' }),
      );
      expect({ status: error.status, code: error.code, message: error.message }).toEqual({
        status: 404,
        code: 'unknown_client_key',
        message: 'Unknown client_key',
      });
    });
  });

  describe('retries', () => {
    it.for([
      { status: 429, body: 'Too many requests' },
      // An instance shedding load is retried exactly like a rate limit.
      { status: 503, body: 'Service overloaded' },
    ])('waits as long as Retry-After says after a $status $body, then succeeds', async ({ status, body }, {
      client,
      forwardToLive,
      widget: { clientKey, secretKey },
    }) => {
      const upstream = await scriptedServer([
        { status, headers: { 'retry-after': '1' }, body },
        forwardToLive(),
      ]);
      const visitor = await client({ baseUrl: upstream.baseUrl }).createUserToken({
        client_key: clientKey,
        user_id: 'u_retry',
      });
      expect(visitor.user_id).toBe('u_retry');
      const [first, second] = upstream.requests;
      expect(upstream.requests).toHaveLength(2);
      // Retry-After is a lower bound the client must respect, measured by the server that sent it.
      expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(1000 - 5);
      expect(second?.headers.authorization).toBe(`Bearer ${secretKey}`);
    });

    it('retries 5xx answers and a dropped connection, up to maxRetries', async ({
      client,
      forwardToLive,
      widget: { clientKey },
    }) => {
      const upstream = await scriptedServer([
        { status: 503, body: 'Database unavailable' },
        'drop',
        forwardToLive(),
      ]);
      const visitor = await client({ baseUrl: upstream.baseUrl, maxRetries: 2 }).createUserToken({
        client_key: clientKey,
        user_id: 'u_5xx',
      });
      expect(visitor.user_id).toBe('u_5xx');
      expect(upstream.requests).toHaveLength(3);
    });

    it('gives up after maxRetries with the last error: server_error for a 500', async ({
      client,
      widget: { clientKey },
    }) => {
      const upstream = await scriptedServer([{ status: 500, body: 'Internal server error' }]);
      const error = await failure(
        client({ baseUrl: upstream.baseUrl, maxRetries: 1 }).createUserToken({
          client_key: clientKey,
          user_id: 'u',
        }),
      );
      expect({ status: error.status, code: error.code, message: error.message }).toEqual({
        status: 500,
        code: 'server_error',
        message: 'Internal server error',
      });
      expect(upstream.requests).toHaveLength(2);
    });

    it('reports rate_limited with retryAfter instead of waiting longer than its cap', async ({
      client,
      widget: { clientKey },
    }) => {
      const upstream = await scriptedServer([
        { status: 429, headers: { 'retry-after': '120' }, body: 'Too many requests' },
      ]);
      const error = await failure(
        client({ baseUrl: upstream.baseUrl }).createUserToken({
          client_key: clientKey,
          user_id: 'u',
        }),
      );
      expect({ status: error.status, code: error.code, retryAfter: error.retryAfter }).toEqual({
        status: 429,
        code: 'rate_limited',
        retryAfter: 120,
      });
      expect(upstream.requests).toHaveLength(1);
    });

    it('never retries other 4xx answers', async ({
      client,
      forwardToLive,
      widget: { clientKey },
    }) => {
      const upstream = await scriptedServer([forwardToLive()]);
      const error = await failure(
        client({
          baseUrl: upstream.baseUrl,
          secretKey: WELL_FORMED_UNKNOWN_KEY,
          maxRetries: 3,
        }).createUserToken({ client_key: clientKey, user_id: 'u' }),
      );
      expect(error.code).toBe('invalid_api_key');
      expect(upstream.requests).toHaveLength(1);
    });

    it('reports network_error (status 0) when nothing answers', async ({
      client,
      widget: { clientKey },
    }) => {
      const upstream = await scriptedServer(['drop']);
      const error = await failure(
        client({ baseUrl: upstream.baseUrl, maxRetries: 1 }).createUserToken({
          client_key: clientKey,
          user_id: 'u',
        }),
      );
      expect({ status: error.status, code: error.code }).toEqual({
        status: 0,
        code: 'network_error',
      });
      expect(upstream.requests).toHaveLength(2);
    });
  });

  describe('timeouts', () => {
    it('aborts an attempt after timeoutMs and reports network_error', async ({
      client,
      widget: { clientKey },
    }) => {
      const upstream = await scriptedServer(['hang']);
      const error = await failure(
        client({ baseUrl: upstream.baseUrl, timeoutMs: 200, maxRetries: 0 }).createUserToken({
          client_key: clientKey,
          user_id: 'u',
        }),
      );
      expect({ status: error.status, code: error.code, message: error.message }).toEqual({
        status: 0,
        code: 'network_error',
        message: 'Request timed out after 200 ms',
      });
      expect(upstream.requests).toHaveLength(1);
    });

    it('gives each retry its own timeout and succeeds when an attempt is answered', async ({
      client,
      forwardToLive,
      widget: { clientKey },
    }) => {
      const upstream = await scriptedServer(['hang', forwardToLive()]);
      const visitor = await client({
        baseUrl: upstream.baseUrl,
        timeoutMs: 300,
        maxRetries: 1,
      }).createUserToken({
        client_key: clientKey,
        user_id: 'u_slow',
      });
      expect(visitor.user_id).toBe('u_slow');
      expect(upstream.requests).toHaveLength(2);
    });
  });

  describe('the secret key', () => {
    it('never appears in an error, whatever went wrong', async ({
      client,
      widget: { clientKey, secretKey },
    }) => {
      const hanging = await scriptedServer(['hang']);
      const dropping = await scriptedServer(['drop']);
      const failing = await scriptedServer([{ status: 500, body: 'Internal server error' }]);
      const errors = await Promise.all([
        failure(
          client({ secretKey: WELL_FORMED_UNKNOWN_KEY }).createUserToken({
            client_key: clientKey,
            user_id: 'u',
          }),
        ),
        failure(client().createUserToken({ client_key: clientKey, user_id: '' })),
        failure(
          client({ baseUrl: hanging.baseUrl, timeoutMs: 100, maxRetries: 0 }).createUserToken({
            client_key: clientKey,
            user_id: 'u',
          }),
        ),
        failure(
          client({ baseUrl: dropping.baseUrl, maxRetries: 0 }).createUserToken({
            client_key: clientKey,
            user_id: 'u',
          }),
        ),
        failure(
          client({ baseUrl: failing.baseUrl, maxRetries: 0 }).createUserToken({
            client_key: clientKey,
            user_id: 'u',
          }),
        ),
      ]);
      for (const error of errors) {
        const text = everythingIn(error);
        expect(text).not.toContain(secretKey);
        expect(text).not.toContain(WELL_FORMED_UNKNOWN_KEY);
      }
    });

    it('is not reachable from the client object', ({ client, widget: { secretKey } }) => {
      const kataven = client();
      expect(inspect(kataven, { depth: 10, showHidden: true })).not.toContain(secretKey);
      expect(JSON.stringify(kataven)).not.toContain(secretKey);
    });

    it('is required: an empty one is refused before any request', ({ server }) => {
      expect(() => createServerClient({ baseUrl: server.baseUrl, secretKey: '' })).toThrow(
        TypeError,
      );
    });
  });
});
