import type { WidgetMode } from '../../contract/clientKey.js';
import { decodeBase62, encodeBase62, randomBase62 } from './base62.js';

/**
 * A random, type-tagged id such as `acct_…`, `wgt_…`, `key_…`, `vis_…`, `ses_…`, `rtk_…`. The
 * default 22 base62 characters carry ~131 bits (a UUIDv4 has 122), so ids are unguessable as
 * well as unique.
 */
export function newId(prefix: string, length = 22): string {
  return `${prefix}_${randomBase62(length)}`;
}

/** 62⁸ milliseconds last ~6,900 years from 1970; the fixed width keeps ids sorting by time. */
const TIME_CHARS = 8;

/**
 * A type-tagged id whose first 8 characters are its creation time (epoch milliseconds, base62,
 * fixed width) followed by 16 random characters (~95 bits, still unguessable), like a UUIDv7 or
 * ULID. For rows written on every exchange and refresh (sessions, refresh tokens, spent visitor
 * token ids): a random key lands on a random leaf of its index, so every row of a group commit
 * dirties another page, while time-ordered keys land on the same right-most leaf
 * (docs/performance.md, "Time-ordered ids"). The time is no secret: the tokens carrying these
 * ids state their `iat`.
 */
export function newTimeOrderedId(prefix: string, nowMs: number): string {
  return `${prefix}_${timeOrderedKey(nowMs)}`;
}

/** The untagged 24 characters of `newTimeOrderedId` (a visitor token's `jti`). */
export function timeOrderedKey(nowMs: number): string {
  return `${encodeBase62(Math.max(0, Math.floor(nowMs)), TIME_CHARS)}${randomBase62(16)}`;
}

/** The creation time (epoch milliseconds) a `timeOrderedKey` starts with, or undefined if it has none. */
export function timeOfTimeOrderedKey(key: string): number | undefined {
  return key.length < TIME_CHARS ? undefined : decodeBase62(key.slice(0, TIME_CHARS));
}

/** A widget's public client key; fits `CLIENT_KEY_PATTERN` (8–64 key characters). */
export function newClientKey(mode: WidgetMode): string {
  return `pk_${mode}_${randomBase62(24)}`;
}
