import { calculateJwkThumbprint } from 'jose';
import { describe, expect } from 'vitest';
import { rotateSigningKey } from '../admin/index.js';
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
  sessionBody,
  verifyIndependently,
} from '../test-support/flowsHelpers.js';
import { request } from '../test-support/http.js';
import { startSecondInstance } from '../test-support/secondInstance.js';
import { freshServerTest as it } from '../test-support/serverTest.js';
import type { TestServer } from '../test-support/startTestServer.js';
import { decodeJwtParts } from '../test-support/decodeJwtParts.js';

async function rotate(server: TestServer): Promise<string> {
  server.clock.advance(1_000);
  const { kid } = await rotateSigningKey({ store: server.store, clock: server.clock });
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
});
