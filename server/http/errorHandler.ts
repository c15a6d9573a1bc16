import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { ApiError } from '../flows/apiError.js';
import { requestIdOf } from './baseHeaders.js';
import type { RequestLog } from './requestLog.js';
import { allowHeader, routesByPath } from './routeTable.js';

/** The one place an error becomes HTTP: a `text/plain` line, never HTML or a stack trace. */
export function sendError(res: Response, error: ApiError): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.status(error.status).type('text/plain; charset=utf-8').send(error.message);
}

/** Unknown paths are 404; known paths with another method are 405 with `Allow`. */
export const notFoundOrMethodNotAllowed: RequestHandler = (req, res) => {
  const route = routesByPath.get(req.path);
  if (route) {
    sendError(res, new ApiError('method_not_allowed', { Allow: allowHeader(route) }));
    return;
  }
  sendError(res, new ApiError('not_found'));
};

export function createErrorHandler(logger: Logger, requestLog: RequestLog): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof ApiError) {
      sendError(res, error);
      if (error.status >= 500) requestLog.failed(req, res);
      return;
    }
    // The logger's `err` serializer keeps only the error's name, message and stack (logger.ts).
    logger.error(
      { event: 'unhandled_error', requestId: requestIdOf(res) ?? null, route: req.path, err: error },
      'unexpected failure',
    );
    sendError(res, new ApiError('server_error'));
    requestLog.failed(req, res);
  };
}

