/**
 * The API's fixed paths, written out rather than read from the contract, so a test also fails
 * if the contract drifts from the published wire format.
 */
export const CONFIG = '/api/v1/widget/config';
export const GUEST = '/api/v1/widget/auth/guest';
export const USER_TOKEN = '/api/v1/widget/auth/user-token';
export const EXCHANGE = '/api/v1/widget/auth/exchange';
export const REFRESH = '/api/v1/widget/auth/refresh';
export const LOGOUT = '/api/v1/widget/auth/logout';
export const REVOKE = '/api/v1/widget/auth/revoke';
export const JWKS = '/.well-known/jwks.json';

/** The same paths by route, for helpers that take a route name. */
export const PATHS = {
  config: CONFIG,
  guest: GUEST,
  userToken: USER_TOKEN,
  exchange: EXCHANGE,
  refresh: REFRESH,
  logout: LOGOUT,
  revoke: REVOKE,
  jwks: JWKS,
} as const;
