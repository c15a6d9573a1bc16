import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AppRoute } from '@ts-rest/core';
import type { Request, Response } from 'express';
import { routeMetaOf } from '../../contract/routeMeta.js';
import openApiJson from '../../openapi.json' with { type: 'json' };
import { matchesEtag } from '../flows/getWidgetConfig.js';
import { API_REFERENCE_CSP, renderApiReferencePage } from './apiReferencePage.js';
import { markCacheable } from './baseHeaders.js';

/** A response body computed once, with its strong ETag. */
export interface StaticAsset<T> {
  body: T;
  etag: string;
}

function asset<T>(body: T, text: string): StaticAsset<T> {
  return { body, etag: `"${hash('sha256', text, 'base64url').slice(0, 27)}"` };
}

function once<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}

/**
 * `openapi.json` as committed: `npm run openapi:check` keeps it equal to what the contract
 * generates, so the served document is the one tools in CI were checked against.
 */
export const openApiDocumentAsset = once(() => asset(openApiJson, JSON.stringify(openApiJson)));

export const apiReferencePageAsset = once(() => {
  const page = renderApiReferencePage(`${openApiJson.info.title} — reference`);
  return asset(page, page);
});

/**
 * Scalar's self-contained browser bundle, committed under `vendor/` (`npm run vendor:scalar`)
 * rather than installed: the npm package's dependencies reject Node 20. Found through the
 * package's own name (a self-reference), so the path holds from `server/` and from `dist/server/`.
 */
export const apiReferenceScriptAsset = once(() => {
  const root = dirname(createRequire(import.meta.url).resolve('kataven-widget-auth/package.json'));
  const script = readFileSync(join(root, 'vendor', 'scalar-api-reference', 'standalone.js'), 'utf8');
  return asset(script, script);
});

/**
 * Sets the caching headers the contract declares for a static route and tells whether the
 * caller's copy is current. Not Express's `req.fresh`: it ignores `If-None-Match` whenever the
 * request says `Cache-Control: no-cache`, which fetch() adds to every conditional request; the
 * config route answers those with 304, and so do these.
 */
export function isFresh(req: Request, res: Response, route: AppRoute, etag: string): boolean {
  const meta = routeMetaOf(route);
  res.setHeader('ETag', etag);
  if (meta?.cacheMaxAge !== undefined) markCacheable(res, meta.cacheMaxAge);
  if (meta?.contentSecurityPolicy === true)
    res.setHeader('Content-Security-Policy', API_REFERENCE_CSP);
  return matchesEtag(req.headers['if-none-match'], etag);
}
