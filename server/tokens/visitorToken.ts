import {
  VISITOR_TOKEN_AUDIENCE,
  VISITOR_TOKEN_TYPE,
  VisitorTokenClaims,
  type UserMetadata,
} from '../../contract/index.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { timeOrderedKey } from '../keys/ids.js';
import type { KeyRing } from './keyRing.js';
import { signJwt } from './signJwt.js';
import { TokenRejected, verifyJwt } from './verifyJwt.js';

/** Clock tolerance when the service checks its own tokens with its own clock: small, as no other clock is involved. */
export const OWN_CLOCK_TOLERANCE_SECONDS = 5;

export type TokenDeps = { keys: KeyRing; clock: Clock; config: Config };

export type VisitorIdentity =
  | { kind: 'guest'; visitorId: string; origin: string }
  | {
      kind: 'user';
      visitorId: string;
      userId: string;
      name?: string | undefined;
      email?: string | undefined;
      metadata?: UserMetadata | undefined;
    };

export interface IssuedToken {
  token: string;
  /** Epoch seconds. */
  expiresAt: number;
  expiresIn: number;
}

export async function issueVisitorToken(deps: TokenDeps, clientKey: string, identity: VisitorIdentity): Promise<IssuedToken> {
  const iat = Math.floor(deps.clock.now() / 1000);
  const ttl = deps.config.visitorTokenTtlSeconds;
  const claims: Record<string, unknown> = {
    iss: deps.config.issuer,
    aud: VISITOR_TOKEN_AUDIENCE,
    sub: identity.visitorId,
    client_id: clientKey,
    iat,
    exp: iat + ttl,
    jti: timeOrderedKey(deps.clock.now()),
    kind: identity.kind,
  };
  if (identity.kind === 'guest') {
    claims.origin = identity.origin;
  } else {
    claims.user_id = identity.userId;
    if (identity.name !== undefined) claims.name = identity.name;
    if (identity.email !== undefined) claims.email = identity.email;
    if (identity.metadata !== undefined) claims.metadata = identity.metadata;
  }
  const key = deps.keys.current();
  const token = await signJwt({ alg: 'ES256', typ: VISITOR_TOKEN_TYPE, kid: key.kid }, claims, key.privateKey);
  return { token, expiresAt: iat + ttl, expiresIn: ttl };
}

/**
 * Verifies a visitor token for `/exchange` with every option pinned and parses its claims.
 * Throws `TokenRejected` for anything that is not a valid, unexpired visitor token of ours.
 */
export async function verifyVisitorToken(deps: TokenDeps, token: string): Promise<VisitorTokenClaims> {
  const payload = await verifyJwt(token, {
    typ: VISITOR_TOKEN_TYPE,
    issuer: deps.config.issuer,
    audience: VISITOR_TOKEN_AUDIENCE,
    maxTokenAgeSeconds: deps.config.visitorTokenTtlSeconds + OWN_CLOCK_TOLERANCE_SECONDS,
    clockToleranceSeconds: OWN_CLOCK_TOLERANCE_SECONDS,
    now: deps.clock.now(),
    keyFor: (kid) => deps.keys.verificationKey(kid),
  });
  const claims = VisitorTokenClaims.safeParse(payload);
  if (!claims.success) throw new TokenRejected('claims');
  const c = claims.data;
  // A guest token is bound to the origin it was minted for; a user token to a user.
  if (c.kind === 'guest' ? c.origin === undefined : c.user_id === undefined) throw new TokenRejected('claims');
  return c;
}
