import type { AppRoute } from '@ts-rest/core';
import * as z from 'zod';

/** Groups of operations in the API reference, in reading order. */
export const ROUTE_TAGS = ['widget', 'auth', 'keys', 'service'] as const;

/**
 * What the contract says about a route beyond its method, path and shapes. The server reads it
 * (which routes speak CORS) and so does the OpenAPI generator (tags, security, caching headers,
 * extension marks), so each fact is written once.
 */
export const RouteMeta = z.strictObject({
  tag: z.enum(ROUTE_TAGS),
  /** Beyond the core widget-auth API: marked as an extension in the reference. */
  extension: z.literal(true).optional(),
  /**
   * Called by browsers from customers' pages: answers preflights and echoes a syntactically
   * valid `Origin` on every answer, errors included, so pages can read the error.
   */
  cors: z.literal(true).optional(),
  /** Authenticated with the account's secret key (`Authorization: Bearer sk_…`). */
  secretKey: z.literal(true).optional(),
  /**
   * Counted against rate limits: answers may carry the `RateLimit` fields, and
   * beyond a limit the answer is 429.
   */
  rateLimited: z.literal(true).optional(),
  /**
   * Success answers may be cached this many seconds (`Cache-Control: public, max-age=N`).
   * Without it every answer is `no-store`.
   */
  cacheMaxAge: z.int().positive().optional(),
  /** Success answers carry a strong `ETag`; a matching `If-None-Match` answers 304. */
  etag: z.literal(true).optional(),
  /** Success answers carry a `Content-Security-Policy` (the HTML page). */
  contentSecurityPolicy: z.literal(true).optional(),
});
export type RouteMeta = z.infer<typeof RouteMeta>;

/** Checks a route's metadata where it is written, so a typo fails at import time. */
export function routeMeta(meta: RouteMeta): RouteMeta {
  return RouteMeta.parse(meta);
}

/** A route's metadata, or `undefined` for a route declared without any. */
export function routeMetaOf(route: AppRoute): RouteMeta | undefined {
  return route.metadata === undefined ? undefined : RouteMeta.parse(route.metadata);
}
