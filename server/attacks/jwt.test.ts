/**
 * Attacks on the visitor JWT that `/exchange` accepts, after RFC 8725 (JWT BCP), the PortSwigger
 * JWT research, jwt_tool's attack list and CVEs in JWT libraries. Each hostile token must be
 * answered 400 "Missing or expired token", and the service must work normally afterwards.
 */
import { createPublicKey, sign } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
  expectError,
  guestClaims,
  guestSession,
  guestToken,
  malleateSignature,
  queryCount,
  refresh,
  sessionBody,
} from '../test-support/flowsHelpers.js';
import { startTestServer, type TestServer } from '../test-support/startTestServer.js';

let server: TestServer;
let clientKey: string;
let listener: Listener;

beforeAll(async () => {
  server = await startTestServer();
  ({ clientKey } = await server.createWidget({ origins: [ORIGIN] }));
  listener = await startListener();
});

afterAll(async () => {
  await listener.close();
  await server.close();
});

afterEach(async () => {
  await expectServiceWorks(server, clientKey);
  // No attack ever makes the service fetch anything (jku, x5u, kid as a URL).
  expect(listener.hits).toBe(0);
});

const kid = () => server.keys.current().kid;
const claims = (overrides: JWTPayload = {}): JWTPayload => ({
  ...guestClaims(server, clientKey),
  ...overrides,
});
const nowSeconds = () => Math.floor(server.clock.now() / 1000);
const without = (payload: JWTPayload, claim: string): JWTPayload =>
  Object.fromEntries(Object.entries(payload).filter(([name]) => name !== claim));

interface Attack {
  name: string;
  token: () => string | Promise<string>;
}

function refusedAtExchange(attacks: Attack[]) {
  for (const attack of attacks) {
    it(`refuses ${attack.name}`, async () => {
      const token = await attack.token();
      expectError(await exchange(server, token, ORIGIN), 400, MSG_TOKEN);
    });
  }
}

describe('control', () => {
  it('accepts a token this harness forges with the server key and sane claims (so the refusals below are meaningful)', async () => {
    sessionBody(await exchange(server, signedByServer(server, {}, claims()), ORIGIN));
  });
});

describe('alg: none (RFC 8725 §2.1, CVE-2015-9235)', () => {
  const attacks: Attack[] = ['none', 'None', 'NONE', 'nOnE', 'NoNe'].flatMap((alg) => [
    {
      name: `alg "${alg}" with an empty signature`,
      token: () => `${signingInput({ alg, typ: 'visitor+jwt', kid: kid() }, claims())}.`,
    },
    {
      name: `alg "${alg}" carrying a real signature of the same input by the server key`,
      token: () => {
        const input = signingInput({ alg, typ: 'visitor+jwt', kid: kid() }, claims());
        return `${input}.${es256(server.keys.current().privateKey, input)}`;
      },
    },
  ]);
  refusedAtExchange(attacks);
});

describe('stripped and tampered signatures', () => {
  refusedAtExchange([
    {
      name: 'a stripped signature (trailing dot)',
      token: () => signedByServer(server, {}, claims()).replace(/[^.]+$/, ''),
    },
    {
      name: 'a stripped signature (two segments)',
      token: () => signedByServer(server, {}, claims()).replace(/\.[^.]+$/, ''),
    },
    {
      name: 'a real signature moved onto other claims (client_id of another widget)',
      token: () => {
        const [, , signature] = signedByServer(server, {}, claims()).split('.');
        return `${signingInput({ alg: 'ES256', typ: 'visitor+jwt', kid: kid() }, claims({ client_id: 'pk_live_OtherWidget00000000' }))}.${signature ?? ''}`;
      },
    },
    {
      name: 'a signature of the payload alone',
      token: () => {
        const header = encodeJson({ alg: 'ES256', typ: 'visitor+jwt', kid: kid() });
        const payload = encodeJson(claims());
        return `${header}.${payload}.${es256(server.keys.current().privateKey, payload)}`;
      },
    },
  ]);
});

