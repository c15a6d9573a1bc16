/**
 * Attacks on the visitor JWT that `/exchange` accepts, after RFC 8725 (JWT BCP), the PortSwigger
 * JWT research, jwt_tool's attack list and CVEs in JWT libraries. Each hostile token must be
 * answered 400 "Missing or expired token", and the service must work normally afterwards.
 */
import { createPublicKey, sign } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  P256_ORDER,
  attackerKey,
  b64url,
  encodeJson,
  es256,
  expectServiceWorks,
  hmac,
  publicKeyForms,
  rawSignature,
  signedByAttacker,
  signedByServer,
  signingInput,
  startListener,
  type Listener,
} from '../test-support/attacker.js';
import {
  MSG_REFRESH,
  MSG_TOKEN,
  ORIGIN,
  exchange,
  guestClaims,
  guestSession,
  guestToken,
  malleateSignature,
  refresh,
  sessionBody,
} from '../test-support/flowsHelpers.js';
import { serverTest as it } from '../test-support/serverTest.js';
import type { TestServer, TestWidget } from '../test-support/startTestServer.js';
import { expectTextError } from '../test-support/expectTextError.js';
import { changeLastCharacter } from '../test-support/changeLastCharacter.js';

let listener: Listener;

beforeAll(async () => {
  listener = await startListener();
});

afterAll(async () => {
  await listener.close();
});

it.afterEach(async ({ server, widget }) => {
  await expectServiceWorks(server, widget.clientKey);
  // No attack ever makes the service fetch anything (jku, x5u, kid as a URL).
  expect(listener.hits).toBe(0);
});

/** The server under attack and its widget: what each hostile token is forged from. */
interface Target {
  server: TestServer;
  widget: TestWidget;
}

const kid = ({ server }: Target) => server.keys.current().kid;
const claims = ({ server, widget }: Target, overrides: JWTPayload = {}): JWTPayload => ({
  ...guestClaims(server, widget.clientKey),
  ...overrides,
});
const nowSeconds = ({ server }: Target) => Math.floor(server.clock.now() / 1000);
const without = (payload: JWTPayload, claim: string): JWTPayload =>
  Object.fromEntries(Object.entries(payload).filter(([name]) => name !== claim));

interface Attack {
  name: string;
  token: (target: Target) => string | Promise<string>;
}

function refusedAtExchange(attacks: Attack[]) {
  for (const attack of attacks) {
    it(`refuses ${attack.name}`, async ({ server, widget }) => {
      const token = await attack.token({ server, widget });
      expectTextError(await exchange(server, token, ORIGIN), 400, MSG_TOKEN);
    });
  }
}

describe('control', () => {
  it('accepts a token this harness forges with the server key and sane claims (so the refusals below are meaningful)', async ({
    server,
    widget,
  }) => {
    sessionBody(
      await exchange(server, signedByServer(server, {}, claims({ server, widget })), ORIGIN),
    );
  });
});

describe('alg: none (RFC 8725 §2.1, CVE-2015-9235)', () => {
  const attacks: Attack[] = ['none', 'None', 'NONE', 'nOnE', 'NoNe'].flatMap((alg) => [
    {
      name: `alg "${alg}" with an empty signature`,
      token: (t) => `${signingInput({ alg, typ: 'visitor+jwt', kid: kid(t) }, claims(t))}.`,
    },
    {
      name: `alg "${alg}" carrying a real signature of the same input by the server key`,
      token: (t) => {
        const input = signingInput({ alg, typ: 'visitor+jwt', kid: kid(t) }, claims(t));
        return `${input}.${es256(t.server.keys.current().privateKey, input)}`;
      },
    },
  ]);
  refusedAtExchange(attacks);
});

