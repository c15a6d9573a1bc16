import type { Config } from '../config.js';
import { OWN_CLOCK_TOLERANCE_SECONDS } from './visitorToken.js';

/**
 * A retired signing key stays in the JWKS until every token it signed has expired: the longest
 * token lifetime, plus the 30 s default tolerance a verifying service may apply.
 */
export function retiredKeyGraceMs(config: Config): number {
  const longest = Math.max(config.visitorTokenTtlSeconds, config.sessionTokenTtlSeconds);
  return (longest + 30 + OWN_CLOCK_TOLERANCE_SECONDS) * 1000;
}
