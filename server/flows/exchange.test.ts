import { SignJWT } from 'jose';
import { describe, expect } from 'vitest';
import { setWidgetDisabled } from '../admin/index.js';
import {
  FOREIGN_ORIGIN,
  MSG_ORIGIN,
  MSG_REFRESH,
  MSG_TOKEN,
  ORIGIN,
  OTHER_ORIGIN,
  PATHS,
  SESSION_AUDIENCE,
  SESSION_TYP,
  VISITOR_AUDIENCE,
  VISITOR_TYP,
  craftToken,
  exchange,
  guestClaims,
  fetchJwks,
  guestSession,
  guestToken,
  malleateSignature,
  mintUser,
  refresh,
  refreshTokenRowId,
  sessionBody,
  tamperSignature,
  verifyIndependently,
  visitorBody,
  withServer,
} from '../test-support/flowsHelpers.js';
import { gateMethod } from '../test-support/gate.js';
import { request } from '../test-support/http.js';
import { startSecondInstance } from '../test-support/secondInstance.js';
import { freshServerTest as it } from '../test-support/serverTest.js';
import { decodeJwtParts } from '../test-support/decodeJwtParts.js';
import { expectTextError } from '../test-support/expectTextError.js';

const ada = { user_id: 'u_123', name: 'Ada', email: 'ada@example.com', metadata: { plan: 'pro', seats: 3, beta: true } };

describe('exchange: guest flow', () => {
  it('answers 200 with the documented shape for a guest visitor token', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    const before = server.clock.now();
    const res = await exchange(server, visitor.token, ORIGIN);
    const body = sessionBody(res);

    expect(Object.keys(body).sort()).toEqual(
      ['expires_at', 'expires_in', 'refresh_expires_at', 'refresh_token', 'token', 'token_type', 'visitor'].sort(),
    );
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(900);
    expect(body.refresh_token).toMatch(/^rt_[0-9A-Za-z]+$/);
    expect(body.visitor).toEqual({ id: visitor.visitor_id, kind: 'guest', user_id: null, name: null });
    const exp = decodeJwtParts(body.token).payload.exp;
    expect(body.expires_at).toBe(new Date(Number(exp) * 1000).toISOString());
    expect(Date.parse(body.refresh_expires_at)).toBeGreaterThan(before);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('ignores identity fields smuggled into the request body', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    const res = await request(server.baseUrl, PATHS.exchange, {
      origin: ORIGIN,
      body: { token: visitor.token, sub: 'vis_AAAAAAAAAAAAAAAAAAAAAA', visitor_id: 'vis_BBBBBBBBBBBBBBBBBBBBBB', kind: 'user', user_id: 'admin', exp: 4102444800 },
    });
    const body = sessionBody(res);
    expect(body.visitor).toEqual({ id: visitor.visitor_id, kind: 'guest', user_id: null, name: null });
    const claims = decodeJwtParts(body.token).payload;
    expect(claims.sub).toBe(visitor.visitor_id);
    expect(claims).not.toHaveProperty('user_id');
    expect(claims.exp).toBe(Number(claims.iat) + 900);
  });

  it('issues a session JWT that verifies independently as at+jwt for kataven:connect with every required claim', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    const body = sessionBody(await exchange(server, visitor.token, ORIGIN));
    const { payload, protectedHeader } = await verifyIndependently(server, body.token, { typ: SESSION_TYP, audience: SESSION_AUDIENCE });

    expect(protectedHeader.alg).toBe('ES256');
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(typeof protectedHeader.kid).toBe('string');
    expect(payload.iss).toBe(server.config.issuer);
    expect(payload.aud).toBe('kataven:connect');
    expect(payload.sub).toBe(visitor.visitor_id);
    expect(payload.client_id).toBe(clientKey);
    expect(payload.iat).toBe(Math.floor(server.clock.now() / 1000));
    expect(payload.exp).toBe(Number(payload.iat) + 900);
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload.sid).toEqual(expect.stringMatching(/.+/));
    expect(payload.origin).toBe(ORIGIN);
    expect(payload.kind).toBe('guest');
    expect(payload).not.toHaveProperty('user_id');
  });

  it('issues a visitor token that verifies independently as visitor+jwt for kataven:widget-exchange', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    expect(visitor.expires_in).toBe(120);
    const { payload, protectedHeader } = await verifyIndependently(server, visitor.token, { typ: VISITOR_TYP, audience: VISITOR_AUDIENCE });
    expect(protectedHeader.typ).toBe('visitor+jwt');
    expect(payload.aud).toBe('kataven:widget-exchange');
    expect(payload.sub).toBe(visitor.visitor_id);
    expect(payload.client_id).toBe(clientKey);
    expect(payload.exp).toBe(Number(payload.iat) + 120);
  });

  it('issues session and visitor tokens that an independent verifier refuses under the other type', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    const body = sessionBody(await exchange(server, visitor.token, ORIGIN));
    await expect(verifyIndependently(server, body.token, { typ: VISITOR_TYP, audience: SESSION_AUDIENCE })).rejects.toThrow();
    await expect(verifyIndependently(server, visitor.token, { typ: VISITOR_TYP, audience: SESSION_AUDIENCE })).rejects.toThrow();
  });
});

