import * as z from 'zod';
import type { RouteMeta } from './routeMeta.js';

/** One documented response header: its wire name and what its value may be. */
export interface ResponseHeader {
  name: string;
  description: string;
  /** Always sent on the responses it is documented on. */
  required: boolean;
  value: z.ZodType<string>;
}

/** `Retry-After`, `RateLimit`, `RateLimit-Policy` and `ETag`, readable by pages on other origins. */
export const CORS_EXPOSED_HEADERS = 'Retry-After, RateLimit, RateLimit-Policy, ETag';

/** A header-field list (`a, b, c`) that contains `token`, compared case-insensitively. */
function listContaining(token: string) {
  return z
    .string()
    .refine(
      (value) => value.split(',').some((item) => item.trim().toLowerCase() === token.toLowerCase()),
      { error: `must list ${token}` },
    );
}

/** A Structured Field List of `"name";a=1;b=2` items (RFC 9651), as the RateLimit fields are. */
function rateLimitList(first: string, second: string) {
  const item = `"[a-z0-9-]+";${first}=\\d+;${second}=\\d+`;
  return z.string().regex(new RegExp(`^${item}(, ${item})*$`));
}

/**
 * The response headers the API documents, keyed by the name of their OpenAPI component
 * (`#/components/headers/<key>`). The OpenAPI document describes them and the contract tests
 * check real responses against them.
 */
