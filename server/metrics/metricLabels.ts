import type { Store } from '../store/store.js';

/**
 * Every label value the metrics can carry. Each is a fixed set chosen by the server — route
 * names, status classes, limit names, store operations — never text from a request (a client key,
 * an origin, a user id, a path), so the number of series is bounded whatever clients send.
 */
export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** What a request to no contract route (an unknown path) is counted as. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Values a label takes when the code reports one outside its set: bounded even if a caller drifts. */
export const OTHER = 'other';

export const TOKEN_KINDS = ['visitor_guest', 'visitor_user', 'session'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

export const RATE_LIMIT_NAMES = ['guest-ip', 'guest-widget', 'exchange-ip', 'refresh-ip', 'user-token-key', 'revoke-key'] as const;

export const ORIGIN_CHECK_ROUTES = ['config', 'guest', 'exchange', 'refresh'] as const;

export const REUSED_TOKENS = ['refresh', 'visitor'] as const;

export const INVALID_API_KEY_REASONS = ['missing', 'malformed', 'unknown'] as const;

/**
 * The store operations timed, keyed by every `Store` method: a method added to the interface
 * must be listed here (the type says so), so the decorator never misses one silently.
 */
export const STORE_OPERATIONS = {
  createAccount: true,
  findAccount: true,
  countAccounts: true,
  createWidget: true,
  findWidgetByClientKey: true,
  listWidgets: true,
  updateWidget: true,
  createSecretKey: true,
  findActiveSecretKey: true,
  touchSecretKey: true,
  listSecretKeys: true,
  revokeSecretKey: true,
  findSecretKey: true,
  rollSecretKey: true,
  listSigningKeys: true,
  insertFirstSigningKey: true,
  rotateSigningKey: true,
  withdrawSigningKey: true,
  replaceSigningKeyPrivateJwk: true,
  consumeVisitorToken: true,
  findRefreshToken: true,
  rotateRefreshToken: true,
  revokeSession: true,
  revokeUserSessions: true,
  findUserRevocation: true,
  purgeExpired: true,
  ping: true,
  // Not a query: a subscription, and the end of the store.
  onAdminChange: false,
  close: false,
} as const satisfies Record<keyof Store, boolean>;

export type TimedStoreOperation = {
  [K in keyof typeof STORE_OPERATIONS]: (typeof STORE_OPERATIONS)[K] extends true ? K : never;
}[keyof typeof STORE_OPERATIONS];
