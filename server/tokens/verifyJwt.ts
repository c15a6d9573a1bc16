import { errors, jwtVerify, type CryptoKey, type JWTPayload } from 'jose';

/**
 * Protected-header members our tokens carry. Anything else is refused before any key is used:
 * `jwk`, `jku`, `x5u`, `x5c` (attacker-chosen keys), `crit` and `b64` (RFC 7797 unencoded
 * payloads), `zip`, `enc` (JWE) — RFC 8725 §2.1, §3.1.
 */
const ALLOWED_HEADER_MEMBERS = new Set(['alg', 'typ', 'kid']);

/** Three base64url segments: the compact serialization only (no JSON serialization, no JWE). */
const COMPACT_JWS = /^[A-Za-z0-9_-]{2,2048}\.[A-Za-z0-9_-]{2,8192}\.[A-Za-z0-9_-]{86}$/;

export interface VerifyJwtOptions {
  typ: string;
  issuer: string;
  audience: string;
  /** Maximum age of `iat`, seconds. */
  maxTokenAgeSeconds: number;
  clockToleranceSeconds: number;
  now: number;
  keyFor: (kid: string) => Promise<CryptoKey | undefined>;
}

export class TokenRejected extends Error {
  override name = 'TokenRejected';
}

function headerOf(token: string): Record<string, unknown> | undefined {
  const segment = token.slice(0, token.indexOf('.'));
  try {
    const header: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && !Array.isArray(header)
      ? (header as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies an ES256 JWT with every option pinned (RFC 8725): algorithm list, `typ`, issuer,
 * audience, required claims, maximum age and clock tolerance; the key comes only from our own
 * key set by `kid`. Throws `TokenRejected` for every failure, without saying which.
 *
 * jose's `jwtVerify` stays, by measurement: its WebCrypto path does most of the work on libuv's
 * thread pool, so the better-reviewed verifier is also the faster one here (docs/performance.md,
 * "Verification stays with jose").
 */
export async function verifyJwt(token: string, options: VerifyJwtOptions): Promise<JWTPayload> {
  // 86 base64url chars = the 64-byte r‖s ES256 signature (RFC 7518 §3.4).
  if (!COMPACT_JWS.test(token)) throw new TokenRejected('malformed');
  const header = headerOf(token);
  if (!header) throw new TokenRejected('malformed header');
  for (const member of Object.keys(header)) {
    if (!ALLOWED_HEADER_MEMBERS.has(member)) throw new TokenRejected('header member not allowed');
  }
  if (header.alg !== 'ES256' || header.typ !== options.typ || typeof header.kid !== 'string') {
    throw new TokenRejected('header');
  }
  const key = await options.keyFor(header.kid);
  if (!key) throw new TokenRejected('unknown kid');
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['ES256'],
      typ: options.typ,
      issuer: options.issuer,
      audience: options.audience,
      requiredClaims: ['exp', 'iat', 'jti', 'sub'],
      maxTokenAge: options.maxTokenAgeSeconds,
      clockTolerance: options.clockToleranceSeconds,
      currentDate: new Date(options.now),
    });
    return payload;
  } catch (error) {
    if (error instanceof errors.JOSEError) throw new TokenRejected(error.code);
    throw error;
  }
}
