/**
 * Attacks on the secret key that authenticates `user-token` (RFC 6750, OWASP ASVS v5 V6/V9):
 * every malformed, foreign or misplaced credential answers 401 "Missing or invalid API key" with
 * the right `WWW-Authenticate` challenge, mints nothing, and leaves the service working.
 */
import { describe, expect } from 'vitest';
import { createSecretKey, createWidget, revokeSecretKey } from '../admin/index.js';
import { generateSecretKey } from '../keys/secretKey.js';
import { expectServiceWorks } from '../test-support/attacker.js';
import { ORIGIN, PATHS, visitorBody } from '../test-support/flowsHelpers.js';
import { request, type TestResponse } from '../test-support/http.js';
import { asTestResponse, rawRequest } from '../test-support/rawRequest.js';
import { serverTest } from '../test-support/serverTest.js';
import { expectTextError } from '../test-support/expectTextError.js';
import { changeLastCharacter } from '../test-support/changeLastCharacter.js';

const INVALID = 'Missing or invalid API key';
const CHALLENGE = 'Bearer realm="kataven"';
const INVALID_TOKEN = 'Bearer realm="kataven", error="invalid_token"';

/** The widget's own keys, and keys that must not work for it. */
interface Credentials {
  clientKey: string;
  secretKey: string;
  revokedKey: string;
  testModeKey: string;
  otherAccountKey: string;
}

const it = serverTest
  .extend('credentials', { scope: 'file' }, async ({ server, widget }): Promise<Credentials> => {
    const admin = { store: server.store, clock: server.clock };
    const { clientKey, secretKey, accountId } = widget;
    const revoked = await createSecretKey(admin, { accountId, mode: 'live' });
    await revokeSecretKey(admin, revoked.key_id);
    const testModeKey = (await createSecretKey(admin, { accountId, mode: 'test' })).secret_key;
    const otherAccountKey =
      (
        await createWidget(admin, {
          name: 'Other',
          origins: [ORIGIN],
          mode: 'live',
          guestEnabled: true,
        })
      ).secret_key ?? '';
    return { clientKey, secretKey, revokedKey: revoked.secret_key, testModeKey, otherAccountKey };
  })
  /** A user-token request for the widget with these headers (and body fields) only. */
  .extend(
    'mintWith',
    ({ server, credentials }) =>
      (
        headers: Record<string, string>,
        path: string = PATHS.userToken,
        body: Record<string, unknown> = {},
      ): Promise<TestResponse> =>
        request(server.baseUrl, path, {
          headers,
          body: { client_key: credentials.clientKey, user_id: 'u_attack', ...body },
        }),
  );

it.afterEach(async ({ server, credentials, mintWith }) => {
  await expectServiceWorks(server, credentials.clientKey);
  visitorBody(await mintWith({ authorization: `Bearer ${credentials.secretKey}` }));
});

function expectUnauthorized(res: TestResponse, challenge: string) {
  expectTextError(res, 401, INVALID);
  expect(res.headers.get('www-authenticate')).toBe(challenge);
}

describe('credentials that are not a valid secret key (401, invalid_token)', () => {
  const cases: [string, (credentials: Credentials) => string][] = [
    ['a pk_ client key sent as the secret', ({ clientKey }) => `Bearer ${clientKey}`],
    ['a key with a bad checksum', ({ secretKey }) => `Bearer ${changeLastCharacter(secretKey)}`],
    [
      'a key with a random-part typo (checksum no longer matches)',
      ({ secretKey }) =>
        `Bearer ${secretKey.slice(0, 15)}${secretKey[15] === 'a' ? 'b' : 'a'}${secretKey.slice(16)}`,
    ],
    ['a key truncated by one character', ({ secretKey }) => `Bearer ${secretKey.slice(0, -1)}`],
    ['a key truncated to its prefix', ({ secretKey }) => `Bearer ${secretKey.slice(0, 11)}`],
    ['a key with one character appended', ({ secretKey }) => `Bearer ${secretKey}x`],
    ['a key in lower case', ({ secretKey }) => `Bearer ${secretKey.toLowerCase()}`],
    ['a 10 KB key', () => `Bearer sk_live_kt_${'a'.repeat(10 * 1024)}`],
    ['a revoked key', ({ revokedKey }) => `Bearer ${revokedKey}`],
    ['a well-formed key that was never issued', () => `Bearer ${generateSecretKey('live')}`],
    [
      'the old sk_live_ format without kt_',
      ({ secretKey }) => `Bearer sk_live_${secretKey.slice(11)}`,
    ],
    [
      'the Basic scheme',
      ({ secretKey }) => `Basic ${Buffer.from(`${secretKey}:`).toString('base64')}`,
    ],
    ['a Token scheme', ({ secretKey }) => `Token ${secretKey}`],
    ['the key with no scheme', ({ secretKey }) => secretKey],
    ['the scheme with no key', () => 'Bearer'],
    ['two spaces after the scheme', ({ secretKey }) => `Bearer  ${secretKey}`],
    ['the scheme twice', ({ secretKey }) => `Bearer Bearer ${secretKey}`],
    ['two credentials in one header', ({ secretKey }) => `Bearer ${secretKey}, Basic Zm9vOmJhcg==`],
    [
      'a key with a Latin-1 lookalike character',
      ({ secretKey }) => `Bearer ${secretKey.slice(0, 1)}\u00df${secretKey.slice(2)}`,
    ],
    ['a JWT instead of a key', () => `Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.`],
  ];
  for (const [name, header] of cases) {
    it(`refuses ${name}`, async ({ server, credentials }) => {
      const value = header(credentials);
      const res = asTestResponse(
        await rawRequest(server.baseUrl, PATHS.userToken, {
          method: 'POST',
          headers: [
            ['authorization', value],
            ['content-type', 'application/json'],
          ],
          body: JSON.stringify({ client_key: credentials.clientKey, user_id: 'u_attack' }),
        }),
      );
      expectUnauthorized(res, INVALID_TOKEN);
    });
  }
});

