import { describe, expect } from 'vitest';
import { createSecretKey } from '../admin/index.js';
import { captureLogs } from '../test-support/captureLogs.js';
import { expectTextError } from '../test-support/expectTextError.js';
import {
  exchange,
  mintUser,
  MSG_REFRESH,
  MSG_TOKEN,
  ORIGIN,
  refresh,
  sessionBody,
  visitorBody,
  type Target,
} from '../test-support/flowsHelpers.js';
import { corsHeaderNames, request, type TestResponse } from '../test-support/http.js';
import { REVOKE } from '../test-support/paths.js';
import { serverTestWith } from '../test-support/serverTest.js';

const logs = captureLogs();
const it = serverTestWith({
  server: {
    logger: logs.logger,
    env: { KATAVEN_RATE_LIMITS: 'on', KATAVEN_RATE_LIMIT_USER_TOKEN_PER_KEY: '1000/min' },
  },
});

function revoke(server: Target, secretKey: string | null, body: unknown): Promise<TestResponse> {
  return request(server.baseUrl, REVOKE, {
    headers: secretKey === null ? {} : { authorization: `Bearer ${secretKey}` },
    body,
  });
}

describe('POST /api/v1/widget/auth/revoke', () => {
  it("ends every live session of the user on that widget: their refresh tokens answer 400, other users' keep working", async ({
    server,
    widget,
  }) => {
    const userSession = async (userId: string) => {
      const visitor = visitorBody(
        await mintUser(server, widget.clientKey, widget.secretKey, { user_id: userId }),
      );
      return sessionBody(await exchange(server, visitor.token, ORIGIN));
    };
    const ada = [await userSession('u_ada_1'), await userSession('u_ada_1')];
    const bob = await userSession('u_bob_1');

    const res = await revoke(server, widget.secretKey, {
      client_key: widget.clientKey,
      user_id: 'u_ada_1',
    });
    expect([res.status, res.json]).toEqual([200, { revoked_sessions: 2 }]);
    expect(res.headers.get('cache-control')).toBe('no-store');
    for (const session of ada)
      expectTextError(await refresh(server, session.refresh_token, ORIGIN), 400, MSG_REFRESH);
    sessionBody(await refresh(server, bob.refresh_token, ORIGIN));
  });

  it('refuses to exchange a visitor token minted for the user before the revocation, and accepts one minted after it', async ({
    server,
    widget,
  }) => {
    const before = visitorBody(
      await mintUser(server, widget.clientKey, widget.secretKey, { user_id: 'u_ada_2' }),
    );
    server.clock.advance(1);
    expect(
      (await revoke(server, widget.secretKey, { client_key: widget.clientKey, user_id: 'u_ada_2' }))
        .status,
    ).toBe(200);
    expectTextError(await exchange(server, before.token, ORIGIN), 400, MSG_TOKEN);
    server.clock.advance(1);
    const after = visitorBody(
      await mintUser(server, widget.clientKey, widget.secretKey, { user_id: 'u_ada_2' }),
    );
    sessionBody(await exchange(server, after.token, ORIGIN));
  });

  it('is idempotent: a repeat, or a user the widget never saw, answers 200 with 0', async ({
    server,
    widget,
  }) => {
    const body = { client_key: widget.clientKey, user_id: 'u_nobody' };
    for (let i = 0; i < 2; i++)
      expect((await revoke(server, widget.secretKey, body)).json).toEqual({ revoked_sessions: 0 });
  });

  it('logs one security event per call, naming the widget, the key and the count, never the key itself', async ({
    server,
    widget,
  }) => {
    const before = logs.records().length;
    await revoke(server, widget.secretKey, { client_key: widget.clientKey, user_id: 'u_logged' });
    const events = logs
      .records()
      .slice(before)
      .filter((r) => r.event === 'user_sessions_revoked');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      clientKey: widget.clientKey,
      userId: 'u_logged',
      revokedSessions: 0,
    });
    expect(logs.text()).not.toContain(widget.secretKey);
  });

  it("answers user-token's errors: 401 without a key, 400 without user_id, 404 for another account's widget", async ({
    server,
    widget,
  }) => {
    const noKey = await revoke(server, null, { client_key: widget.clientKey, user_id: 'u' });
    expectTextError(noKey, 401, 'Missing or invalid API key');
    expect(noKey.headers.get('www-authenticate')).toBe('Bearer realm="kataven"');
    expectTextError(
      await revoke(server, widget.secretKey, { client_key: widget.clientKey }),
      400,
      'Missing client_key or user_id',
    );
    expectTextError(
      await revoke(server, widget.secretKey, {
        client_key: widget.clientKey,
        user_id: 'x'.repeat(257),
      }),
      400,
      'user_id must be at most 256 characters',
    );
    const other = await server.createWidget();
    expectTextError(
      await revoke(server, widget.secretKey, { client_key: other.clientKey, user_id: 'u' }),
      404,
      'Unknown client_key',
    );
    const testKey = await createSecretKey(
      { store: server.store, clock: server.clock },
      { accountId: widget.accountId, mode: 'test' },
    );
    expectTextError(
      await revoke(server, testKey.secret_key, { client_key: widget.clientKey, user_id: 'u' }),
      404,
      'Unknown client_key',
    );
  });

  it('is rate-limited per secret key like user-token, and sends no CORS headers even to a browser', async ({
    server,
    widget,
  }) => {
    const res = await request(server.baseUrl, REVOKE, {
      headers: { authorization: `Bearer ${widget.secretKey}` },
      origin: ORIGIN,
      body: { client_key: widget.clientKey, user_id: 'u' },
    });
    expect(res.headers.get('ratelimit-policy')).toBe('"revoke-key";q=1000;w=60');
    expect(corsHeaderNames(res.headers)).toEqual([]);
    const preflight = await request(server.baseUrl, REVOKE, { method: 'OPTIONS', origin: ORIGIN });
    expect(corsHeaderNames(preflight.headers)).toEqual([]);
  });
});
