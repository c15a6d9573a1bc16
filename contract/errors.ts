/**
 * Every error the API can answer, keyed by its stable code: the one place that pairs a code with
 * its status and its message. The message is the exact `text/plain` body the server sends
 * (clients and tests match on it). Routes declare their errors by code (`errorResponses`), the
 * server throws them by code (`ApiError`), and the OpenAPI document and the typed clients read
 * them from here. A new error is one line here.
 *
 * - `reportedAs`: the `KatavenError.code` clients report when it is not the entry's own code.
 * - `fieldReasons`: the body is a one-line reason naming the invalid field (these are examples);
 *   `message` is only the fallback when no field can be named.
 */
export const apiErrors = {
  missing_client_key: { status: 400, message: 'Missing client_key' },
  invalid_client_key: { status: 400, message: 'Invalid client_key' },
  missing_user_fields: { status: 400, message: 'Missing client_key or user_id' },
  token_expired: { status: 400, message: 'Missing or expired token' },
  refresh_expired: { status: 400, message: 'Missing or expired refresh_token' },
  invalid_json: { status: 400, message: 'Invalid JSON body' },
  invalid_request: {
    status: 400,
    message: 'Invalid request',
    fieldReasons: [
      'user_id must be at most 256 characters',
      'name must be at most 128 characters',
      'email must be a valid email address',
    ],
  },
  invalid_api_key: { status: 401, message: 'Missing or invalid API key' },
  metrics_unauthorized: { status: 401, message: 'Missing or invalid metrics token' },
  origin_not_allowed: { status: 403, message: 'Origin not in allowlist for this client_key' },
  // The config route's wording; it means the same as the POST routes' 403.
  config_origin_not_allowed: { status: 403, message: 'Origin not in allowlist', reportedAs: 'origin_not_allowed' },
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
} as const satisfies Record<string, ApiErrorEntry>;

interface ApiErrorEntry {
  status: number;
  message: string;
  reportedAs?: string;
  fieldReasons?: readonly string[];
}

type Catalogue = typeof apiErrors;

/** A stable error code: a key of the catalogue. */
export type ApiErrorCode = keyof Catalogue;

/** The status the catalogue gives `C`. */
export type ApiErrorStatus<C extends ApiErrorCode = ApiErrorCode> = Catalogue[C]['status'];

/** The codes the catalogue files under status `S`. */
export type ApiErrorCodeWithStatus<S extends number> = {
  [C in ApiErrorCode]: ApiErrorStatus<C> extends S ? C : never;
}[ApiErrorCode];

/** What the body of `C` can be: its exact message, or any one-line field reason. */
export type ApiErrorBody<C extends ApiErrorCode> = Catalogue[C] extends { fieldReasons: readonly string[] }
  ? string
  : Catalogue[C]['message'];

/** The code a client reports for `C`. */
export type ReportedCode<C extends ApiErrorCode> = Catalogue[C] extends { reportedAs: infer R } ? R : C;

/**
 * What `KatavenError.code` can be for an answer: a catalogue code, or `http_<status>` for a
 * status outside the catalogue (a proxy's 502, say).
 */
export type ErrorCode = ReportedCode<ApiErrorCode> | `http_${number}`;

/** `apiErrors[code]`, typed for every code alike. */
export function apiErrorOf(code: ApiErrorCode): Readonly<ApiErrorEntry> {
  return apiErrors[code];
}

/** The code a client reports for `code`. */
export function reportedCode(code: ApiErrorCode): ReportedCode<ApiErrorCode> {
  return (apiErrorOf(code).reportedAs ?? code) as ReportedCode<ApiErrorCode>;
}

const CODES = Object.keys(apiErrors) as ApiErrorCode[];
const codeByMessage = new Map<string, ApiErrorCode>(CODES.map((code) => [apiErrors[code].message, code]));

/**
 * The code a client reports for an answer. The wire carries only the status and the message, so
 * this is the one place a code is read back from text: an exact catalogue message is its code;
 * any other 400 is a field reason (`invalid_request`), and other statuses fall back by status.
 */
export function errorCodeOfAnswer(status: number, message: string): ErrorCode {
  const code = codeByMessage.get(message.trim());
  if (code !== undefined) return reportedCode(code);
  if (status === 400) return 'invalid_request';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  return `http_${status}`;
}
