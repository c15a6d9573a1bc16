import { calculateJwkThumbprint, createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect } from 'vitest';
import { listSigningKeys, rotateSigningKey, withdrawSigningKey } from '../admin/index.js';
import {
  ORIGIN,
  PATHS,
  SESSION_AUDIENCE,
  SESSION_TYP,
  VISITOR_AUDIENCE,
  VISITOR_TYP,
  exchange,
  fetchJwks,
  guestSession,
  guestToken,
  refresh,
  sessionBody,
  verifyIndependently,
} from '../test-support/flowsHelpers.js';
import { request } from '../test-support/http.js';
import { startSecondInstance } from '../test-support/secondInstance.js';
import { freshServerTest as it } from '../test-support/serverTest.js';
import type { TestServer } from '../test-support/startTestServer.js';
import { decodeJwtParts } from '../test-support/decodeJwtParts.js';

const kidOfToken = (token: string) => decodeJwtParts(token).header.kid;

/** The JWKS `max-age` plus the 5 s propagation margin: how long a scheduled key waits to sign. */
const LEAD_MS = 305_000;

/**
 * A service verifying session tokens as a careful one does: it keeps the JWKS it fetched for the
 * answer's max-age (300 s) and fetches again only after that, reading the server's clock.
 */
function cachingVerifier(server: TestServer) {
  let cached: { fetchedAt: number; keys: ReturnType<typeof createLocalJWKSet> } | undefined;
  return async (token: string) => {
    if (cached === undefined || server.clock.now() - cached.fetchedAt >= 300_000) {
      cached = { fetchedAt: server.clock.now(), keys: createLocalJWKSet(await fetchJwks(server)) };
    }
    return jwtVerify(token, cached.keys, {
      algorithms: ['ES256'],
      typ: SESSION_TYP,
      issuer: server.config.issuer,
      audience: SESSION_AUDIENCE,
      currentDate: new Date(server.clock.now()),
    });
  };
}

async function rotate(server: TestServer): Promise<string> {
  server.clock.advance(1_000);
  const { kid } = await rotateSigningKey({ store: server.store, clock: server.clock }, { now: true });
  await server.keys.reload();
  return kid;
}

const kidsOf = async (s: TestServer) => (await fetchJwks(s)).keys.map((k) => k.kid);