describe('stripped and tampered signatures', () => {
  refusedAtExchange([
    {
      name: 'a stripped signature (trailing dot)',
      token: (t) => signedByServer(t.server, {}, claims(t)).replace(/[^.]+$/, ''),
    },
    {
      name: 'a stripped signature (two segments)',
      token: (t) => signedByServer(t.server, {}, claims(t)).replace(/\.[^.]+$/, ''),
    },
    {
      name: 'a real signature moved onto other claims (client_id of another widget)',
      token: (t) => {
        const [, , signature] = signedByServer(t.server, {}, claims(t)).split('.');
        return `${signingInput({ alg: 'ES256', typ: 'visitor+jwt', kid: kid(t) }, claims(t, { client_id: 'pk_live_OtherWidget00000000' }))}.${signature ?? ''}`;
      },
    },
    {
      name: 'a signature of the payload alone',
      token: (t) => {
        const header = encodeJson({ alg: 'ES256', typ: 'visitor+jwt', kid: kid(t) });
        const payload = encodeJson(claims(t));
        return `${header}.${payload}.${es256(t.server.keys.current().privateKey, payload)}`;
      },
    },
  ]);
});

describe('algorithm confusion: HMAC keyed with the public key (CVE-2016-10555, CVE-2023-48223)', () => {
  const attacks: Attack[] = (['HS256', 'HS384', 'HS512'] as const).flatMap((alg) =>
    (['PEM', 'PEM without trailing newline', 'JWK JSON', 'DER', 'raw EC point'] as const).map(
      (form) => ({
        name: `${alg} keyed with the JWKS public key as ${form}`,
        token: (t) => {
          const input = signingInput({ alg, typ: 'visitor+jwt', kid: kid(t) }, claims(t));
          return `${input}.${hmac(alg, publicKeyForms(t.server)[form], input)}`;
        },
      }),
    ),
  );
  refusedAtExchange(attacks);
});

describe('keys named by the token (RFC 8725 §3.10: jwk, jku, x5u, x5c)', () => {
  const attacker = attackerKey();
  const attackerKid = 'attacker-key-1';
  refusedAtExchange([
    {
      name: 'an embedded jwk header holding the attacker key (CVE-2018-0114)',
      token: (t) =>
        signedByAttacker(attacker, { kid: attackerKid, jwk: attacker.publicJwk }, claims(t)),
    },
    {
      name: "an embedded jwk header with the server's kid, signed by the attacker",
      token: (t) =>
        signedByAttacker(
          attacker,
          { kid: kid(t), jwk: { ...attacker.publicJwk, kid: kid(t) } },
          claims(t),
        ),
    },
    {
      name: "an embedded jwk header holding the server's own public key, signed by the server (the member alone is refused)",
      token: (t) =>
        signedByServer(
          t.server,
          { jwk: createPublicKey(t.server.keys.current().privateKey).export({ format: 'jwk' }) },
          claims(t),
        ),
    },
    {
      name: 'a jku header pointing at a listener',
      token: (t) =>
        signedByAttacker(
          attacker,
          { kid: attackerKid, jku: `${listener.url}/jwks.json` },
          claims(t),
        ),
    },
    {
      name: 'an x5u header pointing at a listener',
      token: (t) =>
        signedByAttacker(
          attacker,
          { kid: attackerKid, x5u: `${listener.url}/cert.pem` },
          claims(t),
        ),
    },
    {
      name: 'a jku header on a server-signed token',
      token: (t) => signedByServer(t.server, { jku: `${listener.url}/jwks.json` }, claims(t)),
    },
    {
      name: 'an x5u header on a server-signed token',
      token: (t) => signedByServer(t.server, { x5u: `${listener.url}/cert.pem` }, claims(t)),
    },
    {
      name: 'an x5c header with a chain',
      token: (t) =>
        signedByAttacker(
          attacker,
          { kid: attackerKid, x5c: [b64url('not a certificate')] },
          claims(t),
        ),
    },
    {
      name: 'an x5t header on a server-signed token',
      token: (t) => signedByServer(t.server, { 'x5t#S256': b64url('thumb') }, claims(t)),
    },
    {
      name: 'an unknown kid signed by the attacker',
      token: (t) => signedByAttacker(attacker, { kid: attackerKid }, claims(t)),
    },
    {
      name: "the server's kid signed by the attacker",
      token: (t) => signedByAttacker(attacker, { kid: kid(t) }, claims(t)),
    },
    {
      name: 'a kid that is a URL to a listener',
      token: (t) => signedByAttacker(attacker, { kid: `${listener.url}/key` }, claims(t)),
    },
  ]);
});

