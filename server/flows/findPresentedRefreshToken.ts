import type { RefreshTokenView } from '../store/records.js';
import type { Store } from '../store/store.js';
import { refreshTokenLookup, refreshTokenMatches } from '../tokens/refreshToken.js';

/**
 * The row of the refresh token the client presented, only if the presented token is the one
 * stored: a token whose id part names a row but whose secret does not hash to that row's hash
 * finds nothing.
 */
export async function findPresentedRefreshToken(
  store: Pick<Store, 'findRefreshToken'>,
  token: string,
): Promise<RefreshTokenView | undefined> {
  const lookup = refreshTokenLookup(token);
  if (lookup === undefined) return undefined;
  const view = await store.findRefreshToken(lookup);
  return view !== undefined && refreshTokenMatches(token, view.token.hash) ? view : undefined;
}
