import { parseCanonicalOrigin } from './parseCanonicalOrigin.js';
import { validateAllowlistEntry } from './validateAllowlistEntry.js';

export type OriginMatcher = (origin: string | undefined) => boolean;

export interface OriginMatcherOptions {
  /** Test-mode (`pk_test_`) widgets: also accept loopback origins on any port. */
  allowLoopback: boolean;
}

interface WildcardRule {
  scheme: 'http' | 'https';
  /** `.` + the domain after `*.`, so a hit always leaves at least one label in front. */
  suffix: string;
  port: number | null;
}

// Test-mode widgets accept http://localhost, http://127.0.0.1 and http://[::1]. https on the same hosts is
// accepted too: local dev servers often serve https (mkcert, Vite's basic-ssl) and a loopback
// origin is no less local for it. Other 127/8 addresses and `*.localhost` are not loopback origins
// a browser page is served from in practice, and stay refused.
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Compiles a widget's allowlist into a predicate over the request `Origin`.
 * Build it once per widget: a call is a Set lookup and, only when wildcards or loopback are in
 * play, one parse and a few suffix comparisons. An entry that does not validate (stored before a
 * rule tightened, or written around the validator) is skipped, so a bad entry fails closed.
 */
export function createOriginMatcher(
  entries: readonly string[],
  options: OriginMatcherOptions,
): OriginMatcher {
  const exact = new Set<string>();
  const wildcards: WildcardRule[] = [];
  for (const entry of entries) {
    if (!validateAllowlistEntry(entry).ok) continue;
    if (!entry.includes('://*.')) {
      exact.add(entry);
      continue;
    }
    const wildcard = toWildcardRule(entry);
    if (wildcard !== null) wildcards.push(wildcard);
  }
  const { allowLoopback } = options;
  const needsParse = allowLoopback || wildcards.length > 0;

  return (origin) => {
    if (origin === undefined) return false;
    // Every exact entry is canonical, so an equal string is canonical too.
    if (exact.has(origin)) return true;
    if (!needsParse) return false;
    const parsed = parseCanonicalOrigin(origin);
    if (parsed === null) return false;
    if (allowLoopback && LOOPBACK_HOSTS.has(parsed.host)) return true;
    for (const rule of wildcards) {
      if (
        rule.scheme === parsed.scheme &&
        rule.port === parsed.port &&
        parsed.host.length > rule.suffix.length &&
        parsed.host.endsWith(rule.suffix)
      ) {
        return true;
      }
    }
    return false;
  };
}

/** For a validated `scheme://*.domain[:port]` entry. */
function toWildcardRule(entry: string): WildcardRule | null {
  const marker = entry.indexOf('://*.');
  // Parse the entry with a concrete first label in place of `*` to reuse the canonical parser.
  const parsed = parseCanonicalOrigin(`${entry.slice(0, marker)}://x.${entry.slice(marker + 5)}`);
  if (parsed === null) return null;
  return { scheme: parsed.scheme, suffix: parsed.host.slice(1), port: parsed.port };
}
