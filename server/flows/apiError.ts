import { apiErrors, errorCodeForMessage, type ApiErrorCode } from '../../contract/index.js';

/**
 * A failure the client should see: the HTTP layer turns it into the spec's `text/plain` answer
 * in one place (`server/http/errorHandler.ts`). Flows throw it; they never touch HTTP.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ApiErrorCode, headers: Record<string, string> = {}, message: string = apiErrors[code].message) {
    super(message);
    this.status = apiErrors[code].status;
    this.code = message === apiErrors[code].message ? code : errorCodeForMessage(this.status, message);
    this.headers = headers;
  }

  /** 400 with a message from the contract's schemas: one of the spec's lines, or a field reason. */
  static badRequest(message: string): ApiError {
    return new ApiError('invalid_json', {}, message);
  }
}
