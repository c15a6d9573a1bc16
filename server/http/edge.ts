import type { RequestHandler } from 'express';
import { setBaseHeaders } from './baseHeaders.js';
import { applyCors } from './cors.js';
import { readJsonBody, refuseBody } from './jsonBody.js';
import { markRequestStart } from './requestTiming.js';
import type { ResponseCompletion } from './responseCompletion.js';
import { routesByPath } from './routeTable.js';

/**
 * Everything every request goes through before its route, in this order: request id and base
 * headers, the answer's tracking for the request log and metrics, CORS (and preflights) for cross-origin routes, then the POST body
 * gate and JSON parser. One Express layer instead of five, because each layer is a router
 * dispatch (docs/performance.md, "One edge layer").
 */
export function edge(completion: ResponseCompletion): RequestHandler {
  const parseJsonBody = readJsonBody();
  return (req, res, next) => {
    markRequestStart(res);
    setBaseHeaders(req, res);
    completion.track(res);
    const route = routesByPath.get(req.path);
    if (route?.cors === true && applyCors(req, res, route)) return;
    if (req.method !== 'POST' || route?.method !== 'POST') {
      next();
      return;
    }
    const refusal = refuseBody(req);
    if (refusal !== undefined) {
      next(refusal);
      return;
    }
    parseJsonBody(req, res, next);
  };
}
