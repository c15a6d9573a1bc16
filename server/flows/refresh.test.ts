import { describe, expect } from 'vitest';
import { editWidgetOrigins, setWidgetDisabled } from '../admin/index.js';
import {
  FOREIGN_ORIGIN,
  MSG_ORIGIN,
  MSG_REFRESH,
  MSG_TOKEN,
  ORIGIN,
  OTHER_ORIGIN,
  SESSION_AUDIENCE,
  SESSION_TYP,
  exchange,
  guestSession,
  guestToken,
  mintUser,
  refresh,
  refreshTokenHash,
  sessionBody,
  verifyIndependently,
  visitorBody,
  withServer,
  type SessionTokenBody,
} from '../test-support/flowsHelpers.js';
import { gateMethod } from '../test-support/gate.js';
import { asHashOnlyRefreshToken } from '../test-support/hashOnlyRefreshToken.js';
import { startSecondInstance } from '../test-support/secondInstance.js';
import { freshServerTest as it } from '../test-support/serverTest.js';
import type { TestServer, TestWidget } from '../test-support/startTestServer.js';
import { decodeJwtParts } from '../test-support/decodeJwtParts.js';
import { expectTextError } from '../test-support/expectTextError.js';

const IDENTITY_CLAIMS = ['iss', 'aud', 'sub', 'client_id', 'sid', 'origin', 'kind', 'user_id', 'name', 'email', 'metadata'] as const;

function identityOf(token: string): Record<string, unknown> {
  const claims = decodeJwtParts(token).payload;
  return Object.fromEntries(IDENTITY_CLAIMS.map((name) => [name, claims[name]]));
}

async function userSession(server: TestServer, { clientKey, secretKey }: TestWidget): Promise<SessionTokenBody> {
  const visitor = visitorBody(
    await mintUser(server, clientKey, secretKey, { user_id: 'u_42', name: 'Grace', email: 'grace@example.com', metadata: { tier: 'gold' } }),
  );
  return sessionBody(await exchange(server, visitor.token, ORIGIN));
}

const unspentInFamily = (s: TestServer, sessionId: unknown) =>
  s.db.count('refresh_tokens', 'session_id = ? AND spent_at IS NULL', [String(sessionId)]);

const spentAtOf = (s: TestServer, refreshToken: string) =>
  s.db.scalar('SELECT spent_at FROM refresh_tokens WHERE hash = ?', [refreshTokenHash(refreshToken)]);

describe('refresh: rotation', () => {
  it('returns a new session JWT with the same identity claims and a new jti, and a different refresh token', async ({ server, widget }) => {
    const first = await userSession(server, widget);
    server.clock.advance(1_000);
    const next = sessionBody(await refresh(server, first.refresh_token, ORIGIN));

    expect(next.refresh_token).toMatch(/^rt_[0-9A-Za-z]+$/);
    expect(next.refresh_token).not.toBe(first.refresh_token);
    expect(next.token).not.toBe(first.token);
    expect(next.visitor).toEqual(first.visitor);
    expect(next.expires_in).toBe(900);

    const before = await verifyIndependently(server, first.token, { typ: SESSION_TYP, audience: SESSION_AUDIENCE });
    const after = await verifyIndependently(server, next.token, { typ: SESSION_TYP, audience: SESSION_AUDIENCE });
    expect(identityOf(next.token)).toEqual(identityOf(first.token));
    expect(after.payload).toMatchObject({ user_id: 'u_42', name: 'Grace', email: 'grace@example.com', metadata: { tier: 'gold' } });
    expect(after.payload.jti).not.toBe(before.payload.jti);
    expect(after.payload.iat).toBe(Math.floor(server.clock.now() / 1000));
  });

  it('spends the presented refresh token and leaves exactly one live token in the family', async ({ server, widget: { clientKey } }) => {
    const first = await guestSession(server, clientKey);
    const sid = decodeJwtParts(first.token).payload.sid;
    expect(await spentAtOf(server, first.refresh_token)).toBeNull();
    const next = sessionBody(await refresh(server, first.refresh_token, ORIGIN));
    expect(await spentAtOf(server, first.refresh_token)).toBe(server.clock.now());
    expect(await spentAtOf(server, next.refresh_token)).toBeNull();
    expect(await unspentInFamily(server, sid)).toBe(1);
  });

  it('works along a chain of five refreshes, each with a new refresh token', async ({ server, widget: { clientKey } }) => {
    const first = await guestSession(server, clientKey);
    const sid = decodeJwtParts(first.token).payload.sid;
    const seen = new Set([first.refresh_token]);
    let current = first;
    for (let i = 0; i < 5; i++) {
      server.clock.advance(60_000);
      current = sessionBody(await refresh(server, current.refresh_token, ORIGIN));
      expect(seen.has(current.refresh_token)).toBe(false);
      seen.add(current.refresh_token);
      expect(decodeJwtParts(current.token).payload.sid).toBe(sid);
      await verifyIndependently(server, current.token, { typ: SESSION_TYP, audience: SESSION_AUDIENCE });
    }
    expect(await unspentInFamily(server, sid)).toBe(1);
  });
});