describe('kid injection (path traversal, SQL)', () => {
  const kids: [string, unknown][] = [
    ['path traversal to /dev/null', '../../../../../../../../dev/null'],
    ['an absolute /dev/null', '/dev/null'],
    ['path traversal to /etc/passwd', '../../../etc/passwd'],
    ['a tautology', "' OR '1'='1"],
    ['a UNION select of private keys', "x' UNION SELECT private_jwk FROM signing_keys--"],
    ['a stacked DROP TABLE', "1'; DROP TABLE signing_keys;--"],
    ['a NUL byte', `${'k'.repeat(8)}\u0000`],
    ['an empty string', ''],
    ['a wildcard', '*'],
    ['a 4 KB string', 'k'.repeat(4096)],
    ['a number', 1],
    ['null', null],
    ['an array holding the real kid', ['REAL']],
    ['an object', { $ne: null }],
  ];
  const attacks: Attack[] = kids.flatMap(([name, value]): Attack[] => {
    const resolve = (t: Target) => (Array.isArray(value) ? [kid(t)] : value);
    return [
      {
        name: `kid as ${name}, HS512 keyed with the empty string`,
        token: (t) => {
          const input = signingInput(
            { alg: 'HS512', typ: 'visitor+jwt', kid: resolve(t) },
            claims(t),
          );
          return `${input}.${hmac('HS512', '', input)}`;
        },
      },
      {
        name: `kid as ${name}, ES256 signed by the server key`,
        token: (t) => signedByServer(t.server, { kid: resolve(t) }, claims(t)),
      },
    ];
  });
  refusedAtExchange(attacks);

  it('still holds its signing keys after the injection attempts', async ({ server }) => {
    expect(await server.db.count('signing_keys')).toBeGreaterThanOrEqual(1);
  });
});

describe('ECDSA edge-case signatures ("psychic signatures", CVE-2022-21449)', () => {
  const cases: [string, bigint, bigint][] = [
    ['r = s = 0', 0n, 0n],
    ['r = s = n', P256_ORDER, P256_ORDER],
    ['r = 0, s = n', 0n, P256_ORDER],
    ['r = n, s = 0', P256_ORDER, 0n],
    ['r = s = n + 1', P256_ORDER + 1n, P256_ORDER + 1n],
    ['r = s = 1', 1n, 1n],
    ['r = s = 2^256 - 1', 2n ** 256n - 1n, 2n ** 256n - 1n],
  ];
  refusedAtExchange(
    cases.map(([name, r, s]) => ({
      name: `a signature with ${name}`,
      token: (t) =>
        `${signingInput({ alg: 'ES256', typ: 'visitor+jwt', kid: kid(t) }, claims(t))}.${rawSignature(r, s)}`,
    })),
  );
  refusedAtExchange([
    {
      name: 'a DER-encoded ES256 signature instead of raw r‖s',
      token: (t) => {
        const input = signingInput({ alg: 'ES256', typ: 'visitor+jwt', kid: kid(t) }, claims(t));
        return `${input}.${b64url(sign('sha256', Buffer.from(input), { key: t.server.keys.current().privateKey, dsaEncoding: 'der' }))}`;
      },
    },
  ]);
});

