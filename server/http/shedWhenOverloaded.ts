import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { apiErrors, CORS_EXPOSED_HEADERS } from '../../contract/index.js';
import { isSerializedOrigin } from '../origins/index.js';
import { routesByPath } from './routeTable.js';
import { pathOf, writeTextAnswer } from './writeTextAnswer.js';

/** Seconds a shed caller is asked to wait; the clients honour it (retry like 429). */
const RETRY_AFTER_SECONDS = '1';

/** The 503, written without Express: shedding must cost far less than serving. */
function answerOverloaded(req: IncomingMessage, res: ServerResponse, path: string): void {
  const headers = ['Retry-After', RETRY_AFTER_SECONDS];
  // As every answer on a cross-origin route: the widget can read the status and `Retry-After`.
  if (routesByPath.get(path)?.cors === true) {
    headers.push('Vary', 'Origin');
    const origin = req.headers.origin;
    if (origin !== undefined && isSerializedOrigin(origin)) {
      headers.push('Access-Control-Allow-Origin', origin, 'Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS);
    }
  }
  writeTextAnswer(req, res, apiErrors.overloaded.status, apiErrors.overloaded.message, headers);
}

export interface OverloadBounds {
  /** True while the event loop's delay is past its bound: the CPU cannot keep up. */
  eventLoopSaturated(): boolean;
  /**
   * Requests in flight past which new ones are shed. The loop can look idle while requests
   * queue elsewhere (token signing runs on the libuv thread pool): in-flight work is the queue
   * every new request waits behind.
   */
  maxInFlight: number;
  onShed(): void;
}

/** Requests admitted even while the loop is saturated, so shedding never starves the work it protects. */
const ALWAYS_ADMITTED = 16;

/**
 * Overload: while the instance is saturated — its event loop late past the bound, or
 * `maxInFlight` requests already in progress — every new request but `/healthz` is answered
 * `503 Service overloaded` with `Retry-After` at once, so the requests accepted keep a bounded
 * latency instead of all of them queueing for seconds. Liveness is never shed: an overloaded
 * instance is alive, and restarting it would only move its load elsewhere.
 */
export function shedWhenOverloaded(next: RequestListener, bounds: OverloadBounds): RequestListener {
  let inFlight = 0;
  // One shared listener: admitting a request allocates no closure.
  const settled = () => {
    inFlight--;
  };
  return (req, res) => {
    if (inFlight >= bounds.maxInFlight || (inFlight >= ALWAYS_ADMITTED && bounds.eventLoopSaturated())) {
      const path = pathOf(req);
      if (path !== '/healthz') {
        bounds.onShed();
        answerOverloaded(req, res, path);
        return;
      }
    }
    inFlight++;
    res.once('close', settled);
    next(req, res);
  };
}