describe('refresh: reuse and the grace window', () => {
  it('within the grace window a spent token returns the same successor and a fresh session JWT', async ({ server, widget: { clientKey } }) => {
    const first = await guestSession(server, clientKey);
    const next = sessionBody(await refresh(server, first.refresh_token, ORIGIN));
    server.clock.advance(3_000);
    const retry = sessionBody(await refresh(server, first.refresh_token, ORIGIN));

    expect(retry.refresh_token).toBe(next.refresh_token);
    expect(retry.refresh_expires_at).toBe(next.refresh_expires_at);
    expect(decodeJwtParts(retry.token).payload.jti).not.toBe(decodeJwtParts(next.token).payload.jti);
    expect(decodeJwtParts(retry.token).payload.sid).toBe(decodeJwtParts(next.token).payload.sid);
    const { payload } = await verifyIndependently(server, retry.token, { typ: SESSION_TYP, audience: SESSION_AUDIENCE });
    expect(payload.iat).toBe(Math.floor(server.clock.now() / 1000));
    // The successor is still the live token.
    sessionBody(await refresh(server, retry.refresh_token, ORIGIN));
  });

  it('within the grace window a spent token whose successor was already used is refused', async ({ server, widget: { clientKey } }) => {
    const first = await guestSession(server, clientKey);
    const second = sessionBody(await refresh(server, first.refresh_token, ORIGIN));
    sessionBody(await refresh(server, second.refresh_token, ORIGIN));
    server.clock.advance(2_000);
    expectTextError(await refresh(server, first.refresh_token, ORIGIN), 400, MSG_REFRESH);
  });

  it('RACE: 50 concurrent refreshes of one token all succeed with the same successor and the family never forks', async ({ server, widget: { clientKey } }) => {
    const first = await guestSession(server, clientKey);
    const sid = decodeJwtParts(first.token).payload.sid;
    const results = await Promise.all(Array.from({ length: 50 }, () => refresh(server, first.refresh_token, ORIGIN)));

    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBe(50);
    const bodies = results.map(sessionBody);
    const successors = new Set(bodies.map((b) => b.refresh_token));
    expect(successors.size).toBe(1);
    const [successor] = successors;
    if (successor === undefined) throw new Error('no successor');
    expect(successor).not.toBe(first.refresh_token);
    // Every answer carries its own session JWT of the same session.
    expect(new Set(bodies.map((b) => decodeJwtParts(b.token).payload.jti)).size).toBe(50);
    expect(new Set(bodies.map((b) => decodeJwtParts(b.token).payload.sid))).toEqual(new Set([sid]));

    expect(await unspentInFamily(server, sid)).toBe(1);
    expect(await server.db.count('refresh_tokens', 'session_id = ?', [String(sid)])).toBe(2);

    const after = sessionBody(await refresh(server, successor, ORIGIN));
    expect(await unspentInFamily(server, sid)).toBe(1);
    sessionBody(await refresh(server, after.refresh_token, ORIGIN));
  });

  it('RACE: 50 concurrent refreshes that all read the token before any of them rotates all return the same successor', async ({ server, widget: { clientKey } }) => {
    const first = await guestSession(server, clientKey);
    const sid = decodeJwtParts(first.token).payload.sid;
    // Worst case: every request has found the token unspent before the first rotation writes.
    const gate = gateMethod(server.store, 'rotateRefreshToken', 50);
    let results;
    try {
      results = await Promise.all(Array.from({ length: 50 }, () => refresh(server, first.refresh_token, ORIGIN)));
    } finally {
      gate.restore();
    }
    expect(gate.timedOut).toBe(false);
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 50 }, () => 200));
    const successors = new Set(results.map((r) => sessionBody(r).refresh_token));
    expect(successors.size).toBe(1);
    expect(await unspentInFamily(server, sid)).toBe(1);
    expect(await server.db.count('refresh_tokens', 'session_id = ?', [String(sid)])).toBe(2);
    const [successor] = successors;
    sessionBody(await refresh(server, successor, ORIGIN));
    expect(await unspentInFamily(server, sid)).toBe(1);
  });

  it('RACE: 50 concurrent refreshes split across two server instances on one database all return the same successor', async ({ server, widget: { clientKey } }) => {
    const first = await guestSession(server, clientKey);
    const sid = decodeJwtParts(first.token).payload.sid;
    const other = await startSecondInstance(server);
    try {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => refresh(i % 2 === 0 ? server : other, first.refresh_token, ORIGIN)),
      );
      expect(results.map((r) => r.status)).toEqual(Array.from({ length: 50 }, () => 200));
      const successors = new Set(results.map((r) => sessionBody(r).refresh_token));
      expect(successors.size).toBe(1);
      expect(await unspentInFamily(server, sid)).toBe(1);
      expect(await server.db.count('refresh_tokens', 'session_id = ?', [String(sid)])).toBe(2);
      const [successor] = successors;
      sessionBody(await refresh(other, successor, ORIGIN));
      expect(await unspentInFamily(server, sid)).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('after the grace window a spent token is refused and the live successor is revoked too', async ({ server, widget: { clientKey } }) => {
    const first = await guestSession(server, clientKey);
    const next = sessionBody(await refresh(server, first.refresh_token, ORIGIN));
    server.clock.advance(11_000);
    expectTextError(await refresh(server, first.refresh_token, ORIGIN), 400, MSG_REFRESH);
    expectTextError(await refresh(server, next.refresh_token, ORIGIN), 400, MSG_REFRESH);
  });

  it('after the grace window reuse of an older token of the chain revokes the whole family', async ({ server, widget: { clientKey } }) => {
    const first = await guestSession(server, clientKey);
    const second = sessionBody(await refresh(server, first.refresh_token, ORIGIN));
    const third = sessionBody(await refresh(server, second.refresh_token, ORIGIN));
    server.clock.advance(11_000);
    expectTextError(await refresh(server, first.refresh_token, ORIGIN), 400, MSG_REFRESH);
    expectTextError(await refresh(server, third.refresh_token, ORIGIN), 400, MSG_REFRESH);
  });

  it('honours KATAVEN_REFRESH_REUSE_GRACE', async () => {
    await withServer({ env: { KATAVEN_REFRESH_REUSE_GRACE: '2' } }, async (s) => {
      const widget = await s.createWidget();
      const first = await guestSession(s, widget.clientKey);
      const next = sessionBody(await refresh(s, first.refresh_token, ORIGIN));
      s.clock.advance(3_000);
      expectTextError(await refresh(s, first.refresh_token, ORIGIN), 400, MSG_REFRESH);
      expectTextError(await refresh(s, next.refresh_token, ORIGIN), 400, MSG_REFRESH);
    });
  });
});