describe('header extensions (RFC 7515 §4.1.11 crit, RFC 7797 b64, zip)', () => {
  refusedAtExchange([
    {
      name: 'an unknown crit extension, signed by the server key',
      token: (t) =>
        signedByServer(
          t.server,
          { crit: ['x-kataven-unknown'], 'x-kataven-unknown': true },
          claims(t),
        ),
    },
    {
      name: 'crit naming a registered claim',
      token: (t) => signedByServer(t.server, { crit: ['exp'], exp: nowSeconds(t) + 60 }, claims(t)),
    },
    { name: 'an empty crit list', token: (t) => signedByServer(t.server, { crit: [] }, claims(t)) },
    {
      name: 'b64: false with an unencoded payload, signed by the server key',
      token: (t) => {
        const header = encodeJson({
          alg: 'ES256',
          typ: 'visitor+jwt',
          kid: kid(t),
          b64: false,
          crit: ['b64'],
        });
        const payload = JSON.stringify(claims(t));
        const signature = es256(t.server.keys.current().privateKey, `${header}.${payload}`);
        return `${header}.${payload}.${signature}`;
      },
    },
    {
      name: 'b64: false with a detached payload',
      token: (t) => {
        const header = encodeJson({
          alg: 'ES256',
          typ: 'visitor+jwt',
          kid: kid(t),
          b64: false,
          crit: ['b64'],
        });
        return `${header}..${es256(t.server.keys.current().privateKey, `${header}.${JSON.stringify(claims(t))}`)}`;
      },
    },
    {
      name: 'b64: false without crit',
      token: (t) => signedByServer(t.server, { b64: false }, claims(t)),
    },
    {
      name: 'a zip header (compressed claims)',
      token: (t) => signedByServer(t.server, { zip: 'DEF' }, claims(t)),
    },
    {
      name: 'an enc header on a JWS',
      token: (t) => signedByServer(t.server, { enc: 'A256GCM' }, claims(t)),
    },
    {
      name: 'a cty header nesting a JWT',
      token: (t) => signedByServer(t.server, { cty: 'JWT' }, claims(t)),
    },
  ]);
});

describe('other serialisations: JWE and JSON', () => {
  const jwe = (header: Record<string, unknown>) =>
    [
      encodeJson(header),
      b64url('key'),
      b64url('iv-iv-iv-iv'),
      b64url('ciphertext'),
      b64url('tag-tag-tag-tag'),
    ].join('.');
  refusedAtExchange([
    {
      name: 'a JWE-shaped token (5 parts, dir + A256GCM)',
      token: (t) => jwe({ alg: 'dir', enc: 'A256GCM', typ: 'visitor+jwt', kid: kid(t) }),
    },
    {
      name: 'a JWE with zip: DEF (decompression bomb, CVE-2024-28176)',
      token: () => jwe({ alg: 'ECDH-ES', enc: 'A256GCM', zip: 'DEF', epk: {} }),
    },
    {
      name: 'a JWE with PBES2 and a huge p2c (CVE-2022-36083)',
      token: () =>
        jwe({ alg: 'PBES2-HS512+A256KW', enc: 'A256GCM', p2c: 2 ** 31, p2s: b64url('salt') }),
    },
    {
      name: 'a flattened JSON serialisation of a valid token',
      token: (t) => {
        const [protectedHeader, payload, signature] = signedByServer(t.server, {}, claims(t)).split(
          '.',
        );
        return JSON.stringify({ protected: protectedHeader, payload, signature });
      },
    },
    {
      name: 'a general JSON serialisation of a valid token',
      token: (t) => {
        const [protectedHeader, payload, signature] = signedByServer(t.server, {}, claims(t)).split(
          '.',
        );
        return JSON.stringify({ payload, signatures: [{ protected: protectedHeader, signature }] });
      },
    },
    {
      name: 'a valid token with a trailing newline',
      token: (t) => `${signedByServer(t.server, {}, claims(t))}\n`,
    },
    {
      name: 'a valid token with surrounding spaces',
      token: (t) => ` ${signedByServer(t.server, {}, claims(t))} `,
    },
    {
      name: 'a valid token with base64 padding added',
      token: (t) => `${signedByServer(t.server, {}, claims(t))}==`,
    },
    {
      name: 'a valid token rewritten in standard base64 (+ and /)',
      token: (t) =>
        signedByServer(t.server, {}, claims(t))
          .split('.')
          .map((part) => Buffer.from(part, 'base64url').toString('base64'))
          .join('.'),
    },
    {
      name: 'a valid token with an extra segment',
      token: (t) => `${signedByServer(t.server, {}, claims(t))}.${b64url('x')}`,
    },
    {
      name: 'a token over 8 KB',
      token: (t) => signedByServer(t.server, {}, claims(t, { pad: 'p'.repeat(9000) })),
    },
  ]);

  it('refuses a JSON-serialised token sent as an object instead of a string', async ({
    server,
    widget,
  }) => {
    const [protectedHeader, payload, signature] = signedByServer(
      server,
      {},
      claims({ server, widget }),
    ).split('.');
    const res = await exchange(server, { protected: protectedHeader, payload, signature }, ORIGIN);
    expectTextError(res, 400, MSG_TOKEN);
  });
});