describe('no credential where it belongs (401, bare challenge)', () => {
  it('refuses a request without Authorization', async ({ mintWith }) => {
    expectUnauthorized(await mintWith({}), CHALLENGE);
  });

  it('refuses an empty Authorization header', async ({ server, credentials: { clientKey } }) => {
    const res = asTestResponse(
      await rawRequest(server.baseUrl, PATHS.userToken, {
        method: 'POST',
        headers: [
          ['authorization', ''],
          ['content-type', 'application/json'],
        ],
        body: JSON.stringify({ client_key: clientKey, user_id: 'u_attack' }),
      }),
    );
    expectUnauthorized(res, CHALLENGE);
  });

  for (const parameter of ['access_token', 'api_key', 'key', 'secret_key']) {
    it(`refuses a valid key in the query string (?${parameter}=, RFC 6750 §2.3 is not supported)`, async ({
      credentials: { secretKey },
      mintWith,
    }) => {
      expectUnauthorized(
        await mintWith({}, `${PATHS.userToken}?${parameter}=${secretKey}`),
        CHALLENGE,
      );
    });
  }

  for (const field of ['access_token', 'secret_key', 'api_key', 'authorization']) {
    it(`refuses a valid key in the JSON body as ${field}`, async ({
      credentials: { secretKey },
      mintWith,
    }) => {
      expectUnauthorized(await mintWith({}, PATHS.userToken, { [field]: secretKey }), CHALLENGE);
    });
  }

  it('refuses a valid key as a form-encoded access_token (RFC 6750 §2.2) before reading it', async ({
    server,
    credentials: { clientKey, secretKey },
  }) => {
    const res = await request(server.baseUrl, PATHS.userToken, {
      rawBody: `access_token=${secretKey}&client_key=${clientKey}&user_id=u_attack`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectTextError(res, 415, 'Content-Type must be application/json');
  });

  it('refuses a valid key in a cookie', async ({ credentials: { secretKey }, mintWith }) => {
    expectUnauthorized(
      await mintWith({ cookie: `secret_key=${secretKey}; authorization=Bearer%20${secretKey}` }),
      CHALLENGE,
    );
  });

  it('refuses a valid key in X-API-Key', async ({ credentials: { secretKey }, mintWith }) => {
    expectUnauthorized(await mintWith({ 'x-api-key': secretKey }), CHALLENGE);
  });
});

describe('valid keys used where they do not reach', () => {
  it('answers 404 "Unknown client_key" to a test-mode key for a live widget', async ({
    credentials: { testModeKey },
    mintWith,
  }) => {
    expectTextError(
      await mintWith({ authorization: `Bearer ${testModeKey}` }),
      404,
      'Unknown client_key',
    );
  });

  it('answers 404 "Unknown client_key" to another account\'s key', async ({
    credentials: { otherAccountKey },
    mintWith,
  }) => {
    expectTextError(
      await mintWith({ authorization: `Bearer ${otherAccountKey}` }),
      404,
      'Unknown client_key',
    );
  });

  it('takes the first of two Authorization headers (Node drops repeats): an invalid first one is refused', async ({
    server,
    credentials: { clientKey, secretKey },
  }) => {
    const res = asTestResponse(
      await rawRequest(server.baseUrl, PATHS.userToken, {
        method: 'POST',
        headers: [
          ['authorization', [`Bearer ${changeLastCharacter(secretKey)}`, `Bearer ${secretKey}`]],
          ['content-type', 'application/json'],
        ],
        body: JSON.stringify({ client_key: clientKey, user_id: 'u_attack' }),
      }),
    );
    expectUnauthorized(res, INVALID_TOKEN);
  });

  it('cannot be used from a browser: the preflight gets no CORS headers at all', async ({
    server,
  }) => {
    const res = await request(server.baseUrl, PATHS.userToken, {
      method: 'OPTIONS',
      origin: ORIGIN,
      headers: {
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect([...res.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual(
      [],
    );
  });
});
