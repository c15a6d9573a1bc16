/**
 * The document-level prose of `openapi.json`: what the API is for, how the handshake goes, how
 * long tokens live, what the Origin check does and does not do, and the error catalogue. Facts
 * that have a home in the contract (error messages, exposed CORS headers) are read from it.
 */
import {
  apiErrorOf,
  apiErrors,
  CORS_EXPOSED_HEADERS,
  reportedCode,
  type ApiErrorCode,
  type ROUTE_TAGS,
} from '../../contract/index.js';

export const TITLE = 'Kataven widget auth API';

/**
 * A relative URL means "the server this document is served from" (OpenAPI 3.1 §4.8.5), which is
 * right for `GET /openapi.json`; the templated entry covers any other deployment.
 */
export const SERVERS = [
  { url: '/', description: 'The server this document is served from' },
  {
    url: '{origin}',
    description: 'Any deployment of the service',
    variables: {
      origin: {
        default: 'http://localhost:8787',
        description:
          'Its base URL (`KATAVEN_ISSUER`); `npm start` listens on http://localhost:8787.',
      },
    },
  },
];

export const TAGS: readonly { name: (typeof ROUTE_TAGS)[number]; description: string }[] = [
  {
    name: 'widget',
    description: "The public config a widget renders from, read from the customer's page.",
  },
  {
    name: 'auth',
    description:
      'The visitor handshake: mint a visitor token (as a guest from the page, or for a signed-in user from your backend), exchange it for a session, refresh the session, end it.',
  },
  {
    name: 'keys',
    description: 'The public keys any service uses to verify session JWTs.',
  },
  {
    name: 'service',
    description: "Probes for orchestrators, and this API's own description and reference page.",
  },
];

function errorTable(): string {
  const rows = (Object.keys(apiErrors) as ApiErrorCode[])
    .map((code) => {
      const { status, message, fieldReasons } = apiErrorOf(code);
      const body =
        fieldReasons === undefined
          ? `\`${message}\``
          : `a one-line reason naming the field (\`user-token\` and \`revoke\` only), e.g. \`${fieldReasons.at(-1) ?? message}\``;
      return { status, body, code: reportedCode(code) };
    })
    .sort((a, b) => a.status - b.status);
  return [
    '| Status | Body (exact) | `KatavenError.code` |',
    '|---|---|---|',
    ...rows.map(({ status, body, code }) => `| ${status} | ${body} | \`${code}\` |`),
  ].join('\n');
}

