import type { FlowDeps } from './deps.js';
import { findPresentedRefreshToken } from './findPresentedRefreshToken.js';

/** Logout: revokes the refresh token's session if there is one. Never reveals whether there was (RFC 7009 §2.2). */
export async function endSession(deps: FlowDeps, input: { refreshToken: string }): Promise<void> {
  const view = await findPresentedRefreshToken(deps.store, input.refreshToken);
  if (view) await deps.store.revokeSession(view.session.id, deps.clock.now());
}
