import { createCipheriv, createDecipheriv, createHash, hash, timingSafeEqual } from 'node:crypto';
import { randomBase62, randomPoolBytes } from '../keys/base62.js';
import { timeOrderedKey } from '../keys/ids.js';
import type { RefreshTokenLookup } from '../store/records.js';

const KEY_CHARS = 24;
const SECRET_CHARS = 43;
const CARRIES_ID = new RegExp(`^rt_[0-9A-Za-z]{${KEY_CHARS + SECRET_CHARS}}$`);
/** The format issued before tokens carried their row's id: found by hash alone. */
const HASH_ONLY = new RegExp(`^rt_[0-9A-Za-z]{${SECRET_CHARS}}$`);

/** The row id (`newTimeOrderedId('rtk', …)`'s form) whose key a token carries. */
const rowIdOf = (key: string) => `rtk_${key}`;

export interface IssuedRefreshToken {
  /** The token handed to the client. */
  token: string;
  /** Its row's id, which the token carries. */
  id: string;
  /** SHA-256 of the token, hex: all the store keeps of it. */
  hash: string;
}

/**
 * `rt_` + the 24-character time-ordered key of its row's id + 43 base62 characters (~256 bits,
 * so a fast hash is enough at rest). The key finds the row through its time-ordered primary key
 * instead of a random-keyed index of hashes (docs/performance.md, "Cost as the data grows"); the
 * hash of the whole token, compared in constant time, proves the presenter holds the secret.
 */
export function generateRefreshToken(nowMs: number): IssuedRefreshToken {
  const key = timeOrderedKey(nowMs);
  const token = `rt_${key}${randomBase62(SECRET_CHARS)}`;
  return { token, id: rowIdOf(key), hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/**
 * Where the store finds a presented token: by the id it carries, or by its hash for a token in
 * the format issued before; undefined for anything else, which no row can match.
 */
export function refreshTokenLookup(token: string): RefreshTokenLookup | undefined {
  if (CARRIES_ID.test(token)) return { id: rowIdOf(token.slice(3, 3 + KEY_CHARS)) };
  if (HASH_ONLY.test(token)) return { hash: hashRefreshToken(token) };
  return undefined;
}

/** True if `storedHash` is the hash of `token`, compared in constant time. */
export function refreshTokenMatches(token: string, storedHash: string): boolean {
  const presented = Buffer.from(hashRefreshToken(token), 'latin1');
  const stored = Buffer.from(storedHash, 'latin1');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** Domain-separated from the lookup hash, so the stored hash never opens a box. */
function boxKey(token: string): Buffer {
  return createHash('sha256').update('kataven/refresh-successor/v1\0').update(token).digest();
}

/**
 * Seals the successor token with a key only the holder of `presented` can derive, so a retry
 * within the grace window gets the same successor without the database ever holding a usable
 * token. AES-256-GCM: 12-byte IV ‖ ciphertext ‖ 16-byte tag.
 */
export function sealSuccessor(presented: string, successor: string): Uint8Array {
  // A random 96-bit IV: a box key (derived from one presented token) seals only a handful of boxes.
  const iv = randomPoolBytes(12);
  const cipher = createCipheriv('aes-256-gcm', boxKey(presented), iv);
  const body = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

export function openSuccessor(presented: string, box: Uint8Array): string | undefined {
  const bytes = Buffer.from(box);
  if (bytes.length < 29) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', boxKey(presented), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
