/**
 * Every error the API can answer, keyed by a stable code. The message is the exact
 * `text/plain` body the server sends (clients and tests match on it); the code is what the
 * typed clients expose as `KatavenError.code`. This table is the single source for the
 * server's error mapping, the OpenAPI document and the clients.
 */
export const apiErrors = {
  missing_client_key: { status: 400, message: 'Missing client_key' },
  invalid_client_key: { status: 400, message: 'Invalid client_key' },
  missing_user_fields: { status: 400, message: 'Missing client_key or user_id' },
  token_expired: { status: 400, message: 'Missing or expired token' },
  refresh_expired: { status: 400, message: 'Missing or expired refresh_token' },
  invalid_json: { status: 400, message: 'Invalid JSON body' },
  invalid_api_key: { status: 401, message: 'Missing or invalid API key' },
  origin_not_allowed: { status: 403, message: 'Origin not in allowlist for this client_key' },
  config_origin_not_allowed: { status: 403, message: 'Origin not in allowlist' },
  guest_disabled: { status: 403, message: 'Guest access is disabled for this client_key' },
  unknown_client_key: { status: 404, message: 'Unknown client_key' },
  not_found: { status: 404, message: 'Not found' },
  method_not_allowed: { status: 405, message: 'Method not allowed' },
  body_too_large: { status: 413, message: 'Request body too large' },
  unsupported_media_type: { status: 415, message: 'Content-Type must be application/json' },
  unsupported_encoding: { status: 415, message: 'Content-Encoding is not supported' },
  rate_limited: { status: 429, message: 'Too many requests' },
  server_error: { status: 500, message: 'Internal server error' },
  not_ready: { status: 503, message: 'Database unavailable' },
  shutting_down: { status: 503, message: 'Shutting down' },
  overloaded: { status: 503, message: 'Service overloaded' },
  metrics_unauthorized: { status: 401, message: 'Missing or invalid metrics token' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ApiErrorCode = keyof typeof apiErrors;

/**
 * Field-level validation failures on `user-token` answer 400 with a one-line reason that names
 * the field; they share this code.
 */
export const INVALID_REQUEST_CODE = 'invalid_request';

const codeByMessage = new Map<string, ApiErrorCode>(
  (Object.keys(apiErrors) as ApiErrorCode[]).map((code) => [apiErrors[code].message, code]),
);

export type ErrorCode = ApiErrorCode | typeof INVALID_REQUEST_CODE | `http_${number}`;

/**
 * Maps an error body back to its stable code. The config route's 403 message differs from the
 * POST routes' but means the same thing, so both map to `origin_not_allowed`.
 */
export function errorCodeForMessage(status: number, message: string): ErrorCode {
  const code = codeByMessage.get(message.trim());
  if (code === 'config_origin_not_allowed') return 'origin_not_allowed';
  if (code !== undefined) return code;
  if (status === 400) return INVALID_REQUEST_CODE;
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  return `http_${status}`;
}