describe('signing keys and rotation', () => {
  it('publishes public keys only, each with kid equal to its RFC 7638 thumbprint', async ({ server }) => {
    const res = await request(server.baseUrl, PATHS.jwks);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    await rotate(server);
    const { keys } = await fetchJwks(server);
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key.kid).toBe(await calculateJwkThumbprint(key, 'sha256'));
    }
  });

  it('signs new tokens with the new kid after a rotation', async ({ server, widget: { clientKey } }) => {
    const before = await guestSession(server, clientKey);
    const oldKid = decodeJwtParts(before.token).header.kid;
    const newKid = await rotate(server);
    expect(newKid).not.toBe(oldKid);

    const visitor = await guestToken(server, clientKey);
    expect(decodeJwtParts(visitor.token).header.kid).toBe(newKid);
    const session = sessionBody(await exchange(server, visitor.token, ORIGIN));
    expect(decodeJwtParts(session.token).header.kid).toBe(newKid);
    await verifyIndependently(server, session.token, { typ: SESSION_TYP, audience: SESSION_AUDIENCE });
    await verifyIndependently(server, visitor.token, { typ: VISITOR_TYP, audience: VISITOR_AUDIENCE });
  });

  it('lists both keys in the JWKS with unique kids after a rotation', async ({ server }) => {
    const [oldKid] = await kidsOf(server);
    const newKid = await rotate(server);
    const kids = await kidsOf(server);
    expect(kids).toHaveLength(2);
    expect(new Set(kids).size).toBe(2);
    expect(new Set(kids)).toEqual(new Set([oldKid, newKid]));
  });

  it('still exchanges a visitor token minted before the rotation', async ({ server, widget: { clientKey } }) => {
    const visitor = await guestToken(server, clientKey);
    const oldKid = decodeJwtParts(visitor.token).header.kid;
    await rotate(server);
    const session = sessionBody(await exchange(server, visitor.token, ORIGIN));
    expect(decodeJwtParts(session.token).header.kid).not.toBe(oldKid);
  });

  it('still verifies independently a session token signed by the old key', async ({ server, widget: { clientKey } }) => {
    const session = await guestSession(server, clientKey);
    await rotate(server);
    const { protectedHeader } = await verifyIndependently(server, session.token, { typ: SESSION_TYP, audience: SESSION_AUDIENCE });
    expect(protectedHeader.kid).toBe(decodeJwtParts(session.token).header.kid);
  });

  it('keeps the retired key published until the last token it signed expired', async ({ server, widget: { clientKey } }) => {
    const session = await guestSession(server, clientKey);
    await rotate(server);
    // 898 s after signing (1 s went by in rotate): the 900 s session token is still valid.
    server.clock.advance(897_000);
    await server.keys.reload();
    expect(await kidsOf(server)).toContain(decodeJwtParts(session.token).header.kid);
    await verifyIndependently(server, session.token, { typ: SESSION_TYP, audience: SESSION_AUDIENCE });
  });

  it('drops the retired key from the JWKS after the retired-key grace', async ({ server, widget: { clientKey } }) => {
    const session = await guestSession(server, clientKey);
    const oldKid = decodeJwtParts(session.token).header.kid;
    const newKid = await rotate(server);
    // The grace covers the longest token lifetime (900 s) plus verifiers' clock tolerance.
    server.clock.advance(24 * 60 * 60 * 1000);
    await server.keys.reload();
    const kids = await kidsOf(server);
    expect(kids).toEqual([newKid]);
    expect(kids).not.toContain(oldKid);
  });

  it('a server that has not reloaded yet accepts a visitor token signed by a key another process rotated in', async ({ server, widget: { clientKey } }) => {
    const other = await startSecondInstance(server);
    try {
      const newKid = await rotate(server);
      const visitor = await guestToken(server, clientKey);
      expect(decodeJwtParts(visitor.token).header.kid).toBe(newKid);
      const session = sessionBody(await exchange(other, visitor.token, ORIGIN));
      await verifyIndependently(server, session.token, { typ: SESSION_TYP, audience: SESSION_AUDIENCE });
    } finally {
      await other.close();
    }
  });

  describe('scheduled rotation (the default): published first, signing after the JWKS max-age', () => {
    it('a verifier that cached the JWKS just before `rotate` verifies every token issued after it', async ({ server, widget: { clientKey } }) => {
      const verify = cachingVerifier(server);
      const before = await guestSession(server, clientKey);
      await verify(before.token);
      server.clock.advance(1);
      const { kid } = await rotateSigningKey({ store: server.store, clock: server.clock });
      await server.keys.reload();
      const kids = new Set<string | undefined>();
      // Every 10 s for ten minutes: across the switch at 305 s and past the verifier's refetch.
      for (let elapsed = 0; elapsed <= 600_000; elapsed += 10_000) {
        const session = await guestSession(server, clientKey);
        kids.add(kidOfToken(session.token));
        await expect(verify(session.token), `token issued ${elapsed / 1000} s after rotate`).resolves.toBeDefined();
        server.clock.advance(10_000);
        await server.keys.reload();
      }
      expect(kids).toEqual(new Set([kidOfToken(before.token), kid]));
    });

    it('publishes the next key at once and signs with it only after 305 s', async ({ server, widget: { clientKey } }) => {
      const oldKid = kidOfToken((await guestSession(server, clientKey)).token);
      const { kid, activates_at } = await rotateSigningKey({ store: server.store, clock: server.clock });
      expect(Date.parse(activates_at)).toBe(server.clock.now() + LEAD_MS);
      await server.keys.reload();
      expect(await kidsOf(server)).toEqual([kid, oldKid]);
      server.clock.advance(LEAD_MS - 1);
      expect(kidOfToken((await guestSession(server, clientKey)).token)).toBe(oldKid);
      server.clock.advance(1);
      expect(kidOfToken((await guestSession(server, clientKey)).token)).toBe(kid);
    });

    it('`signing-key list` shows each state and when a retired key leaves the JWKS', async ({ server }) => {
      const [first] = (await listSigningKeys({ store: server.store, clock: server.clock })).keys;
      const { kid } = await rotateSigningKey({ store: server.store, clock: server.clock });
      const states = async () => (await listSigningKeys({ store: server.store, clock: server.clock })).keys.map((k) => [k.kid, k.state]);
      expect(await states()).toEqual([[first?.kid, 'current'], [kid, 'next']]);
      server.clock.advance(LEAD_MS);
      expect(await states()).toEqual([[first?.kid, 'retired'], [kid, 'current']]);
      const { keys } = await listSigningKeys({ store: server.store, clock: server.clock });
      // The longest token (900 s) plus the verifiers' 30 s and the service's 5 s tolerances.
      expect(Date.parse(keys[0]?.published_until ?? '')).toBe(server.clock.now() + 935_000);
      server.clock.advance(935_000);
      expect(await states()).toEqual([[first?.kid, 'gone'], [kid, 'current']]);
    });

    it('the retired key leaves the JWKS only after the last token it signed has expired', async ({ server, widget: { clientKey } }) => {
      const oldKid = kidOfToken((await guestSession(server, clientKey)).token);
      await rotateSigningKey({ store: server.store, clock: server.clock });
      server.clock.advance(LEAD_MS - 1);
      await server.keys.reload();
      const last = await guestSession(server, clientKey);
      expect(kidOfToken(last.token)).toBe(oldKid);
      // One millisecond later the old key retires; its last token lives 900 s more (whole seconds).
      server.clock.advance(899_000);
      await server.keys.reload();
      expect(await kidsOf(server)).toContain(oldKid);
      await verifyIndependently(server, last.token, { typ: SESSION_TYP, audience: SESSION_AUDIENCE });
      server.clock.advance(37_000);
      await server.keys.reload();
      expect(await kidsOf(server)).not.toContain(oldKid);
    });

    it('a second rotate before the first key activated replaces the schedule: still no key signs before it was published 305 s', async ({ server, widget: { clientKey } }) => {
      const oldKid = kidOfToken((await guestSession(server, clientKey)).token);
      const first = await rotateSigningKey({ store: server.store, clock: server.clock });
      server.clock.advance(100_000);
      const second = await rotateSigningKey({ store: server.store, clock: server.clock });
      await server.keys.reload();
      server.clock.advance(LEAD_MS - 100_000);
      await server.keys.reload();
      expect(kidOfToken((await guestSession(server, clientKey)).token)).toBe(first.kid);
      server.clock.advance(100_000);
      await server.keys.reload();
      expect(kidOfToken((await guestSession(server, clientKey)).token)).toBe(second.kid);
      expect(await kidsOf(server)).toEqual(expect.arrayContaining([oldKid, first.kid, second.kid]));
    });
  });

  it('a leaked key: rotate --now, then withdraw it: it leaves the JWKS and its tokens stop working at once, while sessions refresh onto the new key', async ({ server, widget: { clientKey } }) => {
    const session = await guestSession(server, clientKey);
    const visitor = await guestToken(server, clientKey);
    const leaked = kidOfToken(session.token) ?? '';
    const deps = { store: server.store, clock: server.clock };
    await expect(withdrawSigningKey(deps, leaked)).rejects.toThrow('signs now');
    const { kid } = await rotateSigningKey(deps, { now: true });
    expect(await withdrawSigningKey(deps, leaked)).toMatchObject({ kid: leaked, state: 'withdrawn' });
    await server.keys.reload();
    expect(await kidsOf(server)).toEqual([kid]);
    await expect(verifyIndependently(server, session.token, { typ: SESSION_TYP, audience: SESSION_AUDIENCE })).rejects.toThrow();
    expect((await exchange(server, visitor.token, ORIGIN)).status).toBe(400);
    const refreshed = sessionBody(await refresh(server, session.refresh_token, ORIGIN));
    expect(kidOfToken(refreshed.token)).toBe(kid);
  });
});
