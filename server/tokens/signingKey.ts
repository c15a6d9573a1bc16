import { createHash, generateKeyPairSync } from 'node:crypto';
import type { PublicJwk } from '../../contract/index.js';
import type { SigningKeyRecord } from '../store/records.js';

/** RFC 7638 §3.2: the thumbprint hashes the required members only, in lexicographic order. */
export function jwkThumbprint(jwk: { crv: string; kty: string; x: string; y: string }): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

/** A fresh ES256 (P-256) signing key whose `kid` is its RFC 7638 thumbprint; it signs from `activatesAt`. */
export function generateSigningKey(createdAt: number, activatesAt = createdAt): SigningKeyRecord {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y || !jwk.d) {
    throw new Error('unexpected key export from node:crypto');
  }
  const kid = jwkThumbprint({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  const publicJwk: PublicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid, alg: 'ES256', use: 'sig' };
  return {
    kid,
    alg: 'ES256',
    privateJwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d },
    publicJwk,
    createdAt,
    activatesAt,
    retiredAt: null,
    withdrawnAt: null,
  };
}
