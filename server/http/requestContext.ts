import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';

interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The id of the request being handled, for log lines written outside the HTTP layer (security events). */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/**
 * Runs the rest of the chain inside the request's context. Mounted after the body parser: stream
 * events run in the socket's async context, so anything before the body is read would lose it.
 */
export const requestContext: RequestHandler = (_req, res, next) => {
  storage.run({ requestId: String(res.locals.requestId) }, next);
};
