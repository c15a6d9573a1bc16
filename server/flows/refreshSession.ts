import type { SessionTokenResponse } from '../../contract/index.js';
import type { RefreshTokenView } from '../store/records.js';
import { generateRefreshToken, openSuccessor, sealSuccessor } from '../tokens/refreshToken.js';
import { issueSessionToken } from '../tokens/sessionToken.js';
import { ApiError } from './apiError.js';
import type { FlowDeps } from './deps.js';
import { findPresentedRefreshToken } from './findPresentedRefreshToken.js';
import { toSessionTokenResponse } from './responses.js';
import { resolveEnabledWidget } from './resolveWidget.js';

const expired = () => new ApiError('refresh_expired');

/**
 * Step 1: the token must exist, and its session be unrevoked and before its deadline. JWT times
 * are whole seconds and a session JWT never outlives the deadline, so a session in the last
 * second before its deadline could only get a token that is dead on arrival: it is over too.
 */
async function findLiveFamily(deps: FlowDeps, presented: string, now: number): Promise<RefreshTokenView> {
  const view = await findPresentedRefreshToken(deps.store, presented);
  if (!view || view.session.revokedAt !== null) throw expired();
  if (Math.floor(view.session.expiresAt / 1000) <= Math.floor(now / 1000)) throw expired();
  return view;
}

/** Step 2: the request comes from the session's own origin, which the widget still allows. */
async function requireSessionOrigin(deps: FlowDeps, view: RefreshTokenView, origin: string | undefined) {
  const widget = await resolveEnabledWidget(deps, view.session.clientKey, 'refresh_expired');
  if (origin === undefined || origin !== view.session.origin || !widget.allowsOrigin(origin)) {
    deps.events.emit({ event: 'origin_denied', route: 'refresh', clientKey: view.session.clientKey, origin: origin ?? null });
    throw new ApiError('origin_not_allowed');
  }
}

/** Step 3a: spend the presented token and mint its successor, atomically. */
async function rotate(deps: FlowDeps, view: RefreshTokenView, presented: string, now: number) {
  const successor = generateRefreshToken(now);
  const expiresAt = Math.min(now + deps.config.refreshTokenTtlSeconds * 1000, view.session.expiresAt);
  const rotated = await deps.store.rotateRefreshToken({
    tokenId: view.token.id,
    now,
    successor: { id: successor.id, hash: successor.hash, createdAt: now, expiresAt },
    successorBox: sealSuccessor(presented, successor.token),
  });
  return rotated ? { token: successor.token, expiresAt } : undefined;
}

/**
 * Step 3b: a spent token presented again. RFC 9700 §4.14.2 with a grace window: within it, a
 * retry or a racing tab gets the same live successor (the family never forks); after it, this
 * is reuse and the whole family is revoked.
 */
async function answerSpentToken(deps: FlowDeps, view: RefreshTokenView, presented: string, now: number) {
  const { token, successor, session } = view;
  if (token.spentAt === null) throw expired();
  if (now - token.spentAt > deps.config.refreshReuseGraceSeconds * 1000) {
    const revoked = await deps.store.revokeSession(session.id, now);
    deps.events.emit({ event: 'refresh_reuse', sessionId: session.id, revoked });
    throw expired();
  }
  const successorIsLive = successor !== null && successor.spentAt === null && successor.expiresAt > now;
  const plaintext = successorIsLive && token.successorBox ? openSuccessor(presented, token.successorBox) : undefined;
  // Within the grace window but the family has moved on: refuse without revoking anything.
  if (plaintext === undefined || successor === null) throw expired();
  deps.events.emit({ event: 'refresh_retry', sessionId: session.id });
  return { token: plaintext, expiresAt: successor.expiresAt };
}

export async function refreshSession(
  deps: FlowDeps,
  input: { refreshToken: string; origin: string | undefined },
): Promise<SessionTokenResponse> {
  const now = deps.clock.now();
  let view = await findLiveFamily(deps, input.refreshToken, now);
  await requireSessionOrigin(deps, view, input.origin);

  let next: { token: string; expiresAt: number } | undefined;
  if (view.token.spentAt === null) {
    if (view.token.expiresAt <= now) throw expired();
    next = await rotate(deps, view, input.refreshToken, now);
    // Lost a race to a concurrent rotation: answer as the retry it is.
    if (!next) view = await findLiveFamily(deps, input.refreshToken, now);
  }
  next ??= await answerSpentToken(deps, view, input.refreshToken, now);
  const issued = await issueSessionToken(deps, view.session);
  return toSessionTokenResponse(view.session, issued, next);
}
