/**
 * Security-relevant outcomes, each with a stable event name, for logs and alerting. Fields
 * never include a secret: no keys, tokens or token hashes — only ids.
 */
export type SecurityEvent =
  | { event: 'origin_denied'; route: string; clientKey: string; origin: string | null }
  | { event: 'invalid_api_key'; reason: 'missing' | 'malformed' | 'unknown' }
  | { event: 'exchange_replay'; sessionId: string | null; revoked: boolean }
  | { event: 'refresh_reuse'; sessionId: string; revoked: boolean }
  /** A spent refresh token presented again within the grace window, answered with its successor. */
  | { event: 'refresh_retry'; sessionId: string }
  | { event: 'rate_limited'; route: string; limit: string }
  | { event: 'user_sessions_revoked'; clientKey: string; keyId: string; userId: string; revokedSessions: number }
  | { event: 'revoked_user_exchange'; clientKey: string; sessionId: string };

export interface SecurityEvents {
  emit(event: SecurityEvent): void;
}
