import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { apiErrors, CORS_EXPOSED_HEADERS } from '../../contract/index.js';
import { isSerializedOrigin } from '../origins/index.js';
import { routesByPath } from './routeTable.js';

/** Seconds a shed caller is asked to wait; the clients honour it (retry like 429). */
const RETRY_AFTER_SECONDS = '1';
const BODY = apiErrors.overloaded.message;
const BODY_LENGTH = String(Buffer.byteLength(BODY));

const pathOf = (req: IncomingMessage) => {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
};

/** The 503, written without Express: shedding must cost far less than serving. */
function answerOverloaded(req: IncomingMessage, res: ServerResponse, path: string): void {
  res.statusCode = apiErrors.overloaded.status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', BODY_LENGTH);
  res.setHeader('Retry-After', RETRY_AFTER_SECONDS);
  res.setHeader('X-Request-Id', randomUUID());
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  // As every answer on a cross-origin route: the widget can read the status and `Retry-After`.
  if (routesByPath.get(path)?.cors === true) {
    res.setHeader('Vary', 'Origin');
    const origin = req.headers.origin;
    if (origin !== undefined && isSerializedOrigin(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS);
    }
  }
  res.end(req.method === 'HEAD' ? undefined : BODY);
}

/**
 * Spec §3 overload: while `overloaded()` says the event loop is saturated, every request but
 * `/healthz` is answered `503 Service overloaded` with `Retry-After` at once, so the requests
 * accepted keep a bounded latency instead of all of them queueing for seconds. Liveness is never
 * shed: an overloaded instance is alive, and restarting it would only move its load elsewhere.
 */
export function shedWhenOverloaded(next: RequestListener, overloaded: () => boolean, onShed: () => void): RequestListener {
  return (req, res) => {
    if (!overloaded()) {
      next(req, res);
      return;
    }
    const path = pathOf(req);
    if (path === '/healthz') {
      next(req, res);
      return;
    }
    onShed();
    answerOverloaded(req, res, path);
  };
}
