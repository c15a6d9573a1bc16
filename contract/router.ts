import { initContract } from '@ts-rest/core';
import * as z from 'zod';
import { JwkSet } from './jwks.js';
import { textError } from './textError.js';
import {
  ExchangeRequest,
  GuestRequest,
  LogoutRequest,
  RefreshRequest,
  SessionTokenResponse,
  UserVisitorTokenResponse,
  VisitorTokenResponse,
} from './tokens.js';
import { UserTokenHeaders, UserTokenRequest } from './userToken.js';
import { WidgetConfig } from './widgetConfig.js';
import { clientKeyField } from './clientKey.js';

const c = initContract();

/** Errors any JSON POST route can answer before its handler runs. */
const postBodyErrors = {
  413: textError(['body_too_large']),
  415: textError(['unsupported_media_type', 'unsupported_encoding']),
  500: textError(['server_error']),
} as const;

const plainText = (body: z.ZodType<string>) => c.otherResponse({ contentType: 'text/plain', body });

/**
 * The Kataven widget visitor-auth API. This router is the only description of the routes: the
 * Express server, `openapi.json` and the typed clients all derive from it.
 */
export const contract = c.router(
  {
    getConfig: {
      method: 'GET',
      path: '/api/v1/widget/config',
      query: z.object({ client_key: clientKeyField('Missing client_key') }),
      headers: z.object({
        'if-none-match': z
          .string()
          .optional()
          .meta({ description: 'An ETag from an earlier answer: a match answers 304 with no body (weak comparison, RFC 9110 §13.1.2).' }),
      }),
      summary: 'Get the widget bootstrap config for a client_key',
      description:
        "Returns the public-side config the widget needs to render — branding colors, copy, the agent's display name. Cross-origin; client_key is supplied as a query parameter. A request with an `Origin` header must come from an allowed origin; a request without one (a non-browser caller) is answered. Cacheable: strong `ETag`, `If-None-Match` answers 304, `Cache-Control: public, max-age=60`.",
      responses: {
        200: WidgetConfig,
        304: c.noBody(),
        400: textError(['missing_client_key', 'invalid_client_key']),
        403: textError(['config_origin_not_allowed']),
        404: textError(['unknown_client_key']),
        429: textError(['rate_limited']),
        500: textError(['server_error']),
      },
    },
    guest: {
      method: 'POST',
      path: '/api/v1/widget/auth/guest',
      body: GuestRequest,
      summary: 'Mint a guest visitor JWT for the embeddable widget',
      description:
        'Cross-origin endpoint called from the widget bootstrap. The caller supplies the client key in the body; the server validates the request Origin against the per-key allowlist before minting a short-lived, single-use visitor JWT bound to that origin. No Authorization header required; a request without `Origin` is refused.',
      responses: {
        200: VisitorTokenResponse,
        400: textError(['missing_client_key', 'invalid_client_key', 'invalid_json']),
        403: textError(['origin_not_allowed', 'guest_disabled']),
        404: textError(['unknown_client_key']),
        429: textError(['rate_limited']),
        ...postBodyErrors,
      },
    },
    userToken: {
      method: 'POST',
      path: '/api/v1/widget/auth/user-token',
      headers: UserTokenHeaders,
      body: UserTokenRequest,
      summary: 'Mint a logged-in visitor JWT (server-to-server)',
      description:
        "Server-to-server endpoint — the customer's backend authenticates with its secret key (`Authorization: Bearer sk_live_kt_…`) and mints a short-lived, single-use visitor JWT bound to a specific user_id. The widget then exchanges that JWT to bootstrap. Sends no CORS headers: a browser cannot call it.",
      responses: {
        200: UserVisitorTokenResponse,
        400: textError(['missing_user_fields', 'invalid_client_key', 'invalid_json'], { open: true }),
        401: textError(['invalid_api_key']),
        404: textError(['unknown_client_key']),
        429: textError(['rate_limited']),
        ...postBodyErrors,
      },
    },
    exchange: {
      method: 'POST',
      path: '/api/v1/widget/auth/exchange',
      body: ExchangeRequest,
      summary: 'Exchange a server-minted visitor token for a widget session JWT',
      description:
        "The widget bootstrap calls this with the visitor token returned by `/auth/guest` or by the customer's backend (via `/auth/user-token`). Returns the live session JWT used for /connect and a rotating refresh token. Single use: the first exchange of a visitor token wins; a repeat is refused, and a repeat after the grace window also revokes the session the first exchange created. The request Origin must be allowed for the widget, and for a guest token equal the origin it was minted for.",
      responses: {
        200: SessionTokenResponse,
        400: textError(['token_expired', 'invalid_json']),
        403: textError(['origin_not_allowed']),
        429: textError(['rate_limited']),
        ...postBodyErrors,
      },
    },
    refresh: {
      method: 'POST',
      path: '/api/v1/widget/auth/refresh',
      body: RefreshRequest,
      summary: 'Refresh a widget session JWT',
      description:
        'Issued before the current widget JWT expires; returns a new short-lived JWT carrying the same identity claims and a rotated refresh token. The presented refresh token is spent. Presenting it again within the grace window returns the same successor; after it, the whole session is revoked (RFC 9700 §4.14.2). The request Origin must equal the session\'s origin.',
      responses: {
        200: SessionTokenResponse,
        400: textError(['refresh_expired', 'invalid_json']),
        403: textError(['origin_not_allowed']),
        429: textError(['rate_limited']),
        ...postBodyErrors,
      },
    },
    logout: {
      method: 'POST',
      path: '/api/v1/widget/auth/logout',
      body: LogoutRequest,
      summary: 'End a widget session (extension)',
      description:
        'Extension, not in the seed reference. Revokes the session the refresh token belongs to. Answers 204 for any refresh token, known or not (RFC 7009 §2.2), so the widget can call it on sign-out without caring whether the token was still alive.',
      responses: {
        204: c.noBody(),
        400: textError(['refresh_expired', 'invalid_json']),
        ...postBodyErrors,
      },
    },
    jwks: {
      method: 'GET',
      path: '/.well-known/jwks.json',
      summary: 'Public signing keys (extension)',
      description:
        'Extension. The public halves of the current signing key and of retired keys whose tokens may still be valid, for any service that verifies session JWTs. `Cache-Control: public, max-age=300`.',
      responses: { 200: JwkSet, 500: textError(['server_error']) },
    },
    healthz: {
      method: 'GET',
      path: '/healthz',
      summary: 'Liveness (extension)',
      description: 'Extension. Answers `ok` as soon as the process listens.',
      responses: { 200: plainText(z.literal('ok')) },
    },
    readyz: {
      method: 'GET',
      path: '/readyz',
      summary: 'Readiness (extension)',
      description: 'Extension. Answers `ok` when the database answers, 503 otherwise.',
      responses: { 200: plainText(z.literal('ok')), 503: textError(['not_ready']) },
    },
  },
  { strictStatusCodes: true },
);

export type Contract = typeof contract;
