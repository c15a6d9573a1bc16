import type { SessionTokenResponse, VisitorTokenResponse } from '../../contract/index.js';
import type { SessionRecord } from '../store/records.js';
import type { IssuedToken } from '../tokens/visitorToken.js';

const iso = (epochMs: number) => new Date(epochMs).toISOString();

export function toVisitorTokenResponse(issued: IssuedToken, visitorId: string): VisitorTokenResponse {
  return {
    token: issued.token,
    token_type: 'Bearer',
    expires_in: issued.expiresIn,
    expires_at: iso(issued.expiresAt * 1000),
    visitor_id: visitorId,
  };
}

export function toSessionTokenResponse(
  session: SessionRecord,
  issued: IssuedToken,
  refresh: { token: string; expiresAt: number },
): SessionTokenResponse {
  return {
    token: issued.token,
    token_type: 'Bearer',
    expires_in: issued.expiresIn,
    expires_at: iso(issued.expiresAt * 1000),
    refresh_token: refresh.token,
    refresh_expires_at: iso(refresh.expiresAt),
    visitor: { id: session.visitorId, kind: session.kind, user_id: session.userId, name: session.name },
  };
}
