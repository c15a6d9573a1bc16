import { initContract } from '@ts-rest/core';
import * as z from 'zod';
import { ApiReferencePage, ApiReferenceScript, OpenApiDocument } from './apiReference.js';
import { JwkSet } from './jwks.js';
import { originHeader } from './originHeader.js';
import { MetricsText } from './metrics.js';
import { ReadinessText } from './readiness.js';
import { routeMeta } from './routeMeta.js';
import { errorResponses } from './errorResponses.js';
import {
  ExchangeRequest,
  GuestRequest,
  LogoutRequest,
  RefreshRequest,
  SessionTokenResponse,
  UserVisitorTokenResponse,
  VisitorTokenResponse,
} from './tokens.js';
import { RevokeUserRequest, RevokeUserResponse } from './revokeUser.js';
import { UserTokenHeaders, UserTokenRequest } from './userToken.js';
import { WidgetConfig } from './widgetConfig.js';
import { clientKeyField } from './clientKey.js';

const c = initContract();

/**
 * Answers every route can give: another method on its path (405, with `Allow`) and an
 * unexpected failure (500). Declared on each route so generated clients type them.
 */
const everyRoute = ['method_not_allowed', 'server_error', 'overloaded'] as const;

/** Errors any JSON POST route can answer before its handler runs. */
const postBody = ['invalid_json', 'body_too_large', 'unsupported_media_type', 'unsupported_encoding', ...everyRoute] as const;

/** What a route called with a secret key about a widget and a user can answer besides success. */
const secretKeyRouteErrors = [
  'missing_user_fields',
  'invalid_client_key',
  'invalid_request',
  'invalid_api_key',
  'unknown_client_key',
  'rate_limited',
  ...postBody,
] as const;

