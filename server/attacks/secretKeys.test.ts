/**
 * Attacks on the secret key that authenticates `user-token` (RFC 6750, OWASP ASVS v5 V6/V9):
 * every malformed, foreign or misplaced credential answers 401 "Missing or invalid API key" with
 * the right `WWW-Authenticate` challenge, mints nothing, and leaves the service working.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSecretKey, createWidget, revokeSecretKey } from '../admin/index.js';
import { generateSecretKey } from '../keys/secretKey.js';
import { expectServiceWorks } from '../test-support/attacker.js';
import { expectTextError } from '../test-support/expectError.js';
import { ORIGIN, PATHS, visitorBody } from '../test-support/flowsHelpers.js';
import { request, type TestResponse } from '../test-support/http.js';
import { asTestResponse, rawRequest } from '../test-support/rawRequest.js';
import { startTestServer, type TestServer } from '../test-support/startTestServer.js';

const INVALID = 'Missing or invalid API key';
const CHALLENGE = 'Bearer realm="kataven"';
const INVALID_TOKEN = 'Bearer realm="kataven", error="invalid_token"';

let server: TestServer;
let clientKey: string;
let secretKey: string;
let revokedKey: string;
let testModeKey: string;
let otherAccountKey: string;

beforeAll(async () => {
  server = await startTestServer();
  const admin = { store: server.store, clock: server.clock };
  let accountId: string;
  ({ clientKey, secretKey, accountId } = await server.createWidget({ origins: [ORIGIN] }));
  const revoked = await createSecretKey(admin, { accountId, mode: 'live' });
  await revokeSecretKey(admin, revoked.key_id);
  revokedKey = revoked.secret_key;
  testModeKey = (await createSecretKey(admin, { accountId, mode: 'test' })).secret_key;
  otherAccountKey =
    (
      await createWidget(admin, {
        name: 'Other',
        origins: [ORIGIN],
        mode: 'live',
        guestEnabled: true,
      })
    ).secret_key ?? '';
});

afterAll(async () => {
  await server.close();
});

afterEach(async () => {
  await expectServiceWorks(server, clientKey);
  visitorBody(await mintWith({ authorization: `Bearer ${secretKey}` }));
});

function mintWith(
  headers: Record<string, string>,
  path: string = PATHS.userToken,
  body: Record<string, unknown> = {},
): Promise<TestResponse> {
  return request(server.baseUrl, path, {
    headers,
    body: { client_key: clientKey, user_id: 'u_attack', ...body },
  });
}

function expectUnauthorized(res: TestResponse, challenge: string) {
  expectTextError(res, 401, INVALID);
  expect(res.headers.get('www-authenticate')).toBe(challenge);
}

const flipLast = (key: string) => `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;

describe('credentials that are not a valid secret key (401, invalid_token)', () => {
  const cases: [string, () => string][] = [
    ['a pk_ client key sent as the secret', () => `Bearer ${clientKey}`],
    ['a key with a bad checksum', () => `Bearer ${flipLast(secretKey)}`],
    [
      'a key with a random-part typo (checksum no longer matches)',
      () =>
        `Bearer ${secretKey.slice(0, 15)}${secretKey[15] === 'a' ? 'b' : 'a'}${secretKey.slice(16)}`,
    ],
    ['a key truncated by one character', () => `Bearer ${secretKey.slice(0, -1)}`],
    ['a key truncated to its prefix', () => `Bearer ${secretKey.slice(0, 11)}`],
    ['a key with one character appended', () => `Bearer ${secretKey}x`],
    ['a key in lower case', () => `Bearer ${secretKey.toLowerCase()}`],
    ['a 10 KB key', () => `Bearer sk_live_kt_${'a'.repeat(10 * 1024)}`],
    ['a revoked key', () => `Bearer ${revokedKey}`],
    ['a well-formed key that was never issued', () => `Bearer ${generateSecretKey('live')}`],
    ['the old sk_live_ format without kt_', () => `Bearer sk_live_${secretKey.slice(11)}`],
    ['the Basic scheme', () => `Basic ${Buffer.from(`${secretKey}:`).toString('base64')}`],
    ['a Token scheme', () => `Token ${secretKey}`],
    ['the key with no scheme', () => secretKey],
    ['the scheme with no key', () => 'Bearer'],
    ['two spaces after the scheme', () => `Bearer  ${secretKey}`],
    ['the scheme twice', () => `Bearer Bearer ${secretKey}`],
    ['two credentials in one header', () => `Bearer ${secretKey}, Basic Zm9vOmJhcg==`],
    [
      'a key with a Latin-1 lookalike character',
      () => `Bearer ${secretKey.slice(0, 1)}\u00df${secretKey.slice(2)}`,
    ],
    ['a JWT instead of a key', () => `Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.`],
  ];
  for (const [name, header] of cases) {
    it(`refuses ${name}`, async () => {
      const value = header();
      const res = asTestResponse(
        await rawRequest(server.baseUrl, PATHS.userToken, {
          method: 'POST',
          headers: [
            ['authorization', value],
            ['content-type', 'application/json'],
          ],
          body: JSON.stringify({ client_key: clientKey, user_id: 'u_attack' }),
        }),
      );
      expectUnauthorized(res, INVALID_TOKEN);
    });
  }
});

describe('no credential where it belongs (401, bare challenge)', () => {
  it('refuses a request without Authorization', async () => {
    expectUnauthorized(await mintWith({}), CHALLENGE);
  });

  it('refuses an empty Authorization header', async () => {
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
    it(`refuses a valid key in the query string (?${parameter}=, RFC 6750 §2.3 is not supported)`, async () => {
      expectUnauthorized(
        await mintWith({}, `${PATHS.userToken}?${parameter}=${secretKey}`),
        CHALLENGE,
      );
    });
  }

  for (const field of ['access_token', 'secret_key', 'api_key', 'authorization']) {
    it(`refuses a valid key in the JSON body as ${field}`, async () => {
      expectUnauthorized(await mintWith({}, PATHS.userToken, { [field]: secretKey }), CHALLENGE);
    });
  }

  it('refuses a valid key as a form-encoded access_token (RFC 6750 §2.2) before reading it', async () => {
    const res = await request(server.baseUrl, PATHS.userToken, {
      rawBody: `access_token=${secretKey}&client_key=${clientKey}&user_id=u_attack`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectTextError(res, 415, 'Content-Type must be application/json');
  });

  it('refuses a valid key in a cookie', async () => {
    expectUnauthorized(
      await mintWith({ cookie: `secret_key=${secretKey}; authorization=Bearer%20${secretKey}` }),
      CHALLENGE,
    );
  });

  it('refuses a valid key in X-API-Key', async () => {
    expectUnauthorized(await mintWith({ 'x-api-key': secretKey }), CHALLENGE);
  });
});

describe('valid keys used where they do not reach', () => {
  it('answers 404 "Unknown client_key" to a test-mode key for a live widget', async () => {
    expectTextError(
      await mintWith({ authorization: `Bearer ${testModeKey}` }),
      404,
      'Unknown client_key',
    );
  });

  it('answers 404 "Unknown client_key" to another account\'s key', async () => {
    expectTextError(
      await mintWith({ authorization: `Bearer ${otherAccountKey}` }),
      404,
      'Unknown client_key',
    );
  });

  it('takes the first of two Authorization headers (Node drops repeats): an invalid first one is refused', async () => {
    const res = asTestResponse(
      await rawRequest(server.baseUrl, PATHS.userToken, {
        method: 'POST',
        headers: [
          ['authorization', [`Bearer ${flipLast(secretKey)}`, `Bearer ${secretKey}`]],
          ['content-type', 'application/json'],
        ],
        body: JSON.stringify({ client_key: clientKey, user_id: 'u_attack' }),
      }),
    );
    expectUnauthorized(res, INVALID_TOKEN);
  });

  it('cannot be used from a browser: the preflight gets no CORS headers at all', async () => {
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