export function documentDescription(): string {
  return `Issues the short-lived tokens the Kataven chat/voice widget needs before it opens a live connection (\`/connect\`, not part of this API). A customer embeds the widget on their pages; this API lets it authenticate each visitor safely, as an anonymous guest or as a user the customer's backend vouches for.

## The handshake

\`\`\`text
page (browser)    service          backend
  │                  │                 │
  │ GET config       │                 │
  │─────────────────▶│                 │
  │ branding, copy   │                 │
  │◀─────────────────│                 │
  │ POST guest       │                 │
  │─────────────────▶│                 │
  │ visitor JWT      │                 │
  │◀─────────────────│                 │
  │                  │ POST user-token │
  │                  │◀────────────────│
  │                  │ visitor JWT     │
  │                  │────────────────▶│
  │ visitor JWT (a signed-in user)     │
  │◀───────────────────────────────────│
  │ POST exchange    │                 │
  │─────────────────▶│                 │
  │ session JWT,     │                 │
  │ refresh_token    │                 │
  │◀─────────────────│                 │
  │ POST refresh     │                 │
  │─────────────────▶│                 │
  │ new session JWT, │                 │
  │ new refresh_token│                 │
  │◀─────────────────│                 │
\`\`\`

Paths are under \`/api/v1/widget/\` (\`config\`, \`auth/guest\`, \`auth/user-token\`, \`auth/exchange\`, \`auth/refresh\`); any service verifies session JWTs with the public keys at \`GET /.well-known/jwks.json\`.

In words:

1. **Config.** The widget, running on the customer's page, reads its public config (\`GET /api/v1/widget/config?client_key=pk_…\`): branding, copy, the agent's name, whether guests may chat.
2. **Visitor token.** It then needs a single-use **visitor token** (JWT, \`typ: visitor+jwt\`). Either
   - **guest flow:** the page asks for one itself (\`POST /api/v1/widget/auth/guest\` with the client key); the token is bound to the page's origin; or
   - **signed-in flow:** the customer's backend asks for one with its **secret key** (\`POST /api/v1/widget/auth/user-token\`, \`Authorization: Bearer sk_…\`), naming the user (\`user_id\`, optional name, email, metadata), and hands the token to its page.
3. **Exchange.** The page trades the visitor token for a **session** (\`POST /api/v1/widget/auth/exchange\`): a session JWT (\`typ: at+jwt\`), which is what \`/connect\` accepts, and an opaque **refresh token** (\`rt_…\`). The first exchange of a visitor token wins; any repeat fails. The session is bound to the page's origin.
4. **Refresh.** Before the session JWT expires, the page trades the refresh token for a new session JWT and a new refresh token (\`POST /api/v1/widget/auth/refresh\`). The old refresh token is spent; presenting it again is a harmless retry within a short grace window and a revocation of the whole session after it.
5. **Sign-out** (\`POST /api/v1/widget/auth/logout\`) ends the session. Any service can verify session JWTs offline with the keys at \`/.well-known/jwks.json\`.

## Token lifetimes

| Token | Default lifetime | Setting | Notes |
|---|---|---|---|
| Visitor token (\`visitor+jwt\`) | 120 s | \`KATAVEN_VISITOR_TOKEN_TTL\` | single use, good only at \`exchange\` |
| Session token (\`at+jwt\`, RFC 9068) | 900 s | \`KATAVEN_SESSION_TOKEN_TTL\` | ES256; what \`/connect\` accepts |
| Refresh token (\`rt_…\`) | 7 days unused | \`KATAVEN_REFRESH_TOKEN_TTL\` | rotates on every use, stored only as a hash |
| Session | 30 days | \`KATAVEN_SESSION_MAX_AGE\` | absolute deadline; rotation never extends it |
| Retry grace window | 10 s | \`KATAVEN_REFRESH_REUSE_GRACE\` | repeats of exchange and refresh (at most 60 s) |

The lifetimes are per deployment; \`expires_in\` and \`expires_at\` in each answer are authoritative.

## Origins, and what they do not do

Each widget (client key \`pk_live_…\` or \`pk_test_…\`) has an allowlist of origins: exact \`scheme://host[:port]\` entries or \`scheme://*.domain[:port]\` wildcards (one or more labels before the domain, never the domain itself). A request's \`Origin\` header matches only if it is a canonical serialized origin (RFC 6454) equal to an entry byte for byte: nothing is normalised, so \`https://SHOP.example.com\`, \`https://shop.example.com:443\` and \`https://shop.example.com/\` do not match \`https://shop.example.com\`; \`null\` and duplicated headers never match. \`pk_test_\` widgets also accept loopback origins (\`http://localhost:*\`, \`http://127.0.0.1:*\`, \`http://[::1]:*\`) so local development needs no setup; \`pk_live_\` widgets never do unless listed.

- \`guest\`, \`exchange\` and \`refresh\` require an allowed \`Origin\`; a missing one is refused (403).
- A guest visitor token can only be exchanged from the origin it was minted for, and a session only refreshed from the origin that exchanged it.
- \`config\` refuses a disallowed \`Origin\` but answers callers without one (they are not browser pages, and the config is public).

**The Origin check is not authentication.** A browser always sends the page's true \`Origin\`, so it keeps other sites' pages from using a client key. A non-browser client can send any \`Origin\` it likes; what a forged one gains is bounded by rate limits and by tokens that are short-lived, single-use and bound to one origin. Authentication of users is the secret key's job, which only the customer's backend holds.

## Cross-origin requests (CORS)

\`config\`, \`guest\`, \`exchange\`, \`refresh\` and \`logout\` are called from customers' pages. Access is decided by the server, never by the browser's CORS check:

- A preflight (\`OPTIONS\`) answers 204 and echoes any syntactically valid \`Origin\` (the client key is not known before the body), with \`Access-Control-Allow-Methods\`, \`Access-Control-Allow-Headers: Content-Type\`, \`Access-Control-Max-Age: 600\` and \`Vary: Origin\`.
- Every answer on these routes, errors included, echoes a syntactically valid \`Origin\` in \`Access-Control-Allow-Origin\` and exposes \`${CORS_EXPOSED_HEADERS}\`, so the widget can read a 403 message instead of an opaque network failure. Never \`*\`, never \`null\`, never credentials: nothing here uses cookies.
- \`user-token\` and \`revoke\` send no CORS headers at all, on preflight or otherwise: a secret key cannot be used from a page.

## Errors

Every error body is \`text/plain; charset=utf-8\` holding exactly one line, listed on each response; match on the exact text (the typed clients expose it as \`KatavenError.code\`). Errors are never cached (\`Cache-Control: no-store\`, \`Pragma: no-cache\`). Bad input never yields a 5xx: malformed JSON is 400, a body that is not \`application/json\` or is compressed is 415, a body over 16 KiB is 413; unknown JSON fields are ignored. An unknown path answers 404 \`Not found\`.

${errorTable()}

## Rate limits

| Route | Limit (default) | Keyed by |
|---|---|---|
| \`guest\` | 60 / min and 3,000 / min | client IP; widget |
| \`exchange\` | 120 / min | client IP |
| \`refresh\` | 120 / min | client IP |
| \`user-token\` | 3,000 / min | secret key |
| \`revoke\` | 3,000 / min | secret key |

Each limit is configurable per deployment. A request counted against a per-client quota (client IP, secret key) learns what is left in the \`RateLimit\` and \`RateLimit-Policy\` fields (IETF draft-ietf-httpapi-ratelimit-headers), e.g. \`RateLimit: "guest-ip";r=59;t=42\` and \`RateLimit-Policy: "guest-ip";q=60;w=60\`; the per-widget quota is shared and not advertised. Beyond a limit the answer is 429 \`Too many requests\` with \`Retry-After\` (seconds) and both fields for the limit that was hit.

## Headers on every answer

\`X-Request-Id\` (yours echoed if safe, otherwise a fresh id: quote it in support requests), \`X-Content-Type-Options: nosniff\`, and \`Cache-Control\`: \`no-store\` on tokens and errors, \`public, max-age=…\` only on the config, the JWKS and this description.

## This description

Generated from the service's contract, the same code the server runs on, and served at \`GET /openapi.json\`; \`GET /docs\` renders it. Operations marked **Extension** (\`x-extension: true\`) go beyond the original widget-auth reference. Generate a typed client with \`npx openapi-typescript openapi.json -o kataven.d.ts\` and call it with \`openapi-fetch\`.`;
}