describe('tokens of the wrong type at each endpoint (RFC 8725 §3.11)', () => {
  refusedAtExchange([
    {
      name: 'a session JWT (at+jwt) at exchange',
      token: async (t) => (await guestSession(t.server, t.widget.clientKey)).token,
    },
    {
      name: 'a refresh token at exchange',
      token: async (t) => (await guestSession(t.server, t.widget.clientKey)).refresh_token,
    },
    {
      name: 'a visitor-shaped token typed at+jwt',
      token: (t) => signedByServer(t.server, { typ: 'at+jwt' }, claims(t)),
    },
    {
      name: 'a visitor-shaped token typed JWT',
      token: (t) => signedByServer(t.server, { typ: 'JWT' }, claims(t)),
    },
    {
      name: 'a visitor-shaped token typed application/visitor+jwt',
      token: (t) => signedByServer(t.server, { typ: 'application/visitor+jwt' }, claims(t)),
    },
    {
      name: 'a visitor-shaped token without typ',
      token: (t) => signedByServer(t.server, { typ: undefined }, claims(t)),
    },
    {
      name: 'the session audience',
      token: (t) => signedByServer(t.server, {}, claims(t, { aud: 'kataven:connect' })),
    },
    {
      name: 'an audience list that includes the visitor audience',
      token: (t) =>
        signedByServer(
          t.server,
          {},
          claims(t, { aud: ['kataven:widget-exchange', 'kataven:connect'] }),
        ),
    },
    {
      name: 'another issuer',
      token: (t) => signedByServer(t.server, {}, claims(t, { iss: 'https://evil.example.net' })),
    },
    {
      name: 'a kind that does not exist',
      token: (t) => signedByServer(t.server, {}, claims(t, { kind: 'admin' })),
    },
    {
      name: 'a guest token without the origin it was minted for',
      token: (t) => signedByServer(t.server, {}, without(claims(t), 'origin')),
    },
    {
      name: 'a user token without user_id',
      token: (t) => signedByServer(t.server, {}, without(claims(t, { kind: 'user' }), 'origin')),
    },
  ]);

  const refusedAtRefresh: Attack[] = [
    {
      name: 'a visitor JWT as a refresh token',
      token: async (t) => (await guestToken(t.server, t.widget.clientKey)).token,
    },
    {
      name: 'a session JWT as a refresh token',
      token: async (t) => (await guestSession(t.server, t.widget.clientKey)).token,
    },
    {
      name: 'a refresh token with its rt_ prefix stripped',
      token: async (t) => (await guestSession(t.server, t.widget.clientKey)).refresh_token.slice(3),
    },
    {
      name: 'a refresh token in upper case',
      token: async (t) =>
        (await guestSession(t.server, t.widget.clientKey)).refresh_token.toUpperCase(),
    },
    {
      name: 'a refresh token with one character changed',
      token: async (t) =>
        changeLastCharacter((await guestSession(t.server, t.widget.clientKey)).refresh_token),
    },
  ];
  for (const attack of refusedAtRefresh) {
    it(`refuses ${attack.name} at refresh`, async ({ server, widget }) => {
      expectTextError(
        await refresh(server, await attack.token({ server, widget }), ORIGIN),
        400,
        MSG_REFRESH,
      );
    });
  }
});

