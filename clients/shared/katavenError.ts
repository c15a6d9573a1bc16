import { errorCodeOfAnswer, type ErrorCode } from '../../contract/errors.js';

/**
 * Codes a client can see: the contract's stable codes (read from the server's exact message,
 * all the wire carries), plus `network_error` when no answer arrived (offline, DNS, timeout, a CORS failure
 * the browser hides) and `invalid_token` when a session token fails verification.
 */
export type KatavenErrorCode = ErrorCode | 'network_error' | 'invalid_token';

/**
 * The one error both clients throw. `status` is the HTTP status, or 0 when no answer arrived;
 * `message` is the server's one-line message; `retryAfter` is in seconds, when the server sent
 * `Retry-After`.
 *
 * @example
 * try {
 *   await auth.getSessionToken();
 * } catch (error) {
 *   if (error instanceof KatavenError && error.code === 'origin_not_allowed') showSetupHint(error.message);
 * }
 */
export class KatavenError extends Error {
  override readonly name = 'KatavenError';
  readonly status: number;
  readonly code: KatavenErrorCode;
  readonly retryAfter?: number;

  constructor(status: number, code: KatavenErrorCode, message: string, retryAfter?: number) {
    super(message);
    this.status = status;
    this.code = code;
    if (retryAfter !== undefined) this.retryAfter = retryAfter;
  }
}

/**
 * `Retry-After` (RFC 9110 §10.2.3) in seconds: delay-seconds, or an HTTP-date measured against
 * this machine's clock (the only clock a date can be compared with).
 */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** The error for a non-2xx answer: the body is the server's one-line `text/plain` message. */
export async function errorFromResponse(response: Response): Promise<KatavenError> {
  let message = '';
  try {
    message = (await response.text()).trim().split('\n')[0] ?? '';
  } catch {
    // A body that breaks off still has a status worth reporting.
  }
  return new KatavenError(
    response.status,
    errorCodeOfAnswer(response.status, message),
    message || `HTTP ${response.status}`,
    parseRetryAfter(response.headers.get('retry-after')),
  );
}

/** A request that got no answer. The cause is kept for logs; it never holds request headers. */
export function networkError(cause: unknown, message = 'Network error'): KatavenError {
  const error = new KatavenError(0, 'network_error', message);
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false });
  return error;
}
