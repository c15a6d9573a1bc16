/**
 * Helpers for the flow tests (`server/flows/*.test.ts`). They talk to the server only over HTTP
 * and read its database directly (`server.db`); token checks use jose against the published
 * JWKS, never the server's own verification code, so the two implementations check each other.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  SignJWT,
  createLocalJWKSet,
  jwtVerify,
  type JSONWebKeySet,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  type JWTVerifyResult,
} from 'jose';
import { expect } from 'vitest';
import * as z from 'zod';
import { request, type TestResponse } from './http.js';
import { PATHS } from './paths.js';
import { ORIGIN } from './origins.js';
import { startTestServer, type TestServer, type TestServerOptions } from './startTestServer.js';

export { FOREIGN_ORIGIN, ORIGIN, OTHER_ORIGIN } from './origins.js';

export const SESSION_TYP = 'at+jwt';
export const SESSION_AUDIENCE = 'kataven:connect';
export const VISITOR_TYP = 'visitor+jwt';
export const VISITOR_AUDIENCE = 'kataven:widget-exchange';

export const MSG_TOKEN = 'Missing or expired token';
export const MSG_REFRESH = 'Missing or expired refresh_token';
export const MSG_ORIGIN = 'Origin not in allowlist for this client_key';

export { PATHS } from './paths.js';

/** The answers' shapes, written here independently of the contract (not imported from it). */
const isoInstant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
export const VisitorTokenBody = z.object({
  token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().positive(),
  expires_at: isoInstant,
  visitor_id: z.string().regex(/^vis_/),
  user_id: z.string().optional(),
});
export type VisitorTokenBody = z.infer<typeof VisitorTokenBody>;

export const SessionTokenBody = z.object({
  token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().positive(),
  expires_at: isoInstant,
  refresh_token: z.string(),
  refresh_expires_at: isoInstant,
  visitor: z.object({
    id: z.string(),
    kind: z.enum(['guest', 'user']),
    user_id: z.string().nullable(),
    name: z.string().nullable(),
  }),
});
export type SessionTokenBody = z.infer<typeof SessionTokenBody>;

/** Where a request goes: the test server, or another instance on its database. */
export type Target = Pick<TestServer, 'baseUrl'>;

const withOrigin = (origin: string | undefined) => (origin === undefined ? {} : { origin });

