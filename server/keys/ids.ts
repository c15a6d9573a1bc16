import type { WidgetMode } from '../../contract/clientKey.js';
import { randomBase62 } from './base62.js';

/**
 * A random, type-tagged id such as `acct_…`, `wgt_…`, `key_…`, `vis_…`, `ses_…`, `rtk_…`. The
 * default 22 base62 characters carry ~131 bits (a UUIDv4 has 122), so ids are unguessable as
 * well as unique.
 */
export function newId(prefix: string, length = 22): string {
  return `${prefix}_${randomBase62(length)}`;
}

/** A widget's public client key; fits `CLIENT_KEY_PATTERN` (8–64 key characters). */
export function newClientKey(mode: WidgetMode): string {
  return `pk_${mode}_${randomBase62(24)}`;
}
