import type { RequestListener } from 'node:http';
import { apiErrors } from '../../contract/errors.js';
import { pathOf, writeTextAnswer } from './writeTextAnswer.js';

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
    const live = pathOf(req) === '/healthz' && (req.method === 'GET' || req.method === 'HEAD');
    if (live) writeTextAnswer(req, res, 200, 'ok');
    else writeTextAnswer(req, res, apiErrors.not_ready.status, apiErrors.not_ready.message, ['Retry-After', String(RETRY_AFTER_SECONDS)]);
  };
}
