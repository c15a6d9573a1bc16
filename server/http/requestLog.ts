import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { requestIdOf } from './baseHeaders.js';
import { routesByPath } from './routeTable.js';

/** The contract route a request addressed, or null: unknown paths are never echoed into logs. */
const routeOf = (req: Request) => routesByPath.get(req.path) ?? null;

/**
 * One JSON line per request: request id (the `X-Request-Id` answered), method, route, status,
 * latency and client address. Never headers, query strings or bodies: they carry keys and tokens
 * (a key sent in a query string by mistake included).
 */
export interface RequestLog {
  /** Called once per request, after its id is set and before anything can answer it. */
  begin(req: Request, res: Response): void;
  /** Called by the error mapping for every 5xx it writes. */
  failed(req: Request, res: Response): void;
}

/** At `info`: pino-http writes a line for every request when it completes or is aborted. */
function everyRequestLog(logger: Logger): RequestLog {
  const middleware = pinoHttp<Request, Response>({
    logger,
    genReqId: (_req, res) => String(res.getHeader('X-Request-Id') ?? ''),
    customAttributeKeys: { reqId: 'requestId', responseTime: 'latencyMs' },
    quietReqLogger: true,
    wrapSerializers: false,
    serializers: {
      req: (req: Request) => ({ method: req.method }),
      res: (res: Response) => ({ statusCode: res.statusCode }),
    },
    customProps: (req) => ({ route: routeOf(req)?.path ?? null, ip: req.ip ?? null }),
    customLogLevel: (_req, res, error) => (error !== undefined || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: (_req, res) => (res.writableEnded ? 'request completed' : 'request aborted'),
    customErrorMessage: () => 'request failed',
    // The cause is logged once, by the error handler; pino-http would add a synthetic stack here.
    customErrorObject: (_req, res, _error, value: { latencyMs?: unknown }) => ({
      res,
      latencyMs: value.latencyMs,
    }),
  });
  return {
    // pino-http's middleware only calls `next` when given one: it attaches its listeners and returns.
    begin: (req, res) => {
      middleware(req, res);
    },
    failed: () => undefined,
  };
}

const STARTED_AT = Symbol('startedAt');
type Timed = Response & { [STARTED_AT]?: number };

/**
 * Below `info` (LOG_LEVEL=warn and above): only failures write a line, the same `request failed`
 * line pino-http writes, from the error mapping instead of per-request listeners. pino-http would
 * still build three child loggers per request, each running the redaction paths over its bindings,
 * to write nothing (docs/performance.md, "Request log below `info`").
 */
function failedRequestLog(logger: Logger): RequestLog {
  return {
    begin: (_req, res) => {
      (res as Timed)[STARTED_AT] = Date.now();
    },
    failed: (req, res) => {
      const startedAt = (res as Timed)[STARTED_AT];
      logger.error(
        {
          requestId: requestIdOf(res) ?? '',
          req: { method: req.method },
          res: { statusCode: res.statusCode },
          latencyMs: startedAt === undefined ? null : Date.now() - startedAt,
          route: routeOf(req)?.path ?? null,
          ip: req.ip ?? null,
        },
        'request failed',
      );
    },
  };
}

export function createRequestLog(logger: Logger): RequestLog {
  return logger.isLevelEnabled('info') ? everyRequestLog(logger) : failedRequestLog(logger);
}
