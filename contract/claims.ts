import * as z from 'zod';
import { UserMetadata } from './userToken.js';

/** JWT `typ` header values (RFC 8725 §3.11): a token of one type is refused where the other is expected. */
export const VISITOR_TOKEN_TYPE = 'visitor+jwt';
export const SESSION_TOKEN_TYPE = 'at+jwt';
export const VISITOR_TOKEN_AUDIENCE = 'kataven:widget-exchange';
export const DEFAULT_SESSION_AUDIENCE = 'kataven:connect';

const identity = {
  iss: z.string(),
  sub: z.string(),
  client_id: z.string(),
  iat: z.int(),
  exp: z.int(),
  jti: z.string(),
  kind: z.enum(['guest', 'user']),
  user_id: z.string().optional(),
  name: z.string().optional(),
  email: z.string().optional(),
  metadata: UserMetadata.optional(),
};

/** Claims of a visitor JWT. A guest token carries the origin it was minted for. */
export const VisitorTokenClaims = z.object({
  ...identity,
  aud: z.literal(VISITOR_TOKEN_AUDIENCE),
  origin: z.string().optional(),
});
export type VisitorTokenClaims = z.infer<typeof VisitorTokenClaims>;

/** Claims of a session JWT, following the RFC 9068 access-token profile. */
export const SessionTokenClaims = z
  .object({
    ...identity,
    aud: z.union([z.string(), z.array(z.string())]),
    sid: z.string(),
    origin: z.string(),
  })
  .meta({ id: 'SessionTokenClaims' });
export type SessionTokenClaims = z.infer<typeof SessionTokenClaims>;
