/**
 * Host syntax shared by the canonical-origin parser and the allowlist validator. Every check is
 * against the form a browser serialises (WHATWG URL "host serializing"), so a value that passes
 * here is byte-for-byte what a browser would send in `Origin`.
 */

// RFC 1035 §2.3.4: a label is at most 63 octets, a name at most 253 (255 on the wire, minus the
// length octet and the root). RFC 1123 §2.1 lets a label start with a digit.
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_DNS_NAME = 253;

const IPV4_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const CANONICAL_IPV4 = new RegExp(`^${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}$`);

// WHATWG URL "ends in a number checker": a host whose last label is all digits or `0x…` is
// parsed as IPv4 (`1.2.3` → `1.2.0.3`, `0x7f.1` → `127.0.0.1`), so such a name is never sent
// as written; only the canonical dotted quad is.
const NUMERIC_LAST_LABEL = /^(?:[0-9]+|0x[0-9a-f]*)$/;

export type HostKind = 'dns' | 'ipv4' | 'ipv6';

/** Which canonical host form `host` is (IPv6 with its brackets), or null when none. */
export function canonicalHostKind(host: string): HostKind | null {
  if (host.startsWith('[')) {
    return host.endsWith(']') && isCanonicalIPv6(host.slice(1, -1)) ? 'ipv6' : null;
  }
  const lastDot = host.lastIndexOf('.');
  if (NUMERIC_LAST_LABEL.test(host.slice(lastDot + 1))) {
    return CANONICAL_IPV4.test(host) ? 'ipv4' : null;
  }
  return isLowerCaseDnsName(host) ? 'dns' : null;
}

function isLowerCaseDnsName(host: string): boolean {
  if (host.length === 0 || host.length > MAX_DNS_NAME) return false;
  for (const label of host.split('.')) {
    if (!DNS_LABEL.test(label)) return false;
  }
  return true;
}

const IPV6_PIECE = /^[0-9a-f]{1,4}$/;

/**
 * True when `text` (no brackets) is an IPv6 address written exactly as the WHATWG URL serializer
 * writes it — RFC 5952 §4: lower-case hex, no leading zeros, the first longest run of two or more
 * zero pieces as `::`, no embedded dotted IPv4.
 */
function isCanonicalIPv6(text: string): boolean {
  if (text.length === 0 || text.length > 39) return false;
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const head = halves[0] === undefined || halves[0] === '' ? [] : halves[0].split(':');
  const tail = halves[1] === undefined || halves[1] === '' ? [] : halves[1].split(':');
  const explicit = head.length + tail.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return false;
  const pieces: number[] = [];
  for (const piece of head) {
    if (!IPV6_PIECE.test(piece)) return false;
    pieces.push(Number.parseInt(piece, 16));
  }
  for (let i = explicit; i < 8; i += 1) pieces.push(0);
  for (const piece of tail) {
    if (!IPV6_PIECE.test(piece)) return false;
    pieces.push(Number.parseInt(piece, 16));
  }
  return serializeIPv6(pieces) === text;
}

/** WHATWG URL §3.7 IPv6 serializer. */
function serializeIPv6(pieces: readonly number[]): string {
  let compress = -1;
  let bestLength = 1;
  for (let i = 0; i < pieces.length;) {
    if (pieces[i] !== 0) {
      i += 1;
      continue;
    }
    let end = i;
    while (end < pieces.length && pieces[end] === 0) end += 1;
    if (end - i > bestLength) {
      bestLength = end - i;
      compress = i;
    }
    i = end;
  }
  let output = '';
  let ignoreZero = false;
  for (let i = 0; i < pieces.length; i += 1) {
    const piece = pieces[i] ?? 0;
    if (ignoreZero && piece === 0) continue;
    ignoreZero = false;
    if (i === compress) {
      output += i === 0 ? '::' : ':';
      ignoreZero = true;
      continue;
    }
    output += piece.toString(16);
    if (i !== pieces.length - 1) output += ':';
  }
  return output;
}
