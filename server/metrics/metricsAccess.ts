import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../flows/apiError.js';
import { CHALLENGE, INVALID_TOKEN_CHALLENGE } from '../flows/authenticateSecretKey.js';

/** What `GET /metrics` on the main port needs: the token it is served to, and the text. */
export interface MetricsAccess {
  /** Unset: the main port does not serve the metrics (404). */
  token: string | undefined;
  render(): Promise<string>;
}

/** Equal-length digests, so the comparison takes the same time whatever was sent (RFC 6750 §5.2). */
const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Passes only `Authorization: Bearer <token>`; otherwise throws the answer: 404 when the main port
 * does not serve metrics at all, 401 with an RFC 6750 §3 challenge when the token is missing or wrong.
 */
export function requireMetricsToken(access: MetricsAccess | undefined, authorization: string | undefined): MetricsAccess {
  const token = access?.token;
  if (access === undefined || token === undefined) throw new ApiError('not_found');
  const match = /^Bearer (\S+)$/i.exec(authorization ?? '');
  if (match?.[1] === undefined) throw new ApiError('metrics_unauthorized', { 'WWW-Authenticate': CHALLENGE });
  if (!timingSafeEqual(digest(match[1]), digest(token))) {
    throw new ApiError('metrics_unauthorized', { 'WWW-Authenticate': INVALID_TOKEN_CHALLENGE });
  }
  return access;
}
