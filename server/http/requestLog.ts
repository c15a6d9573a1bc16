import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { routesByPath } from './routeTable.js';

/** The contract route a request addressed, or null: unknown paths are never echoed into logs. */
const routeOf = (req: Request) => routesByPath.get(req.path) ?? null;

/**
 * One JSON line per request when it completes: request id (the `X-Request-Id` answered), method,
 * route, status, latency and client address. Never headers, query strings or bodies: they carry
 * keys and tokens (a key sent in a query string by mistake included).
 */
export function requestLog(logger: Logger): RequestHandler {
  if (!logger.isLevelEnabled('info')) return failedRequestLog(logger);
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
    customLogLevel: (_req, res, error) =>
      error !== undefined || res.statusCode >= 500 ? 'error' : 'info',
    customSuccessMessage: (_req, res) =>
      res.writableEnded ? 'request completed' : 'request aborted',
    customErrorMessage: () => 'request failed',
    // The cause is logged once, by the error handler; pino-http would add a synthetic stack here.
    customErrorObject: (_req, res, _error, value: { latencyMs?: unknown }) => ({
      res,
      latencyMs: value.latencyMs,
    }),
  });
  return (req, res, next) => {
    middleware(req, res, next);
  };
}

/**
 * The request log when `info` is off (LOG_LEVEL=warn and above): only failures write a line, the
 * same `request failed` line pino-http writes. pino-http would still build three child loggers per
 * request, each running the redaction paths over its bindings, to write nothing: at warn that was
 * ~40 % of /config's CPU (issue #6: 4.7–5.5k → 8.1–10.1k req/s without it, same machine and run).
 */
function failedRequestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const startedAt = Date.now();
    const done = () => {
      res.removeListener('finish', done);
      res.removeListener('close', done);
      if (res.statusCode < 500) return;
      logger.error(
        {
          requestId: String(res.getHeader('X-Request-Id') ?? ''),
          req: { method: req.method },
          res: { statusCode: res.statusCode },
          latencyMs: Date.now() - startedAt,
          route: routeOf(req)?.path ?? null,
          ip: req.ip ?? null,
        },
        'request failed',
      );
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}
