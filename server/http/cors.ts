import type { Request, Response } from 'express';
import { isSerializedOrigin } from '../origins/index.js';
import type { ContractRoute } from '../../contract/index.js';

const EXPOSED = 'Retry-After, RateLimit, RateLimit-Policy, ETag';

/**
 * CORS for a route the browser calls cross-origin: the browser's check is never the
 * access control — the flows decide. A syntactically valid Origin is echoed on every answer,
 * errors included, so the widget can read "Origin not in allowlist…" instead of an opaque
 * network failure. Never `*`, never `null`, never credentials. Returns true when it answered
 * the request (a preflight).
 */
export function applyCors(req: Request, res: Response, route: ContractRoute): boolean {
  res.vary('Origin');
  const origin = req.headers.origin;
  const echo = origin !== undefined && isSerializedOrigin(origin) ? origin : undefined;
  if (req.method === 'OPTIONS') {
    if (echo !== undefined) res.setHeader('Access-Control-Allow-Origin', echo);
    res.setHeader('Access-Control-Allow-Methods', route.method);
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
    return true;
  }
  if (echo !== undefined) {
    res.setHeader('Access-Control-Allow-Origin', echo);
    res.setHeader('Access-Control-Expose-Headers', EXPOSED);
  }
  return false;
}
