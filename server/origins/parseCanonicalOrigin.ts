import { canonicalHostKind } from './host.js';

export interface CanonicalOrigin {
  scheme: 'http' | 'https';
  /** As serialized: a DNS name, a dotted quad, or an IPv6 literal with its brackets. */
  host: string;
  /** Null when the origin names no port, i.e. the scheme's default. */
  port: number | null;
}

const MAX_ORIGIN_LENGTH = 256;

const DEFAULT_PORT = { http: 80, https: 443 } as const;

// Only the characters a canonical host can hold; `canonicalHostKind` checks the structure.
const ORIGIN_SHAPE = /^(https?):\/\/(\[[0-9a-f:]+\]|[a-z0-9.-]+)(?::([1-9][0-9]{0,4}))?$/;

/**
 * Parses an ASCII serialized web origin (RFC 6454 §6.2) written exactly as a browser writes it,
 * or returns null. Nothing is normalised: an upper-case host or scheme, the default port, a
 * trailing dot or slash make the value non-canonical, because the `Origin` comparison is byte
 * for byte and a browser never sends those forms.
 */
export function parseCanonicalOrigin(value: string): CanonicalOrigin | null {
  if (value.length > MAX_ORIGIN_LENGTH) return null;
  const match = ORIGIN_SHAPE.exec(value);
  if (match === null) return null;
  const [, schemeText, host, portText] = match;
  const scheme = schemeText === 'https' ? 'https' : 'http';
  if (host === undefined || canonicalHostKind(host) === null) return null;
  if (portText === undefined) return { scheme, host, port: null };
  const port = Number(portText);
  if (port > 65535 || port === DEFAULT_PORT[scheme]) return null;
  return { scheme, host, port };
}
