import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { requestIdOf } from './baseHeaders.js';
import { lineSinkOf, type LineSink } from './logger.js';
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

/** pino's level numbers. */
const INFO = 30;
const ERROR = 50;

/** Each known route as its JSON string: the route comes from the route table, never from the path sent. */
const ROUTE_JSON: ReadonlyMap<string, string> = new Map([...routesByPath.values()].map((route) => [route.path, JSON.stringify(route.path)]));

/**
 * The line `logger[level](fields, msg)` would write, built as one template: the same keys in the
 * same order, every value the client could influence (request id, address) JSON-escaped.
 */
function lineWriter({ bindings, write }: LineSink) {
  return (level: number, req: Request, res: Response, msg: string) => {
    const elapsed = elapsedMs(res);
    const ip = req.ip;
    write(
      `{"level":${level},"time":${Date.now()}${bindings},"requestId":${JSON.stringify(requestIdOf(res) ?? '')},` +
        `"req":{"method":${JSON.stringify(req.method)}},"res":{"statusCode":${res.statusCode}},` +
        `"route":${ROUTE_JSON.get(req.path) ?? 'null'},"ip":${ip === undefined ? 'null' : JSON.stringify(ip)},` +
        `"latencyMs":${elapsed === undefined ? 'null' : Math.round(elapsed)},"msg":"${msg}"}\n`,
    );
  };
}

/**
 * At `info`: a line when each answer is over. A child logger per request, or redaction and pino's
 * per-key serializing over fields the service built itself, would cost more than the line (see
 * docs/performance.md).
 */
function everyRequestLog(logger: Logger): RequestLog {
  const line = lineWriter(lineSinkOf(logger));
  const write = (res: Response, outcome: string) => {
    if (res.statusCode >= 500) line(ERROR, res.req, res, 'request failed');
    else line(INFO, res.req, res, outcome);
  };
  return {
    finished: (res) => write(res, 'request completed'),
    aborted: (res) => write(res, 'request aborted'),
    failed: () => undefined,
  };
}

/** Below `info`: only failures write a line, from the error mapping, with no per-request listener. */
function failedRequestLog(logger: Logger): RequestLog {
  const line = lineWriter(lineSinkOf(logger));
  return {
    failed: (req, res) => {
      if (logger.isLevelEnabled('error')) line(ERROR, req, res, 'request failed');
    },
  };
}

export function createRequestLog(logger: Logger): RequestLog {
  return logger.isLevelEnabled('info') ? everyRequestLog(logger) : failedRequestLog(logger);
}