describe('exchange: user flow', () => {
  it('exchanges a user token into a session whose visitor is the user', async ({ server, widget: { clientKey, secretKey } }) => {
    const visitor = visitorBody(await mintUser(server, clientKey, secretKey, ada));
    expect(visitor.user_id).toBe('u_123');
    const body = sessionBody(await exchange(server, visitor.token, ORIGIN));
    expect(body.visitor).toEqual({ id: visitor.visitor_id, kind: 'user', user_id: 'u_123', name: 'Ada' });
  });

  it('carries user_id, name, email and metadata in the session claims', async ({ server, widget: { clientKey, secretKey } }) => {
    const visitor = visitorBody(await mintUser(server, clientKey, secretKey, ada));
    const body = sessionBody(await exchange(server, visitor.token, ORIGIN));
    const { payload } = await verifyIndependently(server, body.token, { typ: SESSION_TYP, audience: SESSION_AUDIENCE });
    expect(payload).toMatchObject({
      sub: visitor.visitor_id,
      kind: 'user',
      user_id: 'u_123',
      name: 'Ada',
      email: 'ada@example.com',
      metadata: { plan: 'pro', seats: 3, beta: true },
      origin: ORIGIN,
      client_id: clientKey,
    });
  });

  it('exchanges a user token from any allowed origin and binds the session to that origin', async ({ server }) => {
    const widget = await server.createWidget({ origins: [ORIGIN, OTHER_ORIGIN] });
    const visitor = visitorBody(await mintUser(server, widget.clientKey, widget.secretKey, { user_id: 'u_9' }));
    const body = sessionBody(await exchange(server, visitor.token, OTHER_ORIGIN));
    const { payload } = await verifyIndependently(server, body.token, { typ: SESSION_TYP, audience: SESSION_AUDIENCE });
    expect(payload.origin).toBe(OTHER_ORIGIN);
    // The session belongs to that origin from now on.
    expectTextError(await refresh(server, body.refresh_token, ORIGIN), 403, MSG_ORIGIN);
    sessionBody(await refresh(server, body.refresh_token, OTHER_ORIGIN));
  });

  it('refuses a user token from an origin the widget does not allow', async ({ server, widget: { clientKey, secretKey } }) => {
    const visitor = visitorBody(await mintUser(server, clientKey, secretKey, { user_id: 'u_1' }));
    expectTextError(await exchange(server, visitor.token, FOREIGN_ORIGIN), 403, MSG_ORIGIN);
  });
});

