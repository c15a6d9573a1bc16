import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { apiErrors } from '../../contract/errors.js';

/** Seconds a caller is asked to wait while the service starts. */
const RETRY_AFTER_SECONDS = 1;

/**
 * What the server answers between listening and having its store open and migrated: liveness
 * (`/healthz` 200) at once, and `503 Database unavailable` everywhere else — `/readyz` included,
 * with `Retry-After` — so a load balancer or a client waits instead of failing. Replaced by the
 * application once it is ready.
 */
export function startingHandler(): RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const live = path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD');
    const body = live ? 'ok' : apiErrors.not_ready.message;
    res.statusCode = live ? 200 : apiErrors.not_ready.status;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.setHeader('X-Request-Id', randomUUID());
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    if (!live) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
