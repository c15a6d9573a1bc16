import * as z from 'zod';
import { clientKeyField } from './clientKey.js';

const isoInstant = z.iso.datetime().meta({ example: '2026-01-01T00:02:00.000Z' });
const visitorId = z
  .string()
  .regex(/^vis_[0-9A-Za-z]{16,40}$/)
  .meta({ description: 'Stable visitor identifier (the session JWT `sub`).', example: 'vis_3kTMd9Z0aQx7LpW2vB8nYc' });

export const GuestRequest = z
  .object({ client_key: clientKeyField('Missing client_key') }, { error: 'Missing client_key' })
  .meta({ id: 'GuestRequest' });
export type GuestRequest = z.infer<typeof GuestRequest>;

export const VisitorTokenResponse = z
  .object({
    token: z.string().meta({ description: 'Visitor JWT (`typ: visitor+jwt`), single use, only good at `/exchange`.' }),
    token_type: z.literal('Bearer'),
    expires_in: z.int().positive().meta({ description: 'Seconds until the visitor token expires.', example: 120 }),
    expires_at: isoInstant,
    visitor_id: visitorId,
  })
  .meta({ id: 'VisitorTokenResponse' });
export type VisitorTokenResponse = z.infer<typeof VisitorTokenResponse>;

export const UserVisitorTokenResponse = VisitorTokenResponse.extend({
  user_id: z.string().meta({ example: 'u_123' }),
}).meta({ id: 'UserVisitorTokenResponse' });
export type UserVisitorTokenResponse = z.infer<typeof UserVisitorTokenResponse>;

export const ExchangeRequest = z
  .object(
    {
      token: z
        .string({ error: 'Missing or expired token' })
        .min(1, { error: 'Missing or expired token' })
        .max(8192, { error: 'Missing or expired token' })
        .meta({ description: 'The visitor JWT from `/auth/guest` or `/auth/user-token`.' }),
    },
    { error: 'Missing or expired token' },
  )
  .meta({ id: 'ExchangeRequest' });
export type ExchangeRequest = z.infer<typeof ExchangeRequest>;

const refreshTokenField = (message: string) =>
  z
    .string({ error: message })
    .min(1, { error: message })
    .max(512, { error: message })
    .meta({ description: 'The opaque refresh token (`rt_…`).', example: 'rt_9fQmZ2x…' });

export const RefreshRequest = z
  .object({ refresh_token: refreshTokenField('Missing or expired refresh_token') }, {
    error: 'Missing or expired refresh_token',
  })
  .meta({ id: 'RefreshRequest' });
export type RefreshRequest = z.infer<typeof RefreshRequest>;

export const LogoutRequest = RefreshRequest.meta({ id: 'LogoutRequest' });
export type LogoutRequest = z.infer<typeof LogoutRequest>;

export const Visitor = z
  .object({
    id: visitorId,
    kind: z.enum(['guest', 'user']),
    user_id: z.string().nullable().meta({ description: "The customer's user id; null for guests." }),
    name: z.string().nullable().meta({ description: 'Display name given at `user-token`; null if none.' }),
  })
  .meta({ id: 'Visitor' });
export type Visitor = z.infer<typeof Visitor>;

export const SessionTokenResponse = z
  .object({
    token: z.string().meta({ description: 'Session JWT (`typ: at+jwt`, RFC 9068) that `/connect` accepts.' }),
    token_type: z.literal('Bearer'),
    expires_in: z.int().positive().meta({ example: 900 }),
    expires_at: isoInstant,
    refresh_token: z.string().meta({ description: 'Rotating opaque refresh token; spent on use.', example: 'rt_9fQmZ2x…' }),
    refresh_expires_at: isoInstant.meta({ description: 'When the refresh token expires if unused (never after the session deadline).' }),
    visitor: Visitor,
  })
  .meta({ id: 'SessionTokenResponse' });
export type SessionTokenResponse = z.infer<typeof SessionTokenResponse>;
