import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTVerifyOptions,
} from 'jose';
import {
  DEFAULT_SESSION_AUDIENCE,
  SESSION_TOKEN_TYPE,
  SessionTokenClaims,
} from '../../contract/claims.js';
import { KatavenError, networkError } from '../shared/katavenError.js';

export interface VerifySessionTokenOptions {
  /** The service's `KATAVEN_ISSUER`, e.g. `https://auth.kataven.example`. */
  issuer: string;
  /** Expected `aud`; default `kataven:connect`. */
  audience?: string;
  /** Default `${issuer}/.well-known/jwks.json`. */
  jwksUrl?: string;
  /** Allowed skew between this machine's clock and the issuer's, seconds; default 30. */
  clockToleranceSeconds?: number;
  /** Oldest `iat` accepted, seconds; default 86 400 (the longest session-token lifetime the service allows). */
  maxTokenAgeSeconds?: number;
}

type RemoteKeySet = ReturnType<typeof createRemoteJWKSet>;

interface CachedKeySet {
  keys: RemoteKeySet;
  forcedReloadAt: number;
}

/**
 * One key set per URL for the life of the process. jose caches the keys and, 30 s after a
 * fetch, refetches when a token names an unknown `kid`. A rotation signs with the new key at
 * once, so an unknown `kid` also forces one reload right away, at most once a second: tokens from
 * a fresh key verify immediately, and made-up `kid`s cannot turn into a stream of fetches.
 */
const keySets = new Map<string, CachedKeySet>();

function keySetFor(url: string): CachedKeySet {
  let entry = keySets.get(url);
  if (!entry) {
    entry = {
      keys: createRemoteJWKSet(new URL(url), { timeoutDuration: 5_000 }),
      forcedReloadAt: 0,
    };
    keySets.set(url, entry);
  }
  return entry;
}

async function verifyWithKeySet(token: string, entry: CachedKeySet, options: JWTVerifyOptions) {
  try {
    return await jwtVerify(token, entry.keys, options);
  } catch (error) {
    if (!(error instanceof errors.JWKSNoMatchingKey) || Date.now() - entry.forcedReloadAt < 1000)
      throw error;
    entry.forcedReloadAt = Date.now();
    await entry.keys.reload();
    return jwtVerify(token, entry.keys, options);
  }
}

function isKeySetUnavailable(error: errors.JOSEError): boolean {
  return (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    error.code === 'ERR_JOSE_GENERIC'
  );
}

const SIGNED_HEADER_MEMBERS = new Set(['alg', 'typ', 'kid']);

const invalid = (cause: unknown) => {
  const error = new KatavenError(401, 'invalid_token', 'Invalid or expired session token');
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false });
  return error;
};

/**
 * Verifies a Kataven session JWT the way the service itself does, for any service that
 * accepts them (your `/connect`, an API behind it): ES256 only, `typ: at+jwt`, your issuer and
 * audience, `exp`/`iat`/`jti`/`sub` required, a maximum age; keys only from the issuer's JWKS,
 * chosen by `kid`. A visitor token, an expired, tampered or foreign token throws `KatavenError`
 * with code `invalid_token` (status 401, as RFC 6750 answers); a JWKS that cannot be fetched
 * throws `network_error`.
 *
 * @example
 * import { verifySessionToken } from 'kataven-widget-auth/node';
 *
 * const claims = await verifySessionToken(bearerToken, { issuer: 'https://auth.kataven.example' });
 * claims.sub;      // the visitor id
 * claims.user_id;  // your user id, for signed-in visitors
 */
export async function verifySessionToken(
  token: string,
  options: VerifySessionTokenOptions,
): Promise<SessionTokenClaims> {
  const issuer = options.issuer;
  const jwksUrl = options.jwksUrl ?? `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`;
  const keySet = keySetFor(jwksUrl);
  // Keys come only from the issuer's set: a token naming its own key (`jwk`, `jku`, `x5u`,
  // `x5c`) or extensions (`crit`, `b64`) is refused outright (RFC 8725 §3.1).
  let members: string[];
  try {
    members = Object.keys(decodeProtectedHeader(token));
  } catch (error) {
    throw invalid(error);
  }
  if (members.some((member) => !SIGNED_HEADER_MEMBERS.has(member)))
    throw invalid(new Error('unexpected header member'));
  let payload: unknown;
  try {
    ({ payload } = await verifyWithKeySet(token, keySet, {
      algorithms: ['ES256'],
      typ: SESSION_TOKEN_TYPE,
      issuer,
      audience: options.audience ?? DEFAULT_SESSION_AUDIENCE,
      requiredClaims: ['exp', 'iat', 'jti', 'sub'],
      clockTolerance: options.clockToleranceSeconds ?? 30,
      maxTokenAge: options.maxTokenAgeSeconds ?? 86_400,
    }));
  } catch (error) {
    if (error instanceof errors.JOSEError && !isKeySetUnavailable(error)) throw invalid(error);
    // No answer, a non-200 or a malformed key set: the token may be fine, the keys are unknown.
    throw networkError(error, 'Could not fetch the signing keys');
  }
  const claims = SessionTokenClaims.safeParse(payload);
  if (!claims.success) throw invalid(claims.error);
  return claims.data;
}
