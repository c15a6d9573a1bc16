import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { requestIdOf } from './baseHeaders.js';
import { uncensoredSibling } from './logger.js';
import { elapsedMs } from './requestTiming.js';
import type { ResponseWatcher } from './responseCompletion.js';
import { routesByPath } from './routeTable.js';

/**
 * One JSON line per request: request id (the `X-Request-Id` answered), method, route, status,
 * latency and client address. Never headers, query strings or bodies: they carry keys and tokens
 * (a key sent in a query string by mistake included).
 */
export interface RequestLog extends ResponseWatcher {
  /** Called by the error mapping for every 5xx it writes. */
  failed(req: Request, res: Response): void;
}

/** The line's fields, all built here: the route comes from the route table, never from the path sent. */
function lineOf(req: Request, res: Response) {
  const elapsed = elapsedMs(res);
  return {
    requestId: requestIdOf(res) ?? '',
    req: { method: req.method },
    res: { statusCode: res.statusCode },
    route: routesByPath.get(req.path)?.path ?? null,
    ip: req.ip ?? null,
    latencyMs: elapsed === undefined ? null : Math.round(elapsed),
  };
}

/**
 * At `info`: a line when each answer is over, written flat on the service's logger. A child
 * logger per request, or redaction over fields the service built itself, would cost more than
 * the line (see docs/performance.md).
 */
function everyRequestLog(logger: Logger): RequestLog {
  const lines = uncensoredSibling(logger);
  const write = (res: Response, outcome: string) => {
    if (res.statusCode >= 500) lines.error(lineOf(res.req, res), 'request failed');
    else lines.info(lineOf(res.req, res), outcome);
  };
  return {
    finished: (res) => write(res, 'request completed'),
    aborted: (res) => write(res, 'request aborted'),
    failed: () => undefined,
  };
}

/** Below `info`: only failures write a line, from the error mapping, with no per-request listener. */
function failedRequestLog(logger: Logger): RequestLog {
  const lines = uncensoredSibling(logger);
  return {
    failed: (req, res) => {
      lines.error(lineOf(req, res), 'request failed');
    },
  };
}

export function createRequestLog(logger: Logger): RequestLog {
  return logger.isLevelEnabled('info') ? everyRequestLog(logger) : failedRequestLog(logger);
}