/** Starts a server for the body of one test and always closes it. */
export async function withServer<T>(
  options: TestServerOptions,
  body: (server: TestServer) => Promise<T>,
): Promise<T> {
  const server = await startTestServer(options);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

export function mintGuest(
  server: Target,
  clientKey: string,
  origin: string | undefined,
): Promise<TestResponse> {
  return request(server.baseUrl, PATHS.guest, {
    ...withOrigin(origin),
    body: { client_key: clientKey },
  });
}

export function mintUser(
  server: Target,
  clientKey: string,
  secretKey: string,
  body: Record<string, unknown>,
): Promise<TestResponse> {
  return request(server.baseUrl, PATHS.userToken, {
    headers: { authorization: `Bearer ${secretKey}` },
    body: { client_key: clientKey, ...body },
  });
}

export function exchange(
  server: Target,
  token: unknown,
  origin: string | undefined,
): Promise<TestResponse> {
  return request(server.baseUrl, PATHS.exchange, {
    ...withOrigin(origin),
    body: token === undefined ? {} : { token },
  });
}

export function refresh(
  server: Target,
  refreshToken: unknown,
  origin: string | undefined,
): Promise<TestResponse> {
  return request(server.baseUrl, PATHS.refresh, {
    ...withOrigin(origin),
    body: refreshToken === undefined ? {} : { refresh_token: refreshToken },
  });
}

export function logout(
  server: Target,
  refreshToken: unknown,
  origin: string | undefined = ORIGIN,
): Promise<TestResponse> {
  return request(server.baseUrl, PATHS.logout, {
    ...withOrigin(origin),
    body: refreshToken === undefined ? {} : { refresh_token: refreshToken },
  });
}

/** Asserts a 200 visitor-token answer and returns its typed body. */
export function visitorBody(res: TestResponse): VisitorTokenBody {
  expect(res.status, res.text).toBe(200);
  return VisitorTokenBody.parse(res.json);
}

/** Asserts a 200 session-token answer and returns its typed body. */
export function sessionBody(res: TestResponse): SessionTokenBody {
  expect(res.status, res.text).toBe(200);
  return SessionTokenBody.parse(res.json);
}

/** A guest visitor token for the widget, minted from `origin`. */
export async function guestToken(
  server: TestServer,
  clientKey: string,
  origin = ORIGIN,
): Promise<VisitorTokenBody> {
  return visitorBody(await mintGuest(server, clientKey, origin));
}

/** A guest session: guest → exchange from `origin`. */
export async function guestSession(
  server: TestServer,
  clientKey: string,
  origin = ORIGIN,
): Promise<SessionTokenBody> {
  const visitor = await guestToken(server, clientKey, origin);
  return sessionBody(await exchange(server, visitor.token, origin));
}

/** The JWKS as served over HTTP; every key must carry a `kid`. */
export async function fetchJwks(
  server: TestServer,
): Promise<JSONWebKeySet & { keys: (JWK & { kid: string })[] }> {
  const res = await request(server.baseUrl, PATHS.jwks);
  expect(res.status, res.text).toBe(200);
  return z
    .object({ keys: z.array(z.object({ kid: z.string() }).catchall(z.unknown())) })
    .parse(res.json);
}

/**
 * Verifies a JWT with jose against the JWKS fetched over HTTP, pinning the algorithm, `typ`,
 * issuer and audience, at the server's (manual) clock time.
 */
export async function verifyIndependently(
  server: TestServer,
  token: string,
  expected: { typ: string; audience: string },
): Promise<JWTVerifyResult> {
  const jwks = createLocalJWKSet(await fetchJwks(server));
  return jwtVerify(token, jwks, {
    algorithms: ['ES256'],
    typ: expected.typ,
    issuer: server.config.issuer,
    audience: expected.audience,
    currentDate: new Date(server.clock.now()),
  });
}

/** SHA-256 hex of a refresh token: all the store keeps of it (computed independently). */
export function refreshTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The row id a refresh token carries: `rtk_` + its 24 characters after `rt_` (computed independently). */
export function refreshTokenRowId(token: string): string {
  return `rtk_${token.slice('rt_'.length, 'rt_'.length + 24)}`;
}

const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const toBigInt = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
const toBytes32 = (value: bigint) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');

/**
 * The same token with its ES256 signature (r, s) replaced by (r, n − s): a different text
 * that still verifies (ECDSA signatures are malleable; JWS does not require low-s).
 */
export function malleateSignature(token: string): string {
  const [header, payload, signature] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined)
    throw new Error('not a compact JWS');
  const raw = Buffer.from(signature, 'base64url');
  if (raw.length !== 64) throw new Error(`unexpected ES256 signature length ${raw.length}`);
  const s = toBigInt(raw.subarray(32));
  const flipped = Buffer.concat([raw.subarray(0, 32), toBytes32(P256_ORDER - s)]);
  return `${header}.${payload}.${flipped.toString('base64url')}`;
}

/** The same token with one byte of its signature changed. */
export function tamperSignature(token: string): string {
  const [header, payload, signature] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined)
    throw new Error('not a compact JWS');
  const raw = Buffer.from(signature, 'base64url');
  raw[10] = (raw[10] ?? 0) ^ 0x01;
  return `${header}.${payload}.${raw.toString('base64url')}`;
}

/**
 * A token signed by jose (not the server's signer) with the server's current private key: the
 * claims and header are whatever the test says, so each verification check can be probed alone.
 * `header` members replace the defaults (`alg: ES256`, `typ: visitor+jwt`, the current `kid`).
 */
export function craftToken(
  server: TestServer,
  claims: JWTPayload,
  header: Partial<JWTHeaderParameters> = {},
): Promise<string> {
  const key = server.keys.current();
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: VISITOR_TYP, kid: key.kid, ...header })
    .sign(key.privateKey);
}

/** The claims of a well-formed guest visitor token for the widget, at the server's clock. */
export function guestClaims(server: TestServer, clientKey: string, origin = ORIGIN): JWTPayload {
  const iat = Math.floor(server.clock.now() / 1000);
  return {
    iss: server.config.issuer,
    aud: VISITOR_AUDIENCE,
    sub: `vis_${randomBytes(12).toString('hex')}`,
    client_id: clientKey,
    iat,
    exp: iat + 120,
    jti: randomBytes(16).toString('base64url'),
    kind: 'guest',
    origin,
  };
}
