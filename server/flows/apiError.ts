import { apiErrors, type ApiErrorCode, type ApiErrorStatus } from '../../contract/index.js';

/**
 * A failure the client should see, by its catalogue code: the HTTP layer turns it into the
 * catalogue's `text/plain` answer in one place (`server/http/errorHandler.ts`). Flows throw it;
 * they never touch HTTP.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: ApiErrorStatus;
  readonly code: ApiErrorCode;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ApiErrorCode, headers: Record<string, string> = {}) {
    super(apiErrors[code].message);
    this.code = code;
    this.status = apiErrors[code].status;
    this.headers = headers;
  }

  /**
   * 400 `invalid_request` whose body is a one-line reason naming the invalid field instead of
   * the catalogue's fallback message.
   */
  static fieldReason(reason: string): ApiError {
    const error = new ApiError('invalid_request');
    error.message = reason;
    return error;
  }
}
