import { describe, expect } from 'vitest';
import { rotateSigningKey } from '../../server/admin/index.js';
import {
  ORIGIN,
  PATHS,
  exchange,
  guestSession,
  guestToken,
  mintUser,
  sessionBody,
  tamperSignature,
  visitorBody,
  withServer,
} from '../../server/test-support/flowsHelpers.js';
import { decodeJwtParts } from '../../server/test-support/decodeJwtParts.js';
import { serverTest as it } from '../../server/test-support/serverTest.js';
import type { TestServer } from '../../server/test-support/startTestServer.js';
import { freePort } from '../test-support/freePort.js';
import { startScriptedServer } from '../test-support/scriptedServer.js';
import { KatavenError, verifySessionToken, type VerifySessionTokenOptions } from './index.js';

const optionsFor = (
  s: TestServer,
  extra: Partial<VerifySessionTokenOptions> = {},
): VerifySessionTokenOptions => ({
  issuer: s.config.issuer,
  jwksUrl: s.baseUrl + PATHS.jwks,
  ...extra,
});

async function rejection(promise: Promise<unknown>): Promise<KatavenError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KatavenError);
  return error as KatavenError;
}

async function expectInvalid(token: string, options: VerifySessionTokenOptions): Promise<void> {
  const error = await rejection(verifySessionToken(token, options));
  expect({ status: error.status, code: error.code, message: error.message }).toEqual({
    status: 401,
    code: 'invalid_token',
    message: 'Invalid or expired session token',
  });
}

/** A guest session for the widget, minted while the server's clock reads `offsetMs` from now. */
async function sessionTokenMintedAt(
  s: TestServer,
  clientKey: string,
  offsetMs: number,
): Promise<string> {
  s.clock.set(Date.now() + offsetMs);
  try {
    return (await guestSession(s, clientKey)).token;
  } finally {
    s.clock.set(Date.now());
  }
}