export const responseHeaders = {
  RequestId: {
    name: 'X-Request-Id',
    description:
      "Identifies this request in the server logs; quote it when reporting a problem. Echoes the request's own `X-Request-Id` when that is 1-128 characters of `A-Z a-z 0-9 . _ : -`, otherwise a fresh UUID.",
    required: true,
    value: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/)
      .meta({ example: '3f2b8c1e-6d4a-4e0b-9a57-2c8d1f0e4b6a' }),
  },
  NoSniff: {
    name: 'X-Content-Type-Options',
    description: 'Always `nosniff`: browsers must honour the declared `Content-Type`.',
    required: true,
    value: z.literal('nosniff'),
  },
  NoStore: {
    name: 'Cache-Control',
    description: 'No cache may store this answer: tokens and errors never are (RFC 6749 §5.1).',
    required: true,
    value: z.literal('no-store'),
  },
  NoCache: {
    name: 'Pragma',
    description: '`no-cache`, for HTTP/1.0 caches (RFC 6749 §5.1).',
    required: true,
    value: z.literal('no-cache'),
  },
  VaryOrigin: {
    name: 'Vary',
    description:
      "Lists `Origin`: the answer depends on the caller's origin, so shared caches keep one copy per origin.",
    required: true,
    value: listContaining('Origin').meta({ example: 'Origin' }),
  },
  AllowOrigin: {
    name: 'Access-Control-Allow-Origin',
    description:
      "The request's `Origin`, echoed when it is a syntactically valid serialized origin (ASCII, at most 256 characters, `scheme://host[:port]`, not `null`), on errors too, so the widget can read the error message. Echoing is not approval: access is decided by the allowlist. Never `*`; there is never `Access-Control-Allow-Credentials`.",
    required: false,
    value: z
      .string()
      .regex(/^[a-z][a-z0-9+.-]*:\/\/[^\s,/?#]+$/i)
      .meta({ example: 'http://localhost:3000' }),
  },
  ExposeHeaders: {
    name: 'Access-Control-Expose-Headers',
    description: `Sent with \`Access-Control-Allow-Origin\`: \`${CORS_EXPOSED_HEADERS}\`.`,
    required: false,
    value: z.literal(CORS_EXPOSED_HEADERS),
  },
  ETag: {
    name: 'ETag',
    description:
      'Strong entity tag of this representation; send it back in `If-None-Match` to get `304 Not Modified` while it is unchanged.',
    required: true,
    value: z
      .string()
      .regex(/^"[\x21\x23-\x7e]+"$/)
      .meta({ example: '"5Kx0wq2bT9Ye"' }),
  },
  BearerChallenge: {
    name: 'WWW-Authenticate',
    description:
      'RFC 6750 §3 challenge: `Bearer realm="kataven"` when no credential was sent, `Bearer realm="kataven", error="invalid_token"` when the one sent failed.',
    required: true,
    value: z
      .enum(['Bearer realm="kataven"', 'Bearer realm="kataven", error="invalid_token"'])
      .meta({ example: 'Bearer realm="kataven", error="invalid_token"' }),
  },
  Allow: {
    name: 'Allow',
    description:
      'The methods this path answers (RFC 9110 §10.2.1): `GET, HEAD` for reads; `POST, OPTIONS` on the cross-origin POST routes; `POST` on `user-token`.',
    required: true,
    value: z
      .string()
      .regex(/^[A-Z]+(, [A-Z]+)*$/)
      .meta({ example: 'POST, OPTIONS' }),
  },
  RetryAfter: {
    name: 'Retry-After',
    description: 'Seconds to wait before retrying (RFC 9110 §10.2.3).',
    required: true,
    value: z.string().regex(/^\d+$/).meta({ example: '30' }),
  },
  RetryAfterUnavailable: {
    name: 'Retry-After',
    description:
      'With `Service overloaded` (the instance sheds load) and while the service starts: seconds to wait before retrying (RFC 9110 §10.2.3).',
    required: false,
    value: z.string().regex(/^\d+$/).meta({ example: '1' }),
  },
  RateLimit: {
    name: 'RateLimit',
    description:
      'The limit that was hit, with nothing left (`r=0`) and the seconds until its window resets (`t`), e.g. `"guest-ip";r=0;t=42` (IETF draft-ietf-httpapi-ratelimit-headers).',
    required: true,
    value: rateLimitList('r', 't').meta({ example: '"guest-ip";r=0;t=42' }),
  },
  RateLimitPolicy: {
    name: 'RateLimit-Policy',
    description:
      'The quota that was exceeded: `q` requests per `w` seconds, e.g. `"guest-ip";q=60;w=60` (IETF draft-ietf-httpapi-ratelimit-headers).',
    required: true,
    value: rateLimitList('q', 'w').meta({ example: '"guest-ip";q=60;w=60' }),
  },
  RateLimitRemaining: {
    name: 'RateLimit',
    description:
      'On a request counted against a per-client quota (client IP, secret key): what is left of each quota (`r`) and the seconds until its window resets (`t`), e.g. `"guest-ip";r=59;t=42`. Quotas shared with others (per widget) are not advertised. Absent when rate limits are off.',
    required: false,
    value: rateLimitList('r', 't').meta({ example: '"guest-ip";r=59;t=42' }),
  },
  RateLimitQuota: {
    name: 'RateLimit-Policy',
    description:
      'Sent with `RateLimit`: each advertised quota, `q` requests per `w` seconds, e.g. `"guest-ip";q=60;w=60`.',
    required: false,
    value: rateLimitList('q', 'w').meta({ example: '"guest-ip";q=60;w=60' }),
  },
  ContentSecurityPolicy: {
    name: 'Content-Security-Policy',
    description:
      'The page may load scripts, styles, fonts and data only from this server: the reference works offline and loads nothing from a CDN.',
    required: true,
    value: z.string().regex(/default-src 'self'/),
  },
} as const satisfies Record<string, ResponseHeader>;

export type ResponseHeaderKey = keyof typeof responseHeaders | `PublicMaxAge${number}`;

/** `Cache-Control: public, max-age=N` for a route whose success answers may be cached. */
export function publicCacheHeader(maxAge: number): ResponseHeader {
  return {
    name: 'Cache-Control',
    description: `Cacheable by browsers and shared caches for ${maxAge} seconds.`,
    required: true,
    value: z.literal(`public, max-age=${maxAge}`),
  };
}

/**
 * The headers documented on one response of a route, in a stable order. Errors and token
 * answers are `no-store`; only routes with `cacheMaxAge` are cacheable, and only their
 * successes (200 and 304).
 */
export function responseHeadersFor(
  meta: RouteMeta | undefined,
  status: number,
): { key: ResponseHeaderKey; header: ResponseHeader }[] {
  const entries: { key: ResponseHeaderKey; header: ResponseHeader }[] = [];
  const add = (key: keyof typeof responseHeaders) =>
    entries.push({ key, header: responseHeaders[key] });
  const success = status < 400;
  if (success && meta?.cacheMaxAge !== undefined) {
    entries.push({
      key: `PublicMaxAge${meta.cacheMaxAge}`,
      header: publicCacheHeader(meta.cacheMaxAge),
    });
  } else {
    add('NoStore');
    add('NoCache');
  }
  if (success && meta?.etag === true) add('ETag');
  if (status === 200 && meta?.contentSecurityPolicy === true) add('ContentSecurityPolicy');
  if (status === 401) add('BearerChallenge');
  if (status === 405) add('Allow');
  if (status === 503) add('RetryAfterUnavailable');
  if (status === 429) {
    add('RetryAfter');
    add('RateLimit');
    add('RateLimitPolicy');
  } else if (meta?.rateLimited === true) {
    add('RateLimitRemaining');
    add('RateLimitQuota');
  }
  if (meta?.cors === true) {
    add('VaryOrigin');
    add('AllowOrigin');
    add('ExposeHeaders');
  }
  add('RequestId');
  add('NoSniff');
  return entries;
}