describe('exchange: invalid tokens answer 400 "Missing or expired token"', () => {
  it('refuses a request without a token', async ({ server }) => {
    expectTextError(await exchange(server, undefined, ORIGIN), 400, MSG_TOKEN);
  });

  it('refuses an empty token', async ({ server }) => {
    expectTextError(await exchange(server, '', ORIGIN), 400, MSG_TOKEN);
  });

  it('refuses garbage', async ({ server }) => {
    expectTextError(await exchange(server, 'not-a-jwt', ORIGIN), 400, MSG_TOKEN);
    expectTextError(await exchange(server, 'aaa.bbb.ccc', ORIGIN), 400, MSG_TOKEN);
    expectTextError(await exchange(server, 12345, ORIGIN), 400, MSG_TOKEN);
    expectTextError(await exchange(server, null, ORIGIN), 400, MSG_TOKEN);
    expectTextError(await exchange(server, ['a.b.c'], ORIGIN), 400, MSG_TOKEN);
  });

  it('refuses a token with one signature byte changed', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    expectTextError(await exchange(server, tamperSignature(visitor.token), ORIGIN), 400, MSG_TOKEN);
    // The untampered token is still good: the failed attempt spent nothing.
    sessionBody(await exchange(server, visitor.token, ORIGIN));
  });

  it('refuses a session JWT presented as a visitor token (wrong typ)', async ({ server, widget: { clientKey } }) => {
    const session = await guestSession(server, clientKey);
    expectTextError(await exchange(server, session.token, ORIGIN), 400, MSG_TOKEN);
  });

  it('accepts a visitor token just before it expires', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    server.clock.advance(119_000);
    sessionBody(await exchange(server, visitor.token, ORIGIN));
  });

  it('refuses an expired visitor token (past 120 s plus the 5 s tolerance)', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    server.clock.advance(126_000);
    expectTextError(await exchange(server, visitor.token, ORIGIN), 400, MSG_TOKEN);
  });

  it('refuses a token minted for a widget that was disabled since', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    await setWidgetDisabled({ store: server.store, clock: server.clock }, clientKey, true);
    expectTextError(await exchange(server, visitor.token, ORIGIN), 400, MSG_TOKEN);
  });
});

describe('exchange: verification pins every check (tokens signed with the real key by jose)', () => {
  it('accepts a well-formed guest token signed independently (control for the cases below)', async ({ server, widget: { clientKey } }) => {
    const claims = guestClaims(server, clientKey);
    const body = sessionBody(await exchange(server, await craftToken(server, claims), ORIGIN));
    expect(body.visitor.id).toBe(claims.sub);
  });

  it('refuses the session audience on a visitor+jwt token', async ({ server, widget: { clientKey } }) => {
    const token = await craftToken(server, { ...guestClaims(server, clientKey), aud: SESSION_AUDIENCE });
    expectTextError(await exchange(server, token, ORIGIN), 400, MSG_TOKEN);
  });

  it('refuses a visitor-shaped token typed at+jwt', async ({ server, widget: { clientKey } }) => {
    const token = await craftToken(server, guestClaims(server, clientKey), { typ: SESSION_TYP });
    expectTextError(await exchange(server, token, ORIGIN), 400, MSG_TOKEN);
  });

  it('refuses a token without typ', async ({ server, widget: { clientKey } }) => {
    const key = server.keys.current();
    const token = await new SignJWT(guestClaims(server, clientKey)).setProtectedHeader({ alg: 'ES256', kid: key.kid }).sign(key.privateKey);
    expectTextError(await exchange(server, token, ORIGIN), 400, MSG_TOKEN);
  });

  it('refuses another issuer', async ({ server, widget: { clientKey } }) => {
    const token = await craftToken(server, { ...guestClaims(server, clientKey), iss: 'https://issuer.example.org' });
    expectTextError(await exchange(server, token, ORIGIN), 400, MSG_TOKEN);
  });

  for (const claim of ['exp', 'iat', 'jti', 'sub'] as const) {
    it(`refuses a token without the required ${claim} claim`, async ({ server, widget: { clientKey } }) => {
      const claims = Object.fromEntries(Object.entries(guestClaims(server, clientKey)).filter(([name]) => name !== claim));
      expectTextError(await exchange(server, await craftToken(server, claims), ORIGIN), 400, MSG_TOKEN);
    });
  }

  it('refuses a token older than the maximum age even if its exp is far away', async ({ server, widget: { clientKey } }) => {
    const claims = guestClaims(server, clientKey);
    const iat = Number(claims.iat) - 600;
    const token = await craftToken(server, { ...claims, iat, exp: iat + 3600 });
    expectTextError(await exchange(server, token, ORIGIN), 400, MSG_TOKEN);
  });

  it('refuses a guest token without an origin claim', async ({ server, widget: { clientKey } }) => {
    const claims = guestClaims(server, clientKey);
    delete claims.origin;
    expectTextError(await exchange(server, await craftToken(server, claims), ORIGIN), 400, MSG_TOKEN);
  });

  it('refuses a token for an unknown client_id', async ({ server, widget: { clientKey } }) => {
    const token = await craftToken(server, { ...guestClaims(server, clientKey), client_id: 'pk_live_000000000000000000000000' });
    expectTextError(await exchange(server, token, ORIGIN), 400, MSG_TOKEN);
  });

  it('refuses an unknown kid', async ({ server, widget: { clientKey } }) => {
    const token = await craftToken(server, guestClaims(server, clientKey), { kid: 'no-such-kid' });
    expectTextError(await exchange(server, token, ORIGIN), 400, MSG_TOKEN);
  });

  for (const member of ['jku', 'x5u'] as const) {
    it(`refuses a token carrying a ${member} header`, async ({ server, widget: { clientKey } }) => {
      const token = await craftToken(server, guestClaims(server, clientKey), { [member]: 'https://evil.example.net/keys' });
      expectTextError(await exchange(server, token, ORIGIN), 400, MSG_TOKEN);
    });
  }

  it('refuses a token carrying its own jwk header', async ({ server, widget: { clientKey } }) => {
    const { kid } = server.keys.current();
    const jwk = (await fetchJwks(server)).keys.find((k) => k.kid === kid);
    const token = await craftToken(server, guestClaims(server, clientKey), { jwk: { ...jwk } });
    expectTextError(await exchange(server, token, ORIGIN), 400, MSG_TOKEN);
  });

  it('refuses an unsigned (alg none) token', async ({ server, widget: { clientKey } }) => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = `${encode({ alg: 'none', typ: VISITOR_TYP })}.${encode(guestClaims(server, clientKey))}.`;
    expectTextError(await exchange(server, token, ORIGIN), 400, MSG_TOKEN);
  });
});

