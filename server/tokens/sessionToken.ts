import { SESSION_TOKEN_TYPE } from '../../contract/index.js';
import { randomBase62 } from '../keys/base62.js';
import type { SessionRecord } from '../store/records.js';
import { signJwt } from './signJwt.js';
import type { IssuedToken, TokenDeps } from './visitorToken.js';

/**
 * A session JWT in the RFC 9068 access-token profile. Its expiry never passes the session's
 * absolute deadline; callers refuse sessions within a second of it (see refreshSession).
 */
export async function issueSessionToken(deps: TokenDeps, session: SessionRecord): Promise<IssuedToken> {
  const nowMs = deps.clock.now();
  const iat = Math.floor(nowMs / 1000);
  const exp = Math.min(iat + deps.config.sessionTokenTtlSeconds, Math.floor(session.expiresAt / 1000));
  const claims: Record<string, unknown> = {
    iss: deps.config.issuer,
    aud: deps.config.sessionAudience,
    sub: session.visitorId,
    client_id: session.clientKey,
    iat,
    exp,
    jti: randomBase62(22),
    sid: session.id,
    origin: session.origin,
    kind: session.kind,
  };
  if (session.userId !== null) claims.user_id = session.userId;
  if (session.name !== null) claims.name = session.name;
  if (session.email !== null) claims.email = session.email;
  if (session.metadata !== null) claims.metadata = session.metadata;
  const key = deps.keys.current();
  const token = await signJwt({ alg: 'ES256', typ: SESSION_TOKEN_TYPE, kid: key.kid }, claims, key.privateKey);
  return { token, expiresAt: exp, expiresIn: exp - iat };
}