describe('verifySessionToken', () => {
  it('accepts a real guest session token and returns its typed claims', async ({
    server,
    widget: { clientKey },
  }) => {
    const session = await guestSession(server, clientKey);
    const claims = await verifySessionToken(session.token, optionsFor(server));
    expect(claims).toMatchObject({
      iss: server.config.issuer,
      aud: 'kataven:connect',
      sub: session.visitor.id,
      client_id: clientKey,
      kind: 'guest',
      origin: ORIGIN,
    });
    expect(claims.sid).toMatch(/^ses_/);
    expect(claims.user_id).toBeUndefined();
  });

  it("accepts a signed-in user's session token with the user's claims", async ({
    server,
    widget: { clientKey, secretKey },
  }) => {
    const visitor = visitorBody(
      await mintUser(server, clientKey, secretKey, {
        user_id: 'u_123',
        name: 'Ada',
        email: 'ada@example.com',
        metadata: { plan: 'pro' },
      }),
    );
    const session = sessionBody(await exchange(server, visitor.token, ORIGIN));
    const claims = await verifySessionToken(session.token, optionsFor(server));
    expect(claims).toMatchObject({
      kind: 'user',
      user_id: 'u_123',
      name: 'Ada',
      email: 'ada@example.com',
      metadata: { plan: 'pro' },
    });
  });

  it('finds the keys at <issuer>/.well-known/jwks.json when no jwksUrl is given', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    await withServer({ port, env: { KATAVEN_ISSUER: issuer } }, async (own) => {
      const { clientKey: key } = await own.createWidget({ origins: [ORIGIN] });
      const session = await guestSession(own, key);
      const claims = await verifySessionToken(session.token, { issuer });
      expect(claims.iss).toBe(issuer);
    });
  });

  it('rejects a visitor token: it is not a session token', async ({
    server,
    widget: { clientKey },
  }) => {
    const visitor = await guestToken(server, clientKey);
    await expectInvalid(visitor.token, optionsFor(server));
  });

  it('rejects an expired token', async ({ server, widget: { clientKey } }) => {
    const token = await sessionTokenMintedAt(server, clientKey, -2 * 60 * 60 * 1000);
    await expectInvalid(token, optionsFor(server));
  });

  it('allows 30 s of clock skew by default, and exactly what it is told otherwise', async ({
    server,
    widget: { clientKey },
  }) => {
    // Expired about 5 s ago by this machine's clock: within the default tolerance.
    const token = await sessionTokenMintedAt(
      server,
      clientKey,
      -(server.config.sessionTokenTtlSeconds + 5) * 1000,
    );
    await expect(verifySessionToken(token, optionsFor(server))).resolves.toMatchObject({
      kind: 'guest',
    });
    await expectInvalid(token, optionsFor(server, { clockToleranceSeconds: 0 }));
  });

  it('rejects a token older than maxTokenAgeSeconds even before it expires', async ({
    server,
    widget: { clientKey },
  }) => {
    const token = await sessionTokenMintedAt(server, clientKey, -120_000);
    await expect(verifySessionToken(token, optionsFor(server))).resolves.toMatchObject({
      kind: 'guest',
    });
    await expectInvalid(
      token,
      optionsFor(server, { maxTokenAgeSeconds: 60, clockToleranceSeconds: 0 }),
    );
  });

  it('rejects a token from another issuer, even one whose keys it is given', async ({ server }) => {
    await withServer({ env: { KATAVEN_ISSUER: 'http://other-issuer.test' } }, async (other) => {
      const { clientKey: otherKey } = await other.createWidget({ origins: [ORIGIN] });
      const foreign = await guestSession(other, otherKey);
      await expectInvalid(foreign.token, optionsFor(server));
      await expectInvalid(foreign.token, {
        issuer: server.config.issuer,
        jwksUrl: other.baseUrl + PATHS.jwks,
      });
    });
  });

  it('rejects a tampered token: a changed signature or a changed claim', async ({
    server,
    widget: { clientKey },
  }) => {
    const { token } = await guestSession(server, clientKey);
    await expectInvalid(tamperSignature(token), optionsFor(server));
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const forged = Buffer.from(
      JSON.stringify({ ...claims, kind: 'user', user_id: 'admin' }),
    ).toString('base64url');
    await expectInvalid(`${header ?? ''}.${forged}.${signature ?? ''}`, optionsFor(server));
  });

  it('rejects a token for another audience', async ({ server, widget: { clientKey } }) => {
    const { token } = await guestSession(server, clientKey);
    await expectInvalid(token, optionsFor(server, { audience: 'kataven:something-else' }));
  });

  it('rejects text that is not a JWT at all', async ({ server }) => {
    await expectInvalid('not-a-jwt', optionsFor(server));
    await expectInvalid('', optionsFor(server));
  });

  it('verifies a token signed right after a key rotation --now by fetching the keys again', async () => {
    await withServer({}, async (own) => {
      const { clientKey: key } = await own.createWidget({ origins: [ORIGIN] });
      const before = await guestSession(own, key);
      await verifySessionToken(before.token, optionsFor(own));
      await rotateSigningKey({ store: own.store, clock: own.clock }, { now: true });
      await own.keys.reload();
      const after = await guestSession(own, key);
      expect(decodeJwtParts(after.token).header.kid).not.toBe(decodeJwtParts(before.token).header.kid);
      await expect(verifySessionToken(after.token, optionsFor(own))).resolves.toMatchObject({
        sub: after.visitor.id,
      });
      await expect(verifySessionToken(before.token, optionsFor(own))).resolves.toMatchObject({
        sub: before.visitor.id,
      });
    });
  });

  it('reports network_error, not invalid_token, when the keys cannot be fetched', async ({
    server,
    widget: { clientKey },
  }) => {
    const { token } = await guestSession(server, clientKey);
    const unreachable = await startScriptedServer(['drop']);
    const failing = await startScriptedServer([{ status: 500, body: 'Internal server error' }]);
    try {
      for (const jwksServer of [unreachable, failing]) {
        const error = await rejection(
          verifySessionToken(token, {
            issuer: server.config.issuer,
            jwksUrl: jwksServer.baseUrl + PATHS.jwks,
          }),
        );
        expect({ status: error.status, code: error.code }).toEqual({
          status: 0,
          code: 'network_error',
        });
      }
    } finally {
      await Promise.all([unreachable.close(), failing.close()]);
    }
  });
});