describe('refresh: origin rules', () => {
  it('refuses a request without Origin with 403 and does not spend the token', async ({ server, widget: { clientKey } }) => {
    const first = await guestSession(server, clientKey);
    expectTextError(await refresh(server, first.refresh_token, undefined), 403, MSG_ORIGIN);
    expect(await spentAtOf(server, first.refresh_token)).toBeNull();
    sessionBody(await refresh(server, first.refresh_token, ORIGIN));
  });

  it('refuses a foreign origin with 403', async ({ server, widget: { clientKey } }) => {
    const first = await guestSession(server, clientKey);
    expectTextError(await refresh(server, first.refresh_token, FOREIGN_ORIGIN), 403, MSG_ORIGIN);
  });

  it('refuses another allowed origin than the session is bound to, without spending the token', async ({ server }) => {
    const widget = await server.createWidget({ origins: [ORIGIN, OTHER_ORIGIN] });
    const first = await guestSession(server, widget.clientKey, ORIGIN);
    expectTextError(await refresh(server, first.refresh_token, OTHER_ORIGIN), 403, MSG_ORIGIN);
    expect(await spentAtOf(server, first.refresh_token)).toBeNull();
    // The 403 spent nothing, and started no grace window: the token still refreshes later.
    server.clock.advance(30_000);
    sessionBody(await refresh(server, first.refresh_token, ORIGIN));
  });

  it('refuses the bound origin once it was removed from the allowlist', async ({ server }) => {
    const widget = await server.createWidget({ origins: [ORIGIN, OTHER_ORIGIN] });
    const first = await guestSession(server, widget.clientKey, ORIGIN);
    await editWidgetOrigins({ store: server.store, clock: server.clock }, widget.clientKey, { add: [], remove: [ORIGIN] });
    expectTextError(await refresh(server, first.refresh_token, ORIGIN), 403, MSG_ORIGIN);
    expectTextError(await refresh(server, first.refresh_token, OTHER_ORIGIN), 403, MSG_ORIGIN);
  });
});

