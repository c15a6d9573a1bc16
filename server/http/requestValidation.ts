import type { RequestValidationError } from '@ts-rest/express';
import type { Response } from 'express';
import { issueErrorCode, type ApiErrorCode } from '../../contract/index.js';
import { ApiError } from '../flows/apiError.js';
import { sendError } from './errorHandler.js';

interface Issue {
  message: string;
}

/** Errors that say a required field is absent: the most useful thing to report first. */
const MISSING_FIELD: ReadonlySet<ApiErrorCode> = new Set([
  'missing_client_key',
  'missing_user_fields',
  'token_expired',
  'refresh_expired',
]);

function issuesOf(error: RequestValidationError): Issue[] {
  return [error.query, error.body, error.headers, error.pathParams].flatMap((part) => {
    if (part === null || typeof part !== 'object' || !('issues' in part)) return [];
    return (part.issues as readonly Issue[]).filter((issue) => typeof issue.message === 'string');
  });
}

/**
 * The error for a request the contract's schemas refuse. An issue carries its catalogue code
 * (`issueError`), or else it is a field reason (`invalid_request`, the message naming the field).
 * When several fields fail, a missing required field wins; otherwise the first in schema order.
 */
export function requestErrorOf(issues: readonly Issue[]): ApiError {
  const chosen = issues.find((issue) => MISSING_FIELD.has(issueErrorCode(issue) ?? 'invalid_request')) ?? issues[0];
  if (chosen === undefined) return new ApiError('invalid_request');
  const code = issueErrorCode(chosen);
  return code === undefined ? ApiError.fieldReason(chosen.message.replace(/[\r\n]+/g, ' ')) : new ApiError(code);
}

export function requestValidationErrorHandler(error: RequestValidationError, _req: unknown, res: Response): void {
  sendError(res, requestErrorOf(issuesOf(error)));
}