/** An `If-None-Match` request header for routes that answer 304. */
const ifNoneMatch = z
  .string()
  .optional()
  .meta({
    description:
      'An `ETag` from an earlier answer: while it still matches, the answer is 304 with no body (weak comparison, RFC 9110 §13.1.2; `*` matches any).',
    example: '"5Kx0wq2bT9Ye"',
  });

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
      query: z.object({ client_key: clientKeyField('missing_client_key') }),
      headers: z.object({
        origin: originHeader(
          'Sent by the browser itself (page code cannot set it). When present it must be on the widget\'s allowlist (403 otherwise); without it the caller is not a browser page and is answered.',
        ),
        'if-none-match': ifNoneMatch,
      }),
      metadata: routeMeta({ tag: 'widget', cors: true, cacheMaxAge: 60, etag: true }),
      summary: 'Get the widget bootstrap config for a client_key',
      description: [
        "Returns the public-side config the widget needs to render — branding colors, copy, the agent's display name. Cross-origin; client_key is supplied as a query parameter.",
        'The widget calls it first, from the customer\'s page. It needs no credentials: everything in it is public.',
        '**Origin.** A request that carries an `Origin` header must come from an origin on the widget\'s allowlist, or it is refused with 403 `Origin not in allowlist`. A request without `Origin` comes from a non-browser caller (your backend, curl) and is answered.',
        '**Caching.** Answers carry `Cache-Control: public, max-age=60`, a strong `ETag` and `Vary: Origin`. Send the ETag back in `If-None-Match` to get `304 Not Modified` with no body while the config is unchanged; the Origin check runs first. `HEAD` is answered like `GET`, without a body.',
        'A disabled widget answers 404 `Unknown client_key`, exactly like one that does not exist.',
      ].join('\n\n'),
      responses: {
        200: WidgetConfig,
        304: c.noBody(),
        ...errorResponses(
          'missing_client_key',
          'invalid_client_key',
          'config_origin_not_allowed',
          'unknown_client_key',
          'rate_limited',
          ...everyRoute,
        ),
      },
    },
    guest: {
      method: 'POST',
      path: '/api/v1/widget/auth/guest',
      body: GuestRequest,
      headers: z.object({
        origin: originHeader(
          'Sent by the browser itself (page code cannot set it; other callers must send the page\'s origin). The route requires it: it must be on the widget\'s allowlist, and a request without it is refused (403). The visitor token is bound to it.',
        ),
      }),
      metadata: routeMeta({ tag: 'auth', cors: true, rateLimited: true }),
      summary: 'Mint a guest visitor JWT for the embeddable widget',
      description: [
        'Cross-origin endpoint called from the widget bootstrap. The caller supplies the client key (`pk_live_…` or `pk_test_…`) in the body; the server validates the request Origin against the per-key allowlist before minting a short-lived visitor JWT. No Authorization header required.',
        '**Origin.** Required: browsers send it on every cross-origin POST, and a request without one is refused with 403. Test-mode widgets (`pk_test_`) also accept loopback origins (`http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`), so local development needs no allowlist entry.',
        '**The visitor token** is good for `expires_in` seconds (120 by default), only at `POST /api/v1/widget/auth/exchange`, only once, and only from the origin that minted it. Every call creates a new anonymous visitor (`visitor_id`).',
        '**Rate limits:** 60 requests per minute per client IP and 3,000 per minute per widget by default; beyond them, 429 with `Retry-After`.',
      ].join('\n\n'),
      responses: {
        200: VisitorTokenResponse,
        ...errorResponses(
          'missing_client_key',
          'invalid_client_key',
          'origin_not_allowed',
          'guest_disabled',
          'unknown_client_key',
          'rate_limited',
          ...postBody,
        ),
      },
    },
    userToken: {
      method: 'POST',
      path: '/api/v1/widget/auth/user-token',
      headers: UserTokenHeaders,
      body: UserTokenRequest,
      metadata: routeMeta({ tag: 'auth', secretKey: true, rateLimited: true }),
      summary: 'Mint a logged-in visitor JWT (server-to-server)',
      description: [
        "Server-to-server endpoint — the customer's backend authenticates with its secret key and mints a short-lived visitor JWT bound to a specific user_id. The widget then uses that JWT to bootstrap.",
        '**Authentication:** `Authorization: Bearer sk_live_kt_…` (or `sk_test_kt_…`): your account\'s secret key, in this header only. A `sk_live_` key serves its own account\'s `pk_live_` widgets, a `sk_test_` key its `pk_test_` ones. The key is checked before the body, so a caller without a valid key learns nothing about the body rules.',
        '**Never from a browser.** This route sends no CORS headers at all (a preflight answers 405), so no page can call it and a secret key has no reason to be in one. Call it from the backend that knows who the user is, then hand `token` to the page, which exchanges it at `POST /api/v1/widget/auth/exchange` from an allowed origin.',
        '**The user.** `user_id` is your stable id for the user: the same `user_id` on the same widget always gets the same `visitor_id`. `name`, `email` and `metadata` are optional and are copied into the session JWT. Unknown fields are ignored.',
        '**Errors.** 400 `Missing client_key or user_id` when either is absent, 400 with a one-line reason naming the field for any other invalid field; 404 `Unknown client_key` for a widget that does not exist, is disabled, belongs to another account, or is of the other mode than the key.',
        '**Rate limit:** 3,000 requests per minute per secret key by default.',
      ].join('\n\n'),
      responses: {
        200: UserVisitorTokenResponse,
        ...errorResponses(...secretKeyRouteErrors),
      },
    },
    exchange: {
      method: 'POST',
      path: '/api/v1/widget/auth/exchange',
      body: ExchangeRequest,
      headers: z.object({
        origin: originHeader(
          'Sent by the browser itself (page code cannot set it; other callers must send the page\'s origin). The route requires it: it must be on the widget\'s allowlist and, for a guest token, equal the origin the token was minted for (403 otherwise). The session is bound to it.',
        ),
      }),
      metadata: routeMeta({ tag: 'auth', cors: true, rateLimited: true }),
      summary: 'Exchange a server-minted visitor token for a widget session JWT',
      description: [
        "The widget bootstrap calls this with the visitor token returned by the customer's backend (via `POST /api/v1/widget/auth/user-token`) or by `POST /api/v1/widget/auth/guest`. Returns the live session JWT used for /connect, with a rotating refresh token.",
        '**Single use.** The first valid exchange of a visitor token wins, also when several race; every later one is refused with 400. A repeat within the grace window (10 s by default) changes nothing; a repeat after it is treated as theft and also revokes the session the first exchange created, as OAuth does for a reused authorization code.',
        '**Origin.** The request `Origin` must be on the widget\'s allowlist and, for a guest token, equal the origin the token was minted for; otherwise (a missing `Origin` included) 403. The session is bound to this origin: refreshes must come from it.',
        '**The session JWT** (`typ: at+jwt`, RFC 9068, ES256) lives `expires_in` seconds (900 by default) and carries `sub` (the visitor id), `client_id`, `sid`, `origin`, `kind` and, for users, `user_id`, `name`, `email`, `metadata`. Verify it with the keys at `/.well-known/jwks.json`. Refresh it before it expires.',
        '**400 `Missing or expired token`** covers every way a visitor token can be unusable: absent, malformed, bad signature, wrong type or audience, expired, already used, or its widget disabled.',
        '**Rate limit:** 120 requests per minute per client IP by default.',
      ].join('\n\n'),
      responses: {
        200: SessionTokenResponse,
        ...errorResponses('token_expired', 'origin_not_allowed', 'rate_limited', ...postBody),
      },
    },
    refresh: {
      method: 'POST',
      path: '/api/v1/widget/auth/refresh',
      body: RefreshRequest,
      headers: z.object({
        origin: originHeader(
          'Sent by the browser itself (page code cannot set it; other callers must send the page\'s origin). The route requires it: it must equal the origin the session was exchanged from, and still be on the widget\'s allowlist (403 otherwise).',
        ),
      }),
      metadata: routeMeta({ tag: 'auth', cors: true, rateLimited: true }),
      summary: 'Refresh a widget session JWT',
      description: [
        'Issued before the current widget JWT expires; returns a new short-lived JWT carrying the same identity claims, with a rotated refresh token.',
        '**Rotation.** The presented refresh token is spent; keep the `refresh_token` of the answer for next time. Presenting a spent token again within the grace window (10 s by default) is a retry: it gets the same successor and a fresh session JWT, so two tabs racing or a retried request never log the visitor out. After the grace window it is reuse: 400, and the whole session — the live token too — is revoked (RFC 9700 §4.14.2).',
        '**Lifetimes.** A refresh token expires after 7 days unused (by default); the session ends at its absolute deadline (30 days after the exchange by default), which rotation never extends.',
        '**Origin.** The request `Origin` must equal the session\'s origin and still be allowed for the widget; otherwise (a missing `Origin` included) 403.',
        '**400 `Missing or expired refresh_token`** covers an absent, unknown, expired, revoked or reused refresh token.',
        '**Rate limit:** 120 requests per minute per client IP by default.',
      ].join('\n\n'),
      responses: {
        200: SessionTokenResponse,
        ...errorResponses('refresh_expired', 'origin_not_allowed', 'rate_limited', ...postBody),
      },
    },
    logout: {
      method: 'POST',
      path: '/api/v1/widget/auth/logout',
      body: LogoutRequest,
      metadata: routeMeta({ tag: 'auth', cors: true, extension: true }),
      summary: 'End a widget session (extension)',
      description: [
        'Extension. Revokes the session the refresh token belongs to: its refresh tokens stop working at once; session JWTs already issued stay valid until they expire (15 minutes at most by default).',
        'Answers 204 for any refresh token string, known or not, live or not (RFC 7009 §2.2), so the widget can call it on sign-out without caring whether the token was still alive. Only a body without a `refresh_token` string is refused, with 400 `Missing or expired refresh_token`. No `Origin` check: ending a session is always allowed.',
      ].join('\n\n'),
      responses: {
        204: c.noBody(),
        ...errorResponses('refresh_expired', ...postBody),
      },
    },
    revokeUser: {
      method: 'POST',
      path: '/api/v1/widget/auth/revoke',
      headers: UserTokenHeaders,
      body: RevokeUserRequest,
      metadata: routeMeta({ tag: 'auth', secretKey: true, rateLimited: true, extension: true }),
      summary: "End every session of one user (server-to-server, extension)",
      description: [
        "Extension. Your backend calls it when a user signs out everywhere, is suspended, or their account may be compromised: every session of that user on that widget ends.",
        '**Effect.** From the answer on, on every instance: the user\'s refresh tokens answer 400 `Missing or expired refresh_token`, and a visitor token minted for the user (`POST /api/v1/widget/auth/user-token`) before this call no longer exchanges. Visitor tokens minted after it work as usual, so the user can sign in again at once. Session JWTs already issued stay valid until their `exp` (15 minutes at most by default): they are verified offline, with the JWKS.',
        '**Idempotent.** The answer says how many live sessions this call ended; 0 when there were none, also for a `user_id` the widget never saw.',
        '**Authentication and errors** exactly as `user-token`: your secret key in `Authorization`, no CORS headers (never call it from a browser), 400 `Missing client_key or user_id`, 401, 404 `Unknown client_key` for another account\'s widget, a disabled one or the other mode.',
        '**Rate limit:** 3,000 requests per minute per secret key by default (the user-token rule, counted apart).',
      ].join('\n\n'),
      responses: {
        200: RevokeUserResponse,
        ...errorResponses(...secretKeyRouteErrors),
      },
    },
    jwks: {
      method: 'GET',
      path: '/.well-known/jwks.json',
      metadata: routeMeta({ tag: 'keys', extension: true, cacheMaxAge: 300 }),
      summary: 'Public signing keys (extension)',
      description: [
        'Extension. The public halves of the current signing key and of retired keys whose tokens may still be valid (RFC 7517), for any service that verifies session JWTs.',
        'Pick the key by the JWT\'s `kid` header and pin everything else: algorithm `ES256`, `typ: at+jwt`, issuer, audience (`kataven:connect` by default). `Cache-Control: public, max-age=300`.',
        '**Rotation never breaks verification** for a verifier that honours `max-age`: a rotation publishes the new key here 305 s before it signs anything, and a retired key stays until every token it signed has expired. (An emergency rotation after a key leaked switches at once, and may withdraw the leaked key: then fetch again on any verification failure.) Fetch again when you meet an unknown `kid` and your copy is older than `max-age`.',
      ].join('\n\n'),
      responses: { 200: JwkSet, ...errorResponses(...everyRoute) },
    },
    healthz: {
      method: 'GET',
      path: '/healthz',
      metadata: routeMeta({ tag: 'service', extension: true }),
      summary: 'Liveness (extension)',
      description:
        'Extension. Answers `ok` as soon as the process listens; it does not touch the database (see `/readyz`) and is never shed under overload: an overloaded instance is alive.',
      responses: { 200: plainText(z.literal('ok')), ...errorResponses('method_not_allowed', 'server_error') },
    },
    readyz: {
      method: 'GET',
      path: '/readyz',
      metadata: routeMeta({ tag: 'service', extension: true }),
      summary: 'Readiness (extension)',
      description: [
        'Extension. Answers 200 when the database answers, 503 `Database unavailable` otherwise: route traffic to an instance only while it is ready. Probe the status code, not the body.',
        'The service listens before its database is open and migrated; until then this answers 503, and so does every route but `/healthz` (`Database unavailable`, with `Retry-After: 1`).',
        'With `REDIS_URL` set and Redis unreachable the instance stays ready and the body says `ok (rate limits per instance: Redis unreachable)`: every request is still answered and each instance enforces the limits on its own traffic until Redis is back.',
        'From SIGTERM on it answers 503 `Shutting down`, while the instance still serves other requests for `KATAVEN_SHUTDOWN_DELAY` seconds, so the load balancer stops sending traffic before the port closes.',
      ].join('\n\n'),
      responses: { 200: plainText(ReadinessText), ...errorResponses('not_ready', 'shutting_down', ...everyRoute) },
    },
    openApiDocument: {
      method: 'GET',
      path: '/openapi.json',
      metadata: routeMeta({ tag: 'service', extension: true, cacheMaxAge: 300, etag: true }),
      summary: 'This API description (extension)',
      description:
        'Extension. The OpenAPI 3.1 document describing every route, generated from the same contract the server runs on; identical to `openapi.json` in the repository. Generate a typed client from it (openapi-typescript + openapi-fetch) or load it into any OpenAPI tool.',
      headers: z.object({ 'if-none-match': ifNoneMatch }),
      responses: { 200: OpenApiDocument, 304: c.noBody(), ...errorResponses(...everyRoute) },
    },
    apiReference: {
      method: 'GET',
      path: '/docs',
      metadata: routeMeta({ tag: 'service', extension: true, cacheMaxAge: 300, etag: true, contentSecurityPolicy: true }),
      summary: 'Interactive API reference (extension)',
      description:
        'Extension. A human-readable, interactive reference of this API, rendered in the browser from `/openapi.json`. Everything it needs comes from this server: it works offline and loads nothing from a CDN.',
      headers: z.object({ 'if-none-match': ifNoneMatch }),
      responses: {
        200: c.otherResponse({ contentType: 'text/html', body: ApiReferencePage }),
        304: c.noBody(),
        ...errorResponses(...everyRoute),
      },
    },
    apiReferenceScript: {
      method: 'GET',
      path: '/docs/assets/api-reference.js',
      metadata: routeMeta({ tag: 'service', extension: true, cacheMaxAge: 3600, etag: true }),
      summary: 'API reference script (extension)',
      description:
        'Extension. The script the reference page runs: the Scalar API Reference standalone bundle (`@scalar/api-reference`, MIT), served from this server.',
      headers: z.object({ 'if-none-match': ifNoneMatch }),
      responses: {
        200: c.otherResponse({ contentType: 'application/javascript', body: ApiReferenceScript }),
        304: c.noBody(),
        ...errorResponses(...everyRoute),
      },
    },
    metrics: {
      method: 'GET',
      path: '/metrics',
      headers: z.object({
        authorization: z.string().optional().meta({ description: '`Bearer <KATAVEN_METRICS_TOKEN>`.' }),
      }),
      metadata: routeMeta({ tag: 'service', extension: true }),
      summary: 'Prometheus metrics (extension)',
      description: [
        'Extension. Not public. Served on the main port only when `KATAVEN_METRICS_TOKEN` is set, to `Authorization: Bearer <token>` (401 otherwise), and without authentication on the private port `KATAVEN_METRICS_PORT`; with neither set it answers 404 `Not found` like any unknown path.',
        'Label values come from fixed sets (route names, status classes, limit names, store operations), never from a request, so the number of series stays bounded.',
      ].join('\n\n'),
      responses: {
        200: plainText(MetricsText),
        ...errorResponses('metrics_unauthorized', 'not_found', ...everyRoute),
      },
    },
  },
  { strictStatusCodes: true },
);

export type Contract = typeof contract;
