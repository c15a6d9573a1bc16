import { hashRefreshToken } from '../tokens/refreshToken.js';
import type { FlowDeps } from './deps.js';

/** Logout: revokes the refresh token's session if there is one. Never reveals whether there was (RFC 7009 §2.2). */
export async function endSession(deps: FlowDeps, input: { refreshToken: string }): Promise<void> {
  const view = await deps.store.findRefreshToken(hashRefreshToken(input.refreshToken));
  if (view) await deps.store.revokeSession(view.session.id, deps.clock.now());
}
