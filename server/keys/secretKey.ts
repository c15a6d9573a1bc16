import * as crypto from 'node:crypto';
import type { WidgetMode } from '../../contract/clientKey.js';
import { encodeBase62, randomBase62 } from './base62.js';
import { crc32 } from './crc32.js';

// After GitHub's token format: `sk_<mode>_kt_` + 40 random base62
// characters (~238 bits) + a 6-character base62 CRC32 of everything before it. The `kt_` marker
// keeps secret scanners from taking these for another vendor's `sk_live_` keys; the checksum
// lets a typo or a scanner's guess be refused offline, before any database work.
const RANDOM_LENGTH = 40;
const CHECKSUM_LENGTH = 6;
const PREFIX_LENGTH = 'sk_live_kt_'.length;
const SECRET_KEY_LENGTH = PREFIX_LENGTH + RANDOM_LENGTH + CHECKSUM_LENGTH;
const SECRET_KEY_PATTERN = /^sk_(live|test)_kt_[0-9A-Za-z]{46}$/;

function checksum(body: string): string {
  // 62^6 > 2^32, so every CRC32 fits in 6 characters.
  return encodeBase62(crc32(body), CHECKSUM_LENGTH);
}

export function generateSecretKey(mode: WidgetMode): string {
  const body = `sk_${mode}_kt_${randomBase62(RANDOM_LENGTH)}`;
  return body + checksum(body);
}

/**
 * The key's mode when `value` is exactly a well-formed secret key with a correct checksum, else
 * null. Bounded work whatever the input (a length check first), and no lookup: whether the key
 * exists is the store's question.
 */
export function parseSecretKey(value: string): { mode: WidgetMode } | null {
  if (value.length !== SECRET_KEY_LENGTH) return null;
  const match = SECRET_KEY_PATTERN.exec(value);
  if (match === null) return null;
  const body = value.slice(0, -CHECKSUM_LENGTH);
  if (checksum(body) !== value.slice(-CHECKSUM_LENGTH)) return null;
  return { mode: match[1] === 'live' ? 'live' : 'test' };
}

// `crypto.hash` (one-shot, no Hash object) exists from Node 20.12; package.json allows 20.11.
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/**
 * What the store keeps and looks keys up by. A plain SHA-256 is enough (no salt or slow hash):
 * the key carries ~238 random bits, so there is nothing to brute-force.
 */
export function hashSecretKey(key: string): string {
  return sha256Hex(key);
}

/**
 * The non-secret form shown in listings, e.g. `sk_test_kt_Ab3d…9xYz`: the prefix, 4 random
 * characters and the last 4 (checksum) characters — enough to tell keys apart, ~24 bits of the
 * secret, far too little to use.
 */
export function displayPrefixOfSecretKey(key: string): string {
  if (parseSecretKey(key) === null) throw new RangeError('not a secret key');
  return `${key.slice(0, PREFIX_LENGTH + 4)}…${key.slice(-4)}`;
}

const BEARER_SCHEME = 'bearer ';

/**
 * The secret key from an `Authorization` header, or null. Only `Bearer <key>` with one space and
 * nothing else: the scheme name is case-insensitive (RFC 7235 §2.1, RFC 6750 §2.1), the key must
 * pass `parseSecretKey`. The caller tells "no header" (RFC 6750 §3.1: no error code) from
 * "a header that fails" (`error="invalid_token"`) by checking for `undefined` itself.
 */
export function parseBearerSecretKey(authorizationHeader: string | undefined): string | null {
  if (authorizationHeader === undefined) return null;
  if (authorizationHeader.length !== BEARER_SCHEME.length + SECRET_KEY_LENGTH) return null;
  if (authorizationHeader.slice(0, BEARER_SCHEME.length).toLowerCase() !== BEARER_SCHEME)
    return null;
  const key = authorizationHeader.slice(BEARER_SCHEME.length);
  return parseSecretKey(key) === null ? null : key;
}
