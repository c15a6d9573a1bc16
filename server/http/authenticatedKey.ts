import type { Response } from 'express';
import type { SecretKeyRecord } from '../store/records.js';

const AUTHENTICATED_KEY = Symbol('authenticatedKey');
type WithKey = Response & { [AUTHENTICATED_KEY]?: SecretKeyRecord };

/** Records the secret key this request authenticated with, for the route's later steps. */
export function setAuthenticatedKey(res: Response, key: SecretKeyRecord): void {
  (res as WithKey)[AUTHENTICATED_KEY] = key;
}

/** The key `setAuthenticatedKey` recorded, or `undefined` before authentication. */
export function authenticatedKeyOf(res: Response): SecretKeyRecord | undefined {
  return (res as WithKey)[AUTHENTICATED_KEY];
}

/** The authenticated key of a route that requires one; its absence is a wiring bug. */
export function requireAuthenticatedKey(res: Response): SecretKeyRecord {
  const key = authenticatedKeyOf(res);
  if (key === undefined) throw new Error('route handler ran without secret-key authentication');
  return key;
}
