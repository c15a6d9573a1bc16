import { validateAllowlistEntry } from '../origins/index.js';
import { AdminError } from './adminError.js';

/** Allowlist entries are validated when saved, so a bad entry fails loudly instead of matching nothing. */
export function validateOrigins(entries: readonly string[]): string[] {
  const accepted: string[] = [];
  for (const entry of entries) {
    const result = validateAllowlistEntry(entry);
    if (!result.ok) throw new AdminError(`Invalid origin ${JSON.stringify(entry)}: ${result.reason}`);
    if (!accepted.includes(result.entry)) accepted.push(result.entry);
  }
  return accepted;
}