describe('exchange: origin rules answer 403 "Origin not in allowlist for this client_key"', () => {
  it('refuses a request without Origin', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    expectTextError(await exchange(server, visitor.token, undefined), 403, MSG_ORIGIN);
  });

  it('refuses an origin the widget does not allow', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    expectTextError(await exchange(server, visitor.token, FOREIGN_ORIGIN), 403, MSG_ORIGIN);
  });

  it('refuses a guest token from another allowed origin than the one it was minted for', async ({ server }) => {
    const widget = await server.createWidget({ origins: [ORIGIN, OTHER_ORIGIN] });
    const visitor = await guestToken(server, widget.clientKey, ORIGIN);
    expectTextError(await exchange(server, visitor.token, OTHER_ORIGIN), 403, MSG_ORIGIN);
  });
});

describe('exchange: single use', () => {
  it('refuses a second exchange of the same visitor token', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    sessionBody(await exchange(server, visitor.token, ORIGIN));
    expectTextError(await exchange(server, visitor.token, ORIGIN), 400, MSG_TOKEN);
  });

  it('keys single use on jti: a re-encoded (malleated) signature of a used token is refused', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    const malleated = malleateSignature(visitor.token);
    expect(malleated).not.toBe(visitor.token);
    // The re-encoded signature is valid in its own right: only the jti can tell the two apart.
    await expect(verifyIndependently(server, malleated, { typ: VISITOR_TYP, audience: VISITOR_AUDIENCE })).resolves.toBeDefined();

    sessionBody(await exchange(server, visitor.token, ORIGIN));
    expectTextError(await exchange(server, malleated, ORIGIN), 400, MSG_TOKEN);
  });

  it('a repeat within the grace window is refused and the first session still refreshes', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    const first = sessionBody(await exchange(server, visitor.token, ORIGIN));
    server.clock.advance(5_000);
    expectTextError(await exchange(server, visitor.token, ORIGIN), 400, MSG_TOKEN);
    sessionBody(await refresh(server, first.refresh_token, ORIGIN));
  });

  const lateRepeats = [
    { what: 'a repeat after the grace window is refused and revokes the session of the first exchange', token: (token: string) => token },
    { what: 'a replay with a malleated signature after the grace window revokes the first session too', token: malleateSignature },
  ];
  for (const { what, token } of lateRepeats) {
    it(what, async ({ server, widget: { clientKey } }) => {
      const visitor = await guestToken(server, clientKey);
      const first = sessionBody(await exchange(server, visitor.token, ORIGIN));
      server.clock.advance(11_000);
      expectTextError(await exchange(server, token(visitor.token), ORIGIN), 400, MSG_TOKEN);
      expectTextError(await refresh(server, first.refresh_token, ORIGIN), 400, MSG_REFRESH);
    });
  }

  it('a repeat after the grace window also kills refresh tokens rotated since the first exchange', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    const first = sessionBody(await exchange(server, visitor.token, ORIGIN));
    const rotated = sessionBody(await refresh(server, first.refresh_token, ORIGIN));
    server.clock.advance(11_000);
    expectTextError(await exchange(server, visitor.token, ORIGIN), 400, MSG_TOKEN);
    expectTextError(await refresh(server, rotated.refresh_token, ORIGIN), 400, MSG_REFRESH);
  });

  it('RACE: 50 concurrent exchanges of one visitor token yield exactly one session', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    const results = await Promise.all(Array.from({ length: 50 }, () => exchange(server, visitor.token, ORIGIN)));

    const winners = results.filter((r) => r.status === 200);
    const losers = results.filter((r) => r.status !== 200);
    expect({ ok: winners.length, refused: losers.length }).toEqual({ ok: 1, refused: 49 });
    for (const loser of losers) expectTextError(loser, 400, MSG_TOKEN);

    const [winner] = winners;
    if (!winner) throw new Error('no winner');
    const body = sessionBody(winner);
    const view = await server.store.findRefreshToken({ id: refreshTokenRowId(body.refresh_token) });
    expect(view?.session.visitorId).toBe(visitor.visitor_id);
    expect(view?.session.id).toBe(decodeJwtParts(body.token).payload.sid);

    expect(await server.db.count('sessions')).toBe(1);
    expect(await server.db.count('sessions', 'visitor_id = ?', [visitor.visitor_id])).toBe(1);
    expect(await server.db.count('refresh_tokens')).toBe(1);
    // The winner's session is intact: nothing in the race revoked it.
    sessionBody(await refresh(server, body.refresh_token, ORIGIN));
  });

  it('RACE: 50 concurrent exchanges that all pass verification before any of them is recorded yield exactly one session', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    // Worst case: every request has verified the token before the first one spends its jti.
    const gate = gateMethod(server.store, 'consumeVisitorToken', 50);
    let results;
    try {
      results = await Promise.all(Array.from({ length: 50 }, () => exchange(server, visitor.token, ORIGIN)));
    } finally {
      gate.restore();
    }
    expect(gate.timedOut).toBe(false);
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    expect({ ok: ok.length, refused: refused.length }).toEqual({ ok: 1, refused: 49 });
    for (const r of refused) expectTextError(r, 400, MSG_TOKEN);
    expect(await server.db.count('sessions', 'visitor_id = ?', [visitor.visitor_id])).toBe(1);
    expect(await server.db.count('refresh_tokens')).toBe(1);
    const [winner] = ok;
    if (!winner) throw new Error('no winner');
    sessionBody(await refresh(server, sessionBody(winner).refresh_token, ORIGIN));
  });

  it('RACE: 50 concurrent exchanges split across two server instances on one database yield exactly one session', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    const other = await startSecondInstance(server);
    try {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => exchange(i % 2 === 0 ? server : other, visitor.token, ORIGIN)),
      );
      const ok = results.filter((r) => r.status === 200);
      const refused = results.filter((r) => r.status !== 200);
      expect({ ok: ok.length, refused: refused.length }).toEqual({ ok: 1, refused: 49 });
      for (const r of refused) expectTextError(r, 400, MSG_TOKEN);
      expect(await server.db.count('sessions', 'visitor_id = ?', [visitor.visitor_id])).toBe(1);
      expect(await server.db.count('refresh_tokens')).toBe(1);
    } finally {
      await other.close();
    }
  });
});

describe('exchange: token lifetimes from the environment', () => {
  it('honours KATAVEN_SESSION_TOKEN_TTL for the session JWT', async () => {
    await withServer({ env: { KATAVEN_SESSION_TOKEN_TTL: '60' } }, async (s) => {
      const widget = await s.createWidget();
      const body = await guestSession(s, widget.clientKey);
      expect(body.expires_in).toBe(60);
      const { payload } = await verifyIndependently(s, body.token, { typ: SESSION_TYP, audience: SESSION_AUDIENCE });
      expect(Number(payload.exp) - Number(payload.iat)).toBe(60);
    });
  });
});