describe('refresh: expiry', () => {
  it('refuses a refresh token idle past KATAVEN_REFRESH_TOKEN_TTL', async () => {
    await withServer({ env: { KATAVEN_REFRESH_TOKEN_TTL: '60' } }, async (s) => {
      const widget = await s.createWidget();
      const first = await guestSession(s, widget.clientKey);
      expect(Date.parse(first.refresh_expires_at)).toBe(s.clock.now() + 60_000);
      s.clock.advance(61_000);
      expectTextError(await refresh(s, first.refresh_token, ORIGIN), 400, MSG_REFRESH);
    });
  });

  it('slides the idle expiry with each rotation', async () => {
    await withServer({ env: { KATAVEN_REFRESH_TOKEN_TTL: '60' } }, async (s) => {
      const widget = await s.createWidget();
      let current = await guestSession(s, widget.clientKey);
      for (let i = 0; i < 3; i++) {
        s.clock.advance(59_000);
        current = sessionBody(await refresh(s, current.refresh_token, ORIGIN));
        expect(Date.parse(current.refresh_expires_at)).toBe(s.clock.now() + 60_000);
      }
    });
  });

  it('ends the session at its absolute deadline, which rotation never extends', async () => {
    await withServer({ env: { KATAVEN_SESSION_MAX_AGE: '100', KATAVEN_REFRESH_TOKEN_TTL: '60' } }, async (s) => {
      const widget = await s.createWidget();
      const deadlineMs = s.clock.now() + 100_000;
      const neverPastDeadline = async (body: SessionTokenBody) => {
        const { payload } = await verifyIndependently(s, body.token, { typ: SESSION_TYP, audience: SESSION_AUDIENCE });
        expect(Number(payload.exp) * 1000).toBeLessThanOrEqual(deadlineMs);
        expect(Date.parse(body.expires_at)).toBeLessThanOrEqual(deadlineMs);
        expect(Date.parse(body.refresh_expires_at)).toBeLessThanOrEqual(deadlineMs);
      };

      let current = await guestSession(s, widget.clientKey);
      await neverPastDeadline(current);
      s.clock.advance(50_000);
      current = sessionBody(await refresh(s, current.refresh_token, ORIGIN));
      await neverPastDeadline(current);
      // The refresh token's idle expiry (now + 60 s) is capped at the deadline.
      expect(Date.parse(current.refresh_expires_at)).toBe(deadlineMs);
      s.clock.advance(50_000);
      expectTextError(await refresh(s, current.refresh_token, ORIGIN), 400, MSG_REFRESH);
    });
  });

  it('refreshes right up to the deadline with tokens capped at it, then refuses', async () => {
    await withServer({ env: { KATAVEN_SESSION_MAX_AGE: '100', KATAVEN_REFRESH_TOKEN_TTL: '60' } }, async (s) => {
      const widget = await s.createWidget();
      const deadlineMs = s.clock.now() + 100_000;
      let current = await guestSession(s, widget.clientKey);
      s.clock.advance(50_000);
      current = sessionBody(await refresh(s, current.refresh_token, ORIGIN));
      s.clock.advance(49_000);
      current = sessionBody(await refresh(s, current.refresh_token, ORIGIN));
      const { payload } = await verifyIndependently(s, current.token, { typ: SESSION_TYP, audience: SESSION_AUDIENCE });
      expect(Number(payload.exp)).toBe(Math.floor(deadlineMs / 1000));
      expect(current.expires_in).toBeLessThanOrEqual(1);
      expect(Date.parse(current.refresh_expires_at)).toBe(deadlineMs);
      s.clock.advance(1_000);
      expectTextError(await refresh(s, current.refresh_token, ORIGIN), 400, MSG_REFRESH);
    });
  });

  it('never answers 200 with a session token that is already expired, even in the last second before the deadline', async () => {
    await withServer({ env: { KATAVEN_SESSION_MAX_AGE: '100', KATAVEN_REFRESH_TOKEN_TTL: '60' } }, async (s) => {
      // Start 900 ms into a second, so the deadline (100 s later) is too.
      s.clock.set(Math.floor(s.clock.now() / 1000) * 1000 + 900);
      const widget = await s.createWidget();
      const deadlineMs = s.clock.now() + 100_000;
      let current = await guestSession(s, widget.clientKey);
      s.clock.advance(50_000);
      current = sessionBody(await refresh(s, current.refresh_token, ORIGIN));
      // 100 ms before the deadline: the session is still alive, but its last whole second has begun.
      s.clock.set(deadlineMs - 100);
      const res = await refresh(s, current.refresh_token, ORIGIN);
      if (res.status === 200) {
        const body = sessionBody(res);
        const claims = decodeJwtParts(body.token).payload;
        // A token response must carry a token that is valid when issued, and say truthfully when it expires.
        expect(Number(claims.exp)).toBeGreaterThan(Number(claims.iat));
        expect(Date.parse(body.expires_at)).toBeGreaterThan(s.clock.now());
        expect(body.expires_in).toBe(Number(claims.exp) - Number(claims.iat));
        await verifyIndependently(s, body.token, { typ: SESSION_TYP, audience: SESSION_AUDIENCE });
      } else {
        expectTextError(res, 400, MSG_REFRESH);
      }
    });
  });

  it('uses KATAVEN_VISITOR_TOKEN_TTL for visitor tokens', async () => {
    await withServer({ env: { KATAVEN_VISITOR_TOKEN_TTL: '30' } }, async (s) => {
      const widget = await s.createWidget();
      const fresh = await guestToken(s, widget.clientKey);
      expect(fresh.expires_in).toBe(30);
      expect(Date.parse(fresh.expires_at)).toBe(Number(decodeJwtParts(fresh.token).payload.exp) * 1000);
      s.clock.advance(29_000);
      sessionBody(await exchange(s, fresh.token, ORIGIN));

      const stale = await guestToken(s, widget.clientKey);
      s.clock.advance(36_000);
      expectTextError(await exchange(s, stale.token, ORIGIN), 400, MSG_TOKEN);
    });
  });

  it('uses KATAVEN_SESSION_TOKEN_TTL for session tokens, on exchange and on refresh', async () => {
    await withServer({ env: { KATAVEN_SESSION_TOKEN_TTL: '60' } }, async (s) => {
      const widget = await s.createWidget();
      const first = await guestSession(s, widget.clientKey);
      expect(first.expires_in).toBe(60);
      s.clock.advance(10_000);
      const next = sessionBody(await refresh(s, first.refresh_token, ORIGIN));
      expect(next.expires_in).toBe(60);
      const { payload } = await verifyIndependently(s, next.token, { typ: SESSION_TYP, audience: SESSION_AUDIENCE });
      expect(Number(payload.exp) - Number(payload.iat)).toBe(60);
    });
  });
});

