/**
 * The CORS echo test: whether a request `Origin` is shaped like a serialized
 * origin and so may be echoed in `Access-Control-Allow-Origin`. Deliberately looser than
 * `parseCanonicalOrigin` (upper case, other schemes and default ports pass) so that a page whose
 * origin is refused can still read the "Origin not in allowlist" message instead of an opaque
 * CORS failure. Tight enough that nothing echoed can split a header or name two origins.
 */

const MAX_ORIGIN_LENGTH = 256;

// scheme: RFC 3986 §3.1. host: an IP-literal (RFC 3986 §3.2.2, hex, `:` and `.` only) or a
// reg-name of unreserved and sub-delims characters minus `,` (the separator Node uses when it
// joins repeated headers) and without pct-encoding (WHATWG URL forbids `%` in a domain).
// No `@`, `/`, `?`, `#`, whitespace or control characters can appear anywhere.
const SERIALIZED_ORIGIN =
  /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+;=]+)(?::[0-9]{1,5})?$/;

export function isSerializedOrigin(value: string): boolean {
  // `null` (opaque origin) cannot fit the pattern, nor can a non-ASCII character.
  return value.length <= MAX_ORIGIN_LENGTH && SERIALIZED_ORIGIN.test(value);
}
