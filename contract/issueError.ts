import type * as z from 'zod';
import { apiErrors, type ApiErrorCode } from './errors.js';

const CODE = 'apiErrorCode';

/**
 * A zod `error` that answers `code`'s catalogue message and carries the code on the issue, so the
 * server maps a failed request to its code without reading the message back.
 */
export function issueError(code: ApiErrorCode | ((issue: z.core.$ZodRawIssue) => ApiErrorCode)) {
  return (issue: z.core.$ZodRawIssue): string => {
    const chosen = typeof code === 'function' ? code(issue) : code;
    // zod copies the raw issue's own fields into the issue it reports.
    Object.assign(issue, { [CODE]: chosen });
    return apiErrors[chosen].message;
  };
}

/** The catalogue code `issueError` put on an issue; `undefined` for a field reason. */
export function issueErrorCode(issue: object): ApiErrorCode | undefined {
  const code: unknown = (issue as Record<string, unknown>)[CODE];
  return typeof code === 'string' && Object.hasOwn(apiErrors, code) ? (code as ApiErrorCode) : undefined;
}
