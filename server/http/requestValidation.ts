import type { RequestValidationError } from '@ts-rest/express';
import type { Response } from 'express';
import { ApiError } from '../flows/apiError.js';
import { sendError } from './errorHandler.js';

interface Issue {
  message: string;
}

function issuesOf(error: RequestValidationError): Issue[] {
  return [error.query, error.body, error.headers, error.pathParams].flatMap((part) => {
    if (part === null || typeof part !== 'object' || !('issues' in part)) return [];
    return (part.issues as readonly Issue[]).filter((issue) => typeof issue.message === 'string');
  });
}

/**
 * The contract's schemas carry the spec's exact messages. When several fields fail, a missing
 * required field is the most useful thing to report, so "Missing …" wins; otherwise the first
 * field in schema order. Reasons stay one line.
 */
export function requestValidationErrorHandler(error: RequestValidationError, _req: unknown, res: Response): void {
  const issues = issuesOf(error);
  const chosen = issues.find((i) => i.message.startsWith('Missing')) ?? issues[0];
  const message = (chosen?.message ?? 'Invalid request').replace(/[\r\n]+/g, ' ');
  sendError(res, ApiError.badRequest(message));
}
