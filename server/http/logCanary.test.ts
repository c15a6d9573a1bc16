import { describe, expect, it } from 'vitest';
import { createSecretKey, revokeSecretKey } from '../admin/index.js';
import { generateSecretKey } from '../keys/secretKey.js';
import { captureLogs } from '../test-support/captureLogs.js';
import {
  FOREIGN_ORIGIN,
  ORIGIN,
  PATHS,
  sessionBody,
  visitorBody,
  withServer,
} from '../test-support/flowsHelpers.js';
import { request, type TestRequest, type TestResponse } from '../test-support/http.js';
import { expectTextError } from '../test-support/expectTextError.js';

/** Every 16-character window of a secret: any leaked substring of 16 or more characters contains one. */
function windows(secret: string, size = 16): string[] {
  return Array.from({ length: Math.max(0, secret.length - size + 1) }, (_, i) =>
    secret.slice(i, i + size),
  );
}

describe('logs never carry a secret (canary)', () => {
  it('logs a whole scenario — keys, tokens, failures, replays, reuse, limits — without any secret or 16-character piece of one', async () => {
    const logs = captureLogs();
    const env = {
      KATAVEN_RATE_LIMITS: 'on',
      KATAVEN_RATE_LIMIT_USER_TOKEN_PER_KEY: '4/min',
      KATAVEN_REFRESH_REUSE_GRACE: '10',
    };
    await withServer({ env, logger: logs.logger }, async (server) => {
      const secrets: string[] = [];
      const responses: TestResponse[] = [];
      const keep = (...values: string[]) => secrets.push(...values);
      const call = async (path: string, init: TestRequest) => {
        const res = await request(server.baseUrl, path, init);
        responses.push(res);
        return res;
      };

      const { clientKey, secretKey, accountId } = await server.createWidget({ origins: [ORIGIN] });
      const revoked = await createSecretKey(
        { store: server.store, clock: server.clock },
        { accountId, mode: 'live' },
      );
      await revokeSecretKey({ store: server.store, clock: server.clock }, revoked.key_id);
      const neverIssued = generateSecretKey('live');
      keep(secretKey, revoked.secret_key, neverIssued);
      const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

      // Guest → exchange → refresh → retry within grace → reuse after it (revokes the family).
      const guest = visitorBody(
        await call(PATHS.guest, { origin: ORIGIN, body: { client_key: clientKey } }),
      );
      const first = sessionBody(
        await call(PATHS.exchange, { origin: ORIGIN, body: { token: guest.token } }),
      );
      const second = sessionBody(
        await call(PATHS.refresh, { origin: ORIGIN, body: { refresh_token: first.refresh_token } }),
      );
      const retried = sessionBody(
        await call(PATHS.refresh, { origin: ORIGIN, body: { refresh_token: first.refresh_token } }),
      );
      keep(
        guest.token,
        first.token,
        first.refresh_token,
        second.token,
        second.refresh_token,
        retried.token,
      );
      server.clock.advance(11_000);
      expectTextError(
        await call(PATHS.refresh, { origin: ORIGIN, body: { refresh_token: first.refresh_token } }),
        400,
      );

      // Signed-in user: user-token → exchange → replay of the visitor token → logout.
      const user = visitorBody(
        await call(PATHS.userToken, {
          headers: bearer(secretKey),
          body: { client_key: clientKey, user_id: 'u_canary', email: 'ada@example.com' },
        }),
      );
      const userSession = sessionBody(
        await call(PATHS.exchange, { origin: ORIGIN, body: { token: user.token } }),
      );
      keep(user.token, userSession.token, userSession.refresh_token);
      server.clock.advance(11_000);
      expectTextError(
        await call(PATHS.exchange, { origin: ORIGIN, body: { token: user.token } }),
        400,
      );
      expect(
        (
          await call(PATHS.logout, {
            origin: ORIGIN,
            body: { refresh_token: userSession.refresh_token },
          })
        ).status,
      ).toBe(204);

      // Failed keys: revoked, never issued, malformed, sent in the query string, sent in the body.
      expectTextError(
        await call(PATHS.userToken, {
          headers: bearer(revoked.secret_key),
          body: { client_key: clientKey, user_id: 'u' },
        }),
        401,
      );
      expectTextError(
        await call(PATHS.userToken, {
          headers: bearer(neverIssued),
          body: { client_key: clientKey, user_id: 'u' },
        }),
        401,
      );
      expectTextError(
        await call(PATHS.userToken, {
          headers: bearer(secretKey.slice(0, -1)),
          body: { client_key: clientKey, user_id: 'u' },
        }),
        401,
      );
      expectTextError(
        await call(`${PATHS.userToken}?api_key=${secretKey}`, {
          body: { client_key: clientKey, user_id: 'u' },
        }),
        401,
      );
      expectTextError(
        await call(PATHS.userToken, {
          body: { client_key: clientKey, user_id: 'u', secret_key: secretKey },
        }),
        401,
      );

      // A foreign origin, a malformed body carrying a token, a token in an unknown path and in X-Request-Id.
      const spare = visitorBody(
        await call(PATHS.guest, { origin: ORIGIN, body: { client_key: clientKey } }),
      );
      keep(spare.token);
      expectTextError(
        await call(PATHS.exchange, { origin: FOREIGN_ORIGIN, body: { token: spare.token } }),
        403,
      );
      expectTextError(
        await call(PATHS.exchange, {
          origin: ORIGIN,
          rawBody: `{"token": "${spare.token}"`,
          headers: { 'content-type': 'application/json' },
        }),
        400,
        'Invalid JSON body',
      );
      expectTextError(
        await call(`${PATHS.refresh}/${second.refresh_token}`, { origin: ORIGIN, body: {} }),
        404,
        'Not found',
      );
      const echoed = await call('/healthz', { headers: { 'x-request-id': second.refresh_token } });
      expect(echoed.headers.get('x-request-id')).not.toBe(second.refresh_token);

      // Rate limited: the key's quota (4/min) is spent by the calls above plus these.
      let limited: TestResponse | undefined;
      for (let i = 0; i < 5 && limited === undefined; i += 1) {
        const res = await call(PATHS.userToken, {
          headers: bearer(secretKey),
          body: { client_key: clientKey, user_id: 'u_canary' },
        });
        if (res.status === 429) limited = res;
        else keep(visitorBody(res).token);
      }
      expect(limited?.status).toBe(429);

      // The log has what operators need…
      const records = logs.records();
      const requestLines = records.filter((r) => r.msg === 'request completed');
      expect(requestLines).toHaveLength(responses.length);
      for (const [i, res] of responses.entries()) {
        expect(requestLines[i]).toMatchObject({
          level: 30,
          requestId: res.headers.get('x-request-id'),
          res: { statusCode: res.status },
        });
        expect(requestLines[i]?.latencyMs).toEqual(expect.any(Number));
      }
      expect(requestLines.find((r) => r.route === PATHS.refresh)).toBeDefined();
      const events = records.filter((r) => r.level === 40).map((r) => r.event);
      for (const event of [
        'refresh_reuse',
        'exchange_replay',
        'invalid_api_key',
        'origin_denied',
        'rate_limited',
      ]) {
        expect(events).toContain(event);
      }

      // …and no secret, nor any 16-character piece of one, anywhere in it.
      const text = logs.text();
      expect(secrets.length).toBeGreaterThanOrEqual(15);
      for (const secret of new Set(secrets)) {
        for (const piece of windows(secret)) {
          if (text.includes(piece))
            throw new Error(`log output contains ${JSON.stringify(piece)} of a secret`);
        }
      }
    });
  });

  it('logs an unexpected failure with its request id and error message, and none of the request', async () => {
    const logs = captureLogs();
    await withServer({ logger: logs.logger }, async (server) => {
      const { clientKey, secretKey } = await server.createWidget({ origins: [ORIGIN] });
      const visitor = visitorBody(
        await request(server.baseUrl, PATHS.userToken, {
          headers: { authorization: `Bearer ${secretKey}` },
          body: { client_key: clientKey, user_id: 'u_1' },
        }),
      );
      // The database goes away under the running service.
      await server.store.close();
      const res = await request(server.baseUrl, PATHS.exchange, {
        origin: ORIGIN,
        headers: { authorization: `Bearer ${secretKey}` },
        body: { token: visitor.token },
      });
      expectTextError(res, 500, 'Internal server error');
      const requestId = res.headers.get('x-request-id');
      const failure = logs.records().find((r) => r.event === 'unhandled_error');
      expect(failure).toMatchObject({
        level: 50,
        requestId,
        err: server.databaseUrl.startsWith('postgres')
          ? { type: 'Error', message: 'Cannot use a pool after calling end on the pool' }
          : { type: 'TypeError', message: 'The database connection is not open' },
      });
      const line = logs.records().find((r) => r.msg === 'request failed');
      expect(line).toMatchObject({ level: 50, requestId, res: { statusCode: 500 } });
      expect(line).not.toHaveProperty('err');
      for (const secret of [secretKey, visitor.token]) {
        for (const piece of windows(secret)) expect(logs.text()).not.toContain(piece);
      }
    });
  });

  it('censors token and key fields and bodies if a log call ever passes them', () => {
    const logs = captureLogs();
    const secret = generateSecretKey('live');
    logs.logger.info({
      token: secret,
      refresh_token: secret,
      body: { anything: secret },
      req: { headers: { authorization: `Bearer ${secret}` }, body: secret },
      nested: { secret_key: secret, secretKey: secret, deeper: { token: secret } },
    });
    expect(logs.text()).not.toContain(secret.slice(0, 16));
    expect(logs.records()[0]).toMatchObject({
      token: '[redacted]',
      body: '[redacted]',
      nested: { secret_key: '[redacted]', deeper: { token: '[redacted]' } },
    });
  });
});
