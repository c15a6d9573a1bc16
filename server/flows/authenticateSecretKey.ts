import { hashSecretKey, parseBearerSecretKey, parseSecretKey } from '../keys/secretKey.js';
import type { SecretKeyRecord } from '../store/records.js';
import { ApiError } from './apiError.js';
import type { FlowDeps } from './deps.js';

/** RFC 6750 §3: no credentials → the bare challenge; a credential that fails → `invalid_token`. */
export const CHALLENGE = 'Bearer realm="kataven"';
export const INVALID_TOKEN_CHALLENGE = 'Bearer realm="kataven", error="invalid_token"';

/**
 * The active secret key named by an `Authorization: Bearer sk_…` header. The format and
 * checksum are checked before any database work, so typos, truncations, `pk_` keys and scanner
 * noise never reach the store.
 */
export async function authenticateSecretKey(
  deps: Pick<FlowDeps, 'store' | 'events' | 'clock'>,
  authorization: string | undefined,
): Promise<SecretKeyRecord> {
  if (authorization === undefined || authorization.trim() === '') {
    deps.events.emit({ event: 'invalid_api_key', reason: 'missing' });
    throw new ApiError('invalid_api_key', { 'WWW-Authenticate': CHALLENGE });
  }
  const presented = parseBearerSecretKey(authorization);
  if (presented === null || parseSecretKey(presented) === null) {
    deps.events.emit({ event: 'invalid_api_key', reason: 'malformed' });
    throw new ApiError('invalid_api_key', { 'WWW-Authenticate': INVALID_TOKEN_CHALLENGE });
  }
  // An expired (rolled) key is refused exactly like a revoked one.
  const key = await deps.store.findActiveSecretKey(hashSecretKey(presented), deps.clock.now());
  if (!key) {
    deps.events.emit({ event: 'invalid_api_key', reason: 'unknown' });
    throw new ApiError('invalid_api_key', { 'WWW-Authenticate': INVALID_TOKEN_CHALLENGE });
  }
  return key;
}
