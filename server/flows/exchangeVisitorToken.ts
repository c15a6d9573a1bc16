import type { SessionTokenResponse, VisitorTokenClaims } from '../../contract/index.js';
import { newTimeOrderedId, timeOfTimeOrderedKey } from '../keys/ids.js';
import type { SessionRecord } from '../store/records.js';
import { generateRefreshToken } from '../tokens/refreshToken.js';
import { issueSessionToken } from '../tokens/sessionToken.js';
import { TokenRejected } from '../tokens/verifyJwt.js';
import { verifyVisitorToken } from '../tokens/visitorToken.js';
import { ApiError } from './apiError.js';
import type { FlowDeps } from './deps.js';
import { toSessionTokenResponse } from './responses.js';
import { requireAllowedOrigin, resolveEnabledWidget } from './resolveWidget.js';
import type { ResolvedWidget } from './widgetDirectory.js';

async function verifyToken(deps: FlowDeps, token: string): Promise<VisitorTokenClaims> {
  try {
    return await verifyVisitorToken(deps, token);
  } catch (error) {
    if (error instanceof TokenRejected) throw new ApiError('token_expired');
    throw error;
  }
}

/** Allowed for the widget, and for a guest token the very origin it was minted for. */
function requireExchangeOrigin(deps: FlowDeps, widget: ResolvedWidget, claims: VisitorTokenClaims, origin: string | undefined) {
  const allowed = requireAllowedOrigin(deps, widget, origin, 'exchange');
  if (claims.kind === 'guest' && claims.origin !== allowed) {
    deps.events.emit({ event: 'origin_denied', route: 'exchange', clientKey: widget.record.clientKey, origin: allowed });
    throw new ApiError('origin_not_allowed');
  }
  return allowed;
}

function newSession(deps: FlowDeps, widget: ResolvedWidget, claims: VisitorTokenClaims, origin: string): SessionRecord {
  const now = deps.clock.now();
  return {
    id: newTimeOrderedId('ses', now),
    widgetId: widget.record.id,
    clientKey: widget.record.clientKey,
    visitorId: claims.sub,
    kind: claims.kind,
    userId: claims.user_id ?? null,
    name: claims.name ?? null,
    email: claims.email ?? null,
    metadata: claims.metadata ?? null,
    origin,
    createdAt: now,
    expiresAt: now + deps.config.sessionMaxAgeSeconds * 1000,
    revokedAt: null,
  };
}

/**
 * Single use keyed on `jti` (a re-encoded ECDSA signature verifies too, so the token text is no
 * key). A repeat within the grace window is refused and changes nothing; after it, the repeat is
 * treated like a reused authorization code (RFC 6749 §4.1.2): the session the first exchange
 * created is revoked.
 */
async function consumeOnce(deps: FlowDeps, claims: VisitorTokenClaims, session: SessionRecord, refresh: { hash: string; id: string; expiresAt: number }) {
  const now = deps.clock.now();
  const result = await deps.store.consumeVisitorToken({
    jti: claims.jti,
    tokenExpiresAt: claims.exp * 1000,
    spentAt: now,
    session,
    refreshToken: { id: refresh.id, hash: refresh.hash, createdAt: now, expiresAt: refresh.expiresAt },
  });
  if (result.started) return;
  const afterGrace = now - result.spentAt > deps.config.refreshReuseGraceSeconds * 1000;
  const revoked = afterGrace && result.sessionId !== null && (await deps.store.revokeSession(result.sessionId, now));
  deps.events.emit({ event: 'exchange_replay', sessionId: result.sessionId, revoked });
  throw new ApiError('token_expired');
}

/** The jti's millisecond time when it agrees with `iat`; else the last millisecond of `iat`. */
function mintTimeOf(claims: VisitorTokenClaims): number {
  const fromJti = timeOfTimeOrderedKey(claims.jti);
  const second = claims.iat * 1000;
  return fromJti !== undefined && fromJti >= second && fromJti < second + 1000 ? fromJti : second + 999;
}

/**
 * A user token minted before its user's sessions were revoked must not start one. Checked after
 * the session exists, so a revocation racing with this exchange either revoked the new session
 * or is seen here (`Store.revokeUserSessions`); the session is then revoked at once. The mint
 * time is the jti's millisecond prefix, so a token minted right after a revocation still works.
 */
async function refuseRevokedUser(deps: FlowDeps, widget: ResolvedWidget, claims: VisitorTokenClaims, session: SessionRecord) {
  if (claims.user_id === undefined) return;
  const revokedAt = await deps.store.findUserRevocation(widget.record.id, claims.user_id);
  if (revokedAt === undefined) return;
  if (mintTimeOf(claims) > revokedAt) return;
  await deps.store.revokeSession(session.id, deps.clock.now());
  deps.events.emit({ event: 'revoked_user_exchange', clientKey: widget.record.clientKey, sessionId: session.id });
  throw new ApiError('token_expired');
}

export async function exchangeVisitorToken(
  deps: FlowDeps,
  input: { token: string; origin: string | undefined },
): Promise<SessionTokenResponse> {
  const claims = await verifyToken(deps, input.token);
  const widget = await resolveEnabledWidget(deps, claims.client_id, 'token_expired');
  const origin = requireExchangeOrigin(deps, widget, claims, input.origin);
  const session = newSession(deps, widget, claims, origin);
  const refreshToken = generateRefreshToken(deps.clock.now());
  const refreshExpiresAt = Math.min(
    deps.clock.now() + deps.config.refreshTokenTtlSeconds * 1000,
    session.expiresAt,
  );
  await consumeOnce(deps, claims, session, {
    id: refreshToken.id,
    hash: refreshToken.hash,
    expiresAt: refreshExpiresAt,
  });
  await refuseRevokedUser(deps, widget, claims, session);
  const issued = await issueSessionToken(deps, session);
  return toSessionTokenResponse(session, issued, { token: refreshToken.token, expiresAt: refreshExpiresAt });
}
