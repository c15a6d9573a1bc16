import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { ApiError } from '../flows/apiError.js';
import { allowHeader, routesByPath } from './routeTable.js';

/** The one place an error becomes HTTP: a `text/plain` line, never HTML or a stack trace. */
export function sendError(res: Response, error: ApiError): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.status(error.status).type('text/plain; charset=utf-8').send(error.message);
}

/** body-parser's error `type`s, mapped to the spec's answers. */
function fromBodyParser(error: unknown): ApiError | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  switch (error.type) {
    case 'entity.too.large':
      return new ApiError('body_too_large');
    case 'entity.parse.failed':
      return new ApiError('invalid_json');
    case 'encoding.unsupported':
      return new ApiError('unsupported_encoding');
    case 'charset.unsupported':
      return new ApiError('unsupported_media_type');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new ApiError('invalid_json');
    default:
      return undefined;
  }
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

export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const known = error instanceof ApiError ? error : fromBodyParser(error);
    if (known) {
      sendError(res, known);
      return;
    }
    // Only the error's name, message and stack: never the request body or headers, which carry secrets.
    const err = error instanceof Error ? error : new Error(String(error));
    logger.error(
      { event: 'unhandled_error', requestId: res.locals.requestId as unknown, route: req.path, err: { name: err.name, message: err.message, stack: err.stack } },
      'unexpected failure',
    );
    sendError(res, new ApiError('server_error'));
  };
}