describe('refresh: tokens issued before tokens carried their id', () => {
  it('refreshes one, answers with a token that carries its id, and gives a retry the same successor', async ({ server, widget: { clientKey } }) => {
    const first = await guestSession(server, clientKey);
    const old = await asHashOnlyRefreshToken(server.databaseUrl, first.refresh_token);
    expect(old).toMatch(/^rt_[0-9A-Za-z]{43}$/);
    const next = sessionBody(await refresh(server, old, ORIGIN));
    expect(next.refresh_token).toMatch(/^rt_[0-9A-Za-z]{67}$/);
    expect(identityOf(next.token)).toEqual(identityOf(first.token));
    expect(await spentAtOf(server, old)).toBe(server.clock.now());
    expect(sessionBody(await refresh(server, old, ORIGIN)).refresh_token).toBe(next.refresh_token);
    expect((await refresh(server, next.refresh_token, ORIGIN)).status).toBe(200);
  });
});

describe('refresh: refused tokens', () => {
  it('refuses an unknown refresh token', async ({ server }) => {
    expectTextError(await refresh(server, `rt_${'0'.repeat(43)}`, ORIGIN), 400, MSG_REFRESH);
    expectTextError(await refresh(server, `rt_${'0'.repeat(67)}`, ORIGIN), 400, MSG_REFRESH);
  });

  it('refuses a request without refresh_token', async ({ server }) => {
    expectTextError(await refresh(server, undefined, ORIGIN), 400, MSG_REFRESH);
    expectTextError(await refresh(server, '', ORIGIN), 400, MSG_REFRESH);
  });

  it("refuses a token that carries a live token's id with another secret, and leaves that token live", async ({ server, widget: { clientKey } }) => {
    const victim = await guestSession(server, clientKey);
    const attacker = await guestSession(server, clientKey);
    const forged = `${victim.refresh_token.slice(0, 27)}${attacker.refresh_token.slice(27)}`;
    expectTextError(await refresh(server, forged, ORIGIN), 400, MSG_REFRESH);
    expect(await spentAtOf(server, victim.refresh_token)).toBeNull();
    expect((await refresh(server, victim.refresh_token, ORIGIN)).status).toBe(200);
  });

  it('refuses refresh once the widget was disabled after the exchange', async ({ server, widget: { clientKey } }) => {
    const first = await guestSession(server, clientKey);
    await setWidgetDisabled({ store: server.store, clock: server.clock }, clientKey, true);
    expectTextError(await refresh(server, first.refresh_token, ORIGIN), 400, MSG_REFRESH);
  });
});
