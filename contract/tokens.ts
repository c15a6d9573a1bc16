import * as z from 'zod';
import { clientKeyField } from './clientKey.js';
import { issueError } from './issueError.js';

const isoInstant = z.iso.datetime().meta({ example: '2026-01-01T00:02:00.000Z' });

/** Illustrative token texts for the documentation: well-formed, never valid. */
export const EXAMPLE_VISITOR_TOKEN =
  'eyJhbGciOiJFUzI1NiIsInR5cCI6InZpc2l0b3Irand0In0.eyJzdWIiOiJ2aXNfM2tUTWQ5WjBhUXg3THBXMnZCOG5ZYyIsImF1ZCI6ImthdGF2ZW46d2lkZ2V0LWV4Y2hhbmdlIn0.c2lnbmF0dXJl';
export const EXAMPLE_SESSION_TOKEN =
  'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJ2aXNfM2tUTWQ5WjBhUXg3THBXMnZCOG5ZYyIsImF1ZCI6ImthdGF2ZW46Y29ubmVjdCJ9.c2lnbmF0dXJl';
export const EXAMPLE_REFRESH_TOKEN = 'rt_0V70MWDgkUUMhNAcRix4L0b3FnhZRyZ0ToEUmhpyDAEyfWdbcfENjiiMWveh9QZf9WM';
const EXAMPLE_ROTATED_REFRESH_TOKEN = 'rt_0V70P2J6zPsCddgpAVhojFMncMfRl1OqZt8FXeWRhCd4IV95iuSBLmJqgd0nybqis3A';

const visitorId = z
  .string()
  .regex(/^vis_[0-9A-Za-z]{16,40}$/)
  .meta({ description: 'Stable visitor identifier (the session JWT `sub`).', example: 'vis_3kTMd9Z0aQx7LpW2vB8nYc' });

export const GuestRequest = z
  .object({ client_key: clientKeyField('missing_client_key') }, { error: issueError('missing_client_key') })
  .meta({ id: 'GuestRequest', description: 'Which widget the guest visitor is for.' });
export type GuestRequest = z.infer<typeof GuestRequest>;

export const VisitorTokenResponse = z
  .object({
    token: z.string().meta({
      description: 'Visitor JWT (`typ: visitor+jwt`): single use, good only at `POST /api/v1/widget/auth/exchange`.',
      example: EXAMPLE_VISITOR_TOKEN,
    }),
    token_type: z.literal('Bearer').meta({ description: 'Always `Bearer`.' }),
    expires_in: z.int().positive().meta({ description: 'Seconds until the visitor token expires (120 by default).', example: 120 }),
    expires_at: isoInstant.meta({ description: 'When the visitor token expires (ISO 8601, UTC).', example: '2026-01-01T00:02:00.000Z' }),
    visitor_id: visitorId,
  })
  .meta({
    id: 'VisitorTokenResponse',
    description: 'A short-lived, single-use visitor token, to be exchanged for a session.',
  });
export type VisitorTokenResponse = z.infer<typeof VisitorTokenResponse>;

export const UserVisitorTokenResponse = VisitorTokenResponse.extend({
  user_id: z.string().meta({ description: 'The `user_id` the token is bound to, as sent.', example: 'u_123' }),
}).meta({
  id: 'UserVisitorTokenResponse',
  description: 'A short-lived, single-use visitor token bound to a signed-in user, to be handed to the page and exchanged there.',
});
export type UserVisitorTokenResponse = z.infer<typeof UserVisitorTokenResponse>;

export const ExchangeRequest = z
  .object(
    {
      token: z
        .string({ error: issueError('token_expired') })
        .min(1, { error: issueError('token_expired') })
        .max(8192, { error: issueError('token_expired') })
        .meta({
          description: 'The visitor JWT from `POST /api/v1/widget/auth/guest` or `POST /api/v1/widget/auth/user-token` (at most 8192 characters).',
          example: EXAMPLE_VISITOR_TOKEN,
        }),
    },
    { error: issueError('token_expired') },
  )
  .meta({ id: 'ExchangeRequest', description: 'The visitor token to exchange.' });
export type ExchangeRequest = z.infer<typeof ExchangeRequest>;

const refreshTokenField = () =>
  z
    .string({ error: issueError('refresh_expired') })
    .min(1, { error: issueError('refresh_expired') })
    .max(512, { error: issueError('refresh_expired') })
    .meta({
      description: 'The opaque refresh token (`rt_…`) from the last exchange or refresh (at most 512 characters).',
      example: EXAMPLE_REFRESH_TOKEN,
    });

export const RefreshRequest = z
  .object({ refresh_token: refreshTokenField() }, { error: issueError('refresh_expired') })
  .meta({ id: 'RefreshRequest', description: 'The refresh token to spend.' });
export type RefreshRequest = z.infer<typeof RefreshRequest>;

export const LogoutRequest = RefreshRequest.meta({
  id: 'LogoutRequest',
  description: 'Any refresh token of the session to end.',
});
export type LogoutRequest = z.infer<typeof LogoutRequest>;

export const Visitor = z
  .object({
    id: visitorId,
    kind: z.enum(['guest', 'user']).meta({
      description: '`guest` (from `/auth/guest`) or `user` (from `/auth/user-token`).',
      example: 'user',
    }),
    user_id: z.string().nullable().meta({ description: "The customer's user id; null for guests.", example: 'u_123' }),
    name: z.string().nullable().meta({ description: 'Display name given at `user-token`; null if none.', example: 'Ada' }),
  })
  .meta({ id: 'Visitor', description: 'Who the session belongs to (the same identity the session JWT carries).' });
export type Visitor = z.infer<typeof Visitor>;

export const SessionTokenResponse = z
  .object({
    token: z.string().meta({
      description: 'Session JWT (`typ: at+jwt`, RFC 9068) that `/connect` accepts. Verify it with the keys at `/.well-known/jwks.json`.',
      example: EXAMPLE_SESSION_TOKEN,
    }),
    token_type: z.literal('Bearer').meta({ description: 'Always `Bearer`.' }),
    expires_in: z.int().positive().meta({ description: 'Seconds until the session JWT expires (900 by default).', example: 900 }),
    expires_at: isoInstant.meta({ description: 'When the session JWT expires (ISO 8601, UTC).', example: '2026-01-01T00:15:00.000Z' }),
    refresh_token: z.string().meta({
      description: 'Rotating opaque refresh token (`rt_…`): spent on use, replaced by the one in the next answer.',
      example: EXAMPLE_ROTATED_REFRESH_TOKEN,
    }),
    refresh_expires_at: isoInstant.meta({
      description: 'When the refresh token expires if unused (7 days idle by default; never after the session\'s absolute deadline, 30 days by default).',
      example: '2026-01-08T00:00:00.000Z',
    }),
    visitor: Visitor,
  })
  .meta({
    id: 'SessionTokenResponse',
    description: 'A session: the JWT that `/connect` accepts and the rotating refresh token that renews it.',
  });
export type SessionTokenResponse = z.infer<typeof SessionTokenResponse>;
