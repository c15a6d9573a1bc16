import { randomFillSync } from 'node:crypto';

export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// 248 = 4 × 62: a byte below it maps onto the alphabet uniformly with `% 62`; bytes 248–255 are
// dropped (rejection sampling), so no character is likelier than another.
const UNBIASED_BYTE_LIMIT = 248;

/**
 * CSPRNG bytes drawn 4 KiB at a time and each handed out once, as Node does for `randomUUID`,
 * because every `randomBytes` call reaches OpenSSL (docs/performance.md, "CSPRNG pool").
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomByte(): number {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++] ?? 0;
}

/**
 * `length` fresh CSPRNG bytes from the same pool, each handed out once (an AES-GCM IV, say):
 * every `randomBytes` call reaches OpenSSL's generator, which checks for a fork with a system call.
 */
export function randomPoolBytes(length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = randomByte();
  return bytes;
}

/** `length` characters from the CSPRNG, each uniform over the alphabet (~5.95 bits). */
export function randomBase62(length: number): string {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`length must be a non-negative integer, got ${length}`);
  }
  let output = '';
  while (output.length < length) {
    const byte = randomByte();
    // Rejection sampling: the 8 bytes from 248 up are dropped.
    if (byte < UNBIASED_BYTE_LIMIT) output += BASE62_ALPHABET.charAt(byte % 62);
  }
  return output;
}

/** `n` in base62, left-padded with `0` to at least `width` characters. */
export function encodeBase62(n: number, width: number): string {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`n must be a non-negative safe integer, got ${n}`);
  }
  let digits = '';
  let rest = n;
  do {
    digits = BASE62_ALPHABET.charAt(rest % 62) + digits;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  return digits.padStart(width, '0');
}

/** The number `encodeBase62` wrote, or undefined for text with a character outside the alphabet. */
export function decodeBase62(text: string): number | undefined {
  let n = 0;
  for (const char of text) {
    const digit = BASE62_ALPHABET.indexOf(char);
    if (digit === -1) return undefined;
    n = n * 62 + digit;
  }
  return n;
}
