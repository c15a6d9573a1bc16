import { createCipheriv, createDecipheriv, createHash, hash } from 'node:crypto';
import { randomBase62, randomPoolBytes } from '../keys/base62.js';

/** `rt_` + 43 base62 characters: about 256 bits of entropy, so a fast hash is enough at rest. */
export function generateRefreshToken(): string {
  return `rt_${randomBase62(43)}`;
}

export function hashRefreshToken(token: string): string {
  return hash('sha256', token, 'hex');
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
