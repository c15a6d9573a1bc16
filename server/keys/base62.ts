import { randomBytes } from 'node:crypto';

export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// 248 = 4 × 62: a byte below it maps onto the alphabet uniformly with `% 62`; bytes 248–255 are
// dropped (rejection sampling), so no character is likelier than another.
const UNBIASED_BYTE_LIMIT = 248;

/** `length` characters from the CSPRNG, each uniform over the alphabet (~5.95 bits). */
export function randomBase62(length: number): string {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`length must be a non-negative integer, got ${length}`);
  }
  let output = '';
  while (output.length < length) {
    // A few spare bytes so one draw usually suffices (3% of bytes are rejected).
    const bytes = randomBytes(length - output.length + 8);
    for (const byte of bytes) {
      if (byte >= UNBIASED_BYTE_LIMIT) continue;
      output += BASE62_ALPHABET.charAt(byte % 62);
      if (output.length === length) break;
    }
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