describe('time claims (RFC 7519 §4.1.4–4.1.6, max age)', () => {
  const now = nowSeconds;
  refusedAtExchange([
    {
      name: 'an expired token (past the 5 s tolerance)',
      token: (t) => signedByServer(t.server, {}, claims(t, { iat: now(t) - 130, exp: now(t) - 6 })),
    },
    {
      name: 'a not-yet-valid token (nbf in the future)',
      token: (t) => signedByServer(t.server, {}, claims(t, { nbf: now(t) + 60 })),
    },
    {
      name: 'a token issued in the future (iat + 60 s)',
      token: (t) =>
        signedByServer(t.server, {}, claims(t, { iat: now(t) + 60, exp: now(t) + 180 })),
    },
    {
      name: 'a token issued far in the future (iat + 10 years)',
      token: (t) =>
        signedByServer(
          t.server,
          {},
          claims(t, { iat: now(t) + 315_360_000, exp: now(t) + 315_360_120 }),
        ),
    },
    {
      name: 'a token older than the maximum age with a far exp',
      token: (t) =>
        signedByServer(t.server, {}, claims(t, { iat: now(t) - 600, exp: now(t) + 3600 })),
    },
    {
      name: 'a token without exp',
      token: (t) => signedByServer(t.server, {}, without(claims(t), 'exp')),
    },
    {
      name: 'a token without iat',
      token: (t) => signedByServer(t.server, {}, without(claims(t), 'iat')),
    },
    {
      name: 'a token without jti',
      token: (t) => signedByServer(t.server, {}, without(claims(t), 'jti')),
    },
    {
      name: 'a token without sub',
      token: (t) => signedByServer(t.server, {}, without(claims(t), 'sub')),
    },
    {
      name: 'exp as a string',
      token: (t) =>
        signedByServer(t.server, {}, claims(t, { exp: String(now(t) + 60) as unknown as number })),
    },
    {
      name: 'exp as a huge number',
      token: (t) => signedByServer(t.server, {}, claims(t, { exp: 1e308 })),
    },
    {
      name: 'iat as a negative number',
      token: (t) => signedByServer(t.server, {}, claims(t, { iat: -1 })),
    },
  ]);
});

describe('replay of a re-encoded (malleated, s → n − s) signature after first use', () => {
  it('refuses the malleated copy within the grace window and leaves the first session alive', async ({
    server,
    widget: { clientKey },
  }) => {
    const visitor = await guestToken(server, clientKey);
    const first = sessionBody(await exchange(server, visitor.token, ORIGIN));
    expectTextError(await exchange(server, malleateSignature(visitor.token), ORIGIN), 400, MSG_TOKEN);
    sessionBody(await refresh(server, first.refresh_token, ORIGIN));
  });

  it('refuses the malleated copy after the grace window and revokes the session the first exchange created', async ({
    server,
    widget: { clientKey },
  }) => {
    const visitor = await guestToken(server, clientKey);
    const first = sessionBody(await exchange(server, visitor.token, ORIGIN));
    server.clock.advance((server.config.refreshReuseGraceSeconds + 1) * 1000);
    expectTextError(await exchange(server, malleateSignature(visitor.token), ORIGIN), 400, MSG_TOKEN);
    expectTextError(await refresh(server, first.refresh_token, ORIGIN), 400, MSG_REFRESH);
  });

  it('refuses the malleated copy first presented before the original: only one of the two ever exchanges', async ({
    server,
    widget: { clientKey },
  }) => {
    const visitor = await guestToken(server, clientKey);
    sessionBody(await exchange(server, malleateSignature(visitor.token), ORIGIN));
    expectTextError(await exchange(server, visitor.token, ORIGIN), 400, MSG_TOKEN);
  });
});
