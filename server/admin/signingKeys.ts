import { generateSigningKey } from '../tokens/signingKey.js';
import type { AdminDeps } from './secretKeys.js';

/**
 * Makes a new key current; the old one stays in the JWKS until its tokens expired, and running
 * servers pick the new key up within their key-reload interval (5 s).
 */
export async function rotateSigningKey(deps: AdminDeps): Promise<{ kid: string }> {
  const key = generateSigningKey(deps.clock.now());
  await deps.store.rotateSigningKey(key);
  return { kid: key.kid };
}
