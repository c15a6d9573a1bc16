import { canonicalHostKind } from './host.js';
import { parseCanonicalOrigin } from './parseCanonicalOrigin.js';
import { isPublicSuffix } from './publicSuffixes.js';

export type AllowlistEntryResult = { ok: true; entry: string } | { ok: false; reason: string };

const MAX_ENTRY_LENGTH = 256;
const DEFAULT_PORT: Readonly<Record<string, string>> = { http: '80', https: '443' };
// Tab, CR, LF and the other controls, and the space: none can be in an origin.
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f]/;
const NON_ASCII = /[^\u0000-\u007f]/;
const EXAMPLE = 'e.g. https://shop.example.com or https://*.example.com';

/**
 * Checks an origin allowlist entry when it is saved: an exact canonical
 * origin, or `scheme://*.domain[:port]`. Nothing is normalised — the entry is compared byte for
 * byte with what browsers send, so a form they never send could never match and is refused with
 * a one-line reason (plus the corrected form when there is an obvious one).
 */
export function validateAllowlistEntry(entry: string): AllowlistEntryResult {
  const problem = findProblem(entry);
  if (problem === null) return { ok: true, entry };
  const suggestion = suggestCorrection(entry);
  return {
    ok: false,
    reason: suggestion === null ? problem : `${problem}; use ${suggestion}`,
  };
}

function findProblem(entry: string): string | null {
  if (entry === '') return 'an origin cannot be empty';
  if (entry.length > MAX_ENTRY_LENGTH) return `an origin is at most ${MAX_ENTRY_LENGTH} characters`;
  if (entry === '*') {
    return `"*" would allow every site; list each origin or a wildcard, ${EXAMPLE}`;
  }
  if (entry.toLowerCase() === 'null') {
    // RFC 6454 §7.3 and the Fetch standard: sandboxed frames, file: pages and some redirects
    // all send `null`, whatever site they belong to.
    return '"null" is shared by sandboxed frames and local files of every site, so it cannot be allowed';
  }
  if (WHITESPACE_OR_CONTROL.test(entry)) {
    return 'an origin cannot contain spaces or control characters';
  }
  if (NON_ASCII.test(entry)) {
    return 'the host must be ASCII: use punycode (xn--…) for international names';
  }

  const separator = entry.indexOf('://');
  if (separator < 0) return `an origin has the form scheme://host[:port], ${EXAMPLE}`;
  const scheme = entry.slice(0, separator);
  const lowerScheme = scheme.toLowerCase();
  if (lowerScheme !== 'http' && lowerScheme !== 'https') {
    return `the scheme must be http or https, not "${scheme}"`;
  }
  if (scheme !== lowerScheme) return 'origins are lower case: write the scheme in lower case';

  const rest = entry.slice(separator + 3);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const tail = authorityEnd < 0 ? '' : rest.slice(authorityEnd);
  if (authority.includes('@')) return 'an origin cannot contain userinfo (user@)';
  if (authority === '') return 'the host is missing';
  if (tail === '/') return 'an origin has no trailing slash';
  if (tail.startsWith('/')) return 'an origin has no path';
  if (tail.startsWith('?')) return 'an origin has no query';
  if (tail.startsWith('#')) return 'an origin has no fragment';

  const { host, portText } = splitAuthority(authority);
  if (host === '') return 'the host is missing';
  if (portText !== null) {
    if (!/^[1-9][0-9]{0,4}$/.test(portText) || Number(portText) > 65535) {
      return 'the port must be a number from 1 to 65535 without leading zeros';
    }
    if (DEFAULT_PORT[lowerScheme] === portText) {
      return `leave out the default port :${portText} for ${lowerScheme}, browsers never send it`;
    }
  }
  if (/[A-Z]/.test(host)) return 'origins are lower case: write the host in lower case';
  if (host.endsWith('.')) return 'the host cannot end with a dot';

  if (host.includes('*')) return wildcardProblem(host);
  if (parseCanonicalOrigin(entry) === null) {
    return host.startsWith('[')
      ? 'an IPv6 host must be written as browsers write it (RFC 5952: lower case, shortest form)'
      : 'the host must be a DNS name (letters, digits, hyphens) or a dotted IPv4 address';
  }
  return null;
}

function splitAuthority(authority: string): { host: string; portText: string | null } {
  // An IPv6 literal holds colons of its own, so the port separator is the one after `]`.
  const hostEnd = authority.startsWith('[') ? authority.indexOf(']') + 1 : 0;
  if (authority.startsWith('[') && hostEnd === 0) return { host: authority, portText: null };
  const colon = authority.indexOf(':', hostEnd);
  if (colon < 0) return { host: authority, portText: null };
  return { host: authority.slice(0, colon), portText: authority.slice(colon + 1) };
}

function wildcardProblem(host: string): string | null {
  const domain = host.slice(2);
  if (!host.startsWith('*.') || domain.includes('*')) {
    return 'a wildcard must be the whole first label, as in https://*.example.com';
  }
  if (canonicalHostKind(domain) !== 'dns') {
    return 'the domain after "*." must be a DNS name (letters, digits, hyphens)';
  }
  if (isPublicSuffix(domain)) {
    return `"*.${domain}" covers a public suffix, so it would allow other people's sites; name your own domain, e.g. https://*.example.${domain}`;
  }
  return null;
}

/**
 * The entry as the WHATWG URL parser serialises its origin, when that differs from the entry
 * and is itself acceptable: turns `https://Shop.example.com:443/` into the origin a browser
 * sends. Pure (no lookup), used only to make a refusal message actionable.
 */
function suggestCorrection(entry: string): string | null {
  // With userinfo the URL parser's origin is the host after `@`: suggesting it would mislead.
  if (entry.length > MAX_ENTRY_LENGTH || WHITESPACE_OR_CONTROL.test(entry) || entry.includes('@')) {
    return null;
  }
  let candidate: string;
  try {
    candidate = new URL(entry).origin;
  } catch {
    return null;
  }
  if (candidate === 'null') return null;
  // URL keeps a trailing dot in the host; the canonical form has none, so offer the name without.
  candidate = candidate.replace(/\.(?=(?::[0-9]+)?$)/, '');
  return candidate !== entry && findProblem(candidate) === null ? candidate : null;
}