describe('algorithm confusion: HMAC keyed with the public key (CVE-2016-10555, CVE-2023-48223)', () => {
  const attacks: Attack[] = (['HS256', 'HS384', 'HS512'] as const).flatMap((alg) =>
    (['PEM', 'PEM without trailing newline', 'JWK JSON', 'DER', 'raw EC point'] as const).map(
      (form) => ({
        name: `${alg} keyed with the JWKS public key as ${form}`,
        token: () => {
          const input = signingInput({ alg, typ: 'visitor+jwt', kid: kid() }, claims());
          return `${input}.${hmac(alg, publicKeyForms(server)[form], input)}`;
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
      token: () =>
        signedByAttacker(attacker, { kid: attackerKid, jwk: attacker.publicJwk }, claims()),
    },
    {
      name: "an embedded jwk header with the server's kid, signed by the attacker",
      token: () =>
        signedByAttacker(
          attacker,
          { kid: kid(), jwk: { ...attacker.publicJwk, kid: kid() } },
          claims(),
        ),
    },
    {
      name: "an embedded jwk header holding the server's own public key, signed by the server (the member alone is refused)",
      token: () =>
        signedByServer(
          server,
          { jwk: createPublicKey(server.keys.current().privateKey).export({ format: 'jwk' }) },
          claims(),
        ),
    },
    {
      name: 'a jku header pointing at a listener',
      token: () =>
        signedByAttacker(
          attacker,
          { kid: attackerKid, jku: `${listener.url}/jwks.json` },
          claims(),
        ),
    },
    {
      name: 'an x5u header pointing at a listener',
      token: () =>
        signedByAttacker(attacker, { kid: attackerKid, x5u: `${listener.url}/cert.pem` }, claims()),
    },
    {
      name: 'a jku header on a server-signed token',
      token: () => signedByServer(server, { jku: `${listener.url}/jwks.json` }, claims()),
    },
    {
      name: 'an x5u header on a server-signed token',
      token: () => signedByServer(server, { x5u: `${listener.url}/cert.pem` }, claims()),
    },
    {
      name: 'an x5c header with a chain',
      token: () =>
        signedByAttacker(
          attacker,
          { kid: attackerKid, x5c: [b64url('not a certificate')] },
          claims(),
        ),
    },
    {
      name: 'an x5t header on a server-signed token',
      token: () => signedByServer(server, { 'x5t#S256': b64url('thumb') }, claims()),
    },
    {
      name: 'an unknown kid signed by the attacker',
      token: () => signedByAttacker(attacker, { kid: attackerKid }, claims()),
    },
    {
      name: "the server's kid signed by the attacker",
      token: () => signedByAttacker(attacker, { kid: kid() }, claims()),
    },
    {
      name: 'a kid that is a URL to a listener',
      token: () => signedByAttacker(attacker, { kid: `${listener.url}/key` }, claims()),
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
    const resolve = () => (Array.isArray(value) ? [kid()] : value);
    return [
      {
        name: `kid as ${name}, HS512 keyed with the empty string`,
        token: () => {
          const input = signingInput(
            { alg: 'HS512', typ: 'visitor+jwt', kid: resolve() },
            claims(),
          );
          return `${input}.${hmac('HS512', '', input)}`;
        },
      },
      {
        name: `kid as ${name}, ES256 signed by the server key`,
        token: () => signedByServer(server, { kid: resolve() }, claims()),
      },
    ];
  });
  refusedAtExchange(attacks);

  it('still holds its signing keys after the injection attempts', () => {
    expect(queryCount(server, 'SELECT COUNT(*) FROM signing_keys')).toBeGreaterThanOrEqual(1);
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
      token: () =>
        `${signingInput({ alg: 'ES256', typ: 'visitor+jwt', kid: kid() }, claims())}.${rawSignature(r, s)}`,
    })),
  );
  refusedAtExchange([
    {
      name: 'a DER-encoded ES256 signature instead of raw r‖s',
      token: () => {
        const input = signingInput({ alg: 'ES256', typ: 'visitor+jwt', kid: kid() }, claims());
        return `${input}.${b64url(sign('sha256', Buffer.from(input), { key: server.keys.current().privateKey, dsaEncoding: 'der' }))}`;
      },
    },
  ]);
});

describe('header extensions (RFC 7515 §4.1.11 crit, RFC 7797 b64, zip)', () => {
  refusedAtExchange([
    {
      name: 'an unknown crit extension, signed by the server key',
      token: () =>
        signedByServer(
          server,
          { crit: ['x-kataven-unknown'], 'x-kataven-unknown': true },
          claims(),
        ),
    },
    {
      name: 'crit naming a registered claim',
      token: () => signedByServer(server, { crit: ['exp'], exp: nowSeconds() + 60 }, claims()),
    },
    { name: 'an empty crit list', token: () => signedByServer(server, { crit: [] }, claims()) },
    {
      name: 'b64: false with an unencoded payload, signed by the server key',
      token: () => {
        const header = encodeJson({
          alg: 'ES256',
          typ: 'visitor+jwt',
          kid: kid(),
          b64: false,
          crit: ['b64'],
        });
        const payload = JSON.stringify(claims());
        const signature = es256(server.keys.current().privateKey, `${header}.${payload}`);
        return `${header}.${payload}.${signature}`;
      },
    },
    {
      name: 'b64: false with a detached payload',
      token: () => {
        const header = encodeJson({
          alg: 'ES256',
          typ: 'visitor+jwt',
          kid: kid(),
          b64: false,
          crit: ['b64'],
        });
        return `${header}..${es256(server.keys.current().privateKey, `${header}.${JSON.stringify(claims())}`)}`;
      },
    },
    {
      name: 'b64: false without crit',
      token: () => signedByServer(server, { b64: false }, claims()),
    },
    {
      name: 'a zip header (compressed claims)',
      token: () => signedByServer(server, { zip: 'DEF' }, claims()),
    },
    {
      name: 'an enc header on a JWS',
      token: () => signedByServer(server, { enc: 'A256GCM' }, claims()),
    },
    {
      name: 'a cty header nesting a JWT',
      token: () => signedByServer(server, { cty: 'JWT' }, claims()),
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
      token: () => jwe({ alg: 'dir', enc: 'A256GCM', typ: 'visitor+jwt', kid: kid() }),
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
      token: () => {
        const [protectedHeader, payload, signature] = signedByServer(server, {}, claims()).split(
          '.',
        );
        return JSON.stringify({ protected: protectedHeader, payload, signature });
      },
    },
    {
      name: 'a general JSON serialisation of a valid token',
      token: () => {
        const [protectedHeader, payload, signature] = signedByServer(server, {}, claims()).split(
          '.',
        );
        return JSON.stringify({ payload, signatures: [{ protected: protectedHeader, signature }] });
      },
    },
    {
      name: 'a valid token with a trailing newline',
      token: () => `${signedByServer(server, {}, claims())}\n`,
    },
    {
      name: 'a valid token with surrounding spaces',
      token: () => ` ${signedByServer(server, {}, claims())} `,
    },
    {
      name: 'a valid token with base64 padding added',
      token: () => `${signedByServer(server, {}, claims())}==`,
    },
    {
      name: 'a valid token rewritten in standard base64 (+ and /)',
      token: () =>
        signedByServer(server, {}, claims())
          .split('.')
          .map((part) => Buffer.from(part, 'base64url').toString('base64'))
          .join('.'),
    },
    {
      name: 'a valid token with an extra segment',
      token: () => `${signedByServer(server, {}, claims())}.${b64url('x')}`,
    },
    {
      name: 'a token over 8 KB',
      token: () => signedByServer(server, {}, claims({ pad: 'p'.repeat(9000) })),
    },
  ]);

  it('refuses a JSON-serialised token sent as an object instead of a string', async () => {
    const [protectedHeader, payload, signature] = signedByServer(server, {}, claims()).split('.');
    const res = await exchange(server, { protected: protectedHeader, payload, signature }, ORIGIN);
    expectError(res, 400, MSG_TOKEN);
  });
});

describe('tokens of the wrong type at each endpoint (RFC 8725 §3.11)', () => {
  refusedAtExchange([
    {
      name: 'a session JWT (at+jwt) at exchange',
      token: async () => (await guestSession(server, clientKey)).token,
    },
    {
      name: 'a refresh token at exchange',
      token: async () => (await guestSession(server, clientKey)).refresh_token,
    },
    {
      name: 'a visitor-shaped token typed at+jwt',
      token: () => signedByServer(server, { typ: 'at+jwt' }, claims()),
    },
    {
      name: 'a visitor-shaped token typed JWT',
      token: () => signedByServer(server, { typ: 'JWT' }, claims()),
    },
    {
      name: 'a visitor-shaped token typed application/visitor+jwt',
      token: () => signedByServer(server, { typ: 'application/visitor+jwt' }, claims()),
    },
    {
      name: 'a visitor-shaped token without typ',
      token: () => signedByServer(server, { typ: undefined }, claims()),
    },
    {
      name: 'the session audience',
      token: () => signedByServer(server, {}, claims({ aud: 'kataven:connect' })),
    },
    {
      name: 'an audience list that includes the visitor audience',
      token: () =>
        signedByServer(server, {}, claims({ aud: ['kataven:widget-exchange', 'kataven:connect'] })),
    },
    {
      name: 'another issuer',
      token: () => signedByServer(server, {}, claims({ iss: 'https://evil.example.net' })),
    },
    {
      name: 'a kind that does not exist',
      token: () => signedByServer(server, {}, claims({ kind: 'admin' })),
    },
    {
      name: 'a guest token without the origin it was minted for',
      token: () => signedByServer(server, {}, without(claims(), 'origin')),
    },
    {
      name: 'a user token without user_id',
      token: () => signedByServer(server, {}, without(claims({ kind: 'user' }), 'origin')),
    },
  ]);

  const refusedAtRefresh: Attack[] = [
    {
      name: 'a visitor JWT as a refresh token',
      token: async () => (await guestToken(server, clientKey)).token,
    },
    {
      name: 'a session JWT as a refresh token',
      token: async () => (await guestSession(server, clientKey)).token,
    },
    {
      name: 'a refresh token with its rt_ prefix stripped',
      token: async () => (await guestSession(server, clientKey)).refresh_token.slice(3),
    },
    {
      name: 'a refresh token in upper case',
      token: async () => (await guestSession(server, clientKey)).refresh_token.toUpperCase(),
    },
    {
      name: 'a refresh token with one character changed',
      token: async () => `${(await guestSession(server, clientKey)).refresh_token.slice(0, -1)}0`,
    },
  ];
  for (const attack of refusedAtRefresh) {
    it(`refuses ${attack.name} at refresh`, async () => {
      expectError(await refresh(server, await attack.token(), ORIGIN), 400, MSG_REFRESH);
    });
  }
});

describe('time claims (RFC 7519 §4.1.4–4.1.6, max age)', () => {
  const now = nowSeconds;
  refusedAtExchange([
    {
      name: 'an expired token (past the 5 s tolerance)',
      token: () => signedByServer(server, {}, claims({ iat: now() - 130, exp: now() - 6 })),
    },
    {
      name: 'a not-yet-valid token (nbf in the future)',
      token: () => signedByServer(server, {}, claims({ nbf: now() + 60 })),
    },
    {
      name: 'a token issued in the future (iat + 60 s)',
      token: () => signedByServer(server, {}, claims({ iat: now() + 60, exp: now() + 180 })),
    },
    {
      name: 'a token issued far in the future (iat + 10 years)',
      token: () =>
        signedByServer(server, {}, claims({ iat: now() + 315_360_000, exp: now() + 315_360_120 })),
    },
    {
      name: 'a token older than the maximum age with a far exp',
      token: () => signedByServer(server, {}, claims({ iat: now() - 600, exp: now() + 3600 })),
    },
    {
      name: 'a token without exp',
      token: () => signedByServer(server, {}, without(claims(), 'exp')),
    },
    {
      name: 'a token without iat',
      token: () => signedByServer(server, {}, without(claims(), 'iat')),
    },
    {
      name: 'a token without jti',
      token: () => signedByServer(server, {}, without(claims(), 'jti')),
    },
    {
      name: 'a token without sub',
      token: () => signedByServer(server, {}, without(claims(), 'sub')),
    },
    {
      name: 'exp as a string',
      token: () =>
        signedByServer(server, {}, claims({ exp: String(now() + 60) as unknown as number })),
    },
    {
      name: 'exp as a huge number',
      token: () => signedByServer(server, {}, claims({ exp: 1e308 })),
    },
    {
      name: 'iat as a negative number',
      token: () => signedByServer(server, {}, claims({ iat: -1 })),
    },
  ]);
});

describe('replay of a re-encoded (malleated, s → n − s) signature after first use', () => {
  it('refuses the malleated copy within the grace window and leaves the first session alive', async () => {
    const visitor = await guestToken(server, clientKey);
    const first = sessionBody(await exchange(server, visitor.token, ORIGIN));
    expectError(await exchange(server, malleateSignature(visitor.token), ORIGIN), 400, MSG_TOKEN);
    sessionBody(await refresh(server, first.refresh_token, ORIGIN));
  });

  it('refuses the malleated copy after the grace window and revokes the session the first exchange created', async () => {
    const visitor = await guestToken(server, clientKey);
    const first = sessionBody(await exchange(server, visitor.token, ORIGIN));
    server.clock.advance((server.config.refreshReuseGraceSeconds + 1) * 1000);
    expectError(await exchange(server, malleateSignature(visitor.token), ORIGIN), 400, MSG_TOKEN);
    expectError(await refresh(server, first.refresh_token, ORIGIN), 400, MSG_REFRESH);
  });

  it('refuses the malleated copy first presented before the original: only one of the two ever exchanges', async () => {
    const visitor = await guestToken(server, clientKey);
    sessionBody(await exchange(server, malleateSignature(visitor.token), ORIGIN));
    expectError(await exchange(server, visitor.token, ORIGIN), 400, MSG_TOKEN);
  });
});
