import { sign, type KeyObject } from 'node:crypto';

export interface JwtHeader {
  alg: 'ES256';
  typ: string;
  kid: string;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Compact JWS with ES256 through node:crypto, signed on libuv's thread pool (the callback form of
 * `crypto.sign`) so the event loop only builds the input; node:crypto also signs for far less CPU
 * than jose's WebCrypto path (docs/performance.md, "ES256 signing on libuv's pool"). Verification
 * stays with jose (with every option pinned) and the tests verify what this signs with jose, so the
 * two implementations check each other.
 * The signature is the raw r‖s form JWS requires (RFC 7518 §3.4), not DER.
 */
export function signJwt(header: JwtHeader, payload: Record<string, unknown>, privateKey: KeyObject): Promise<string> {
  const signingInput = `${encode(header)}.${encode(payload)}`;
  return new Promise((resolve, reject) => {
    sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' }, (error, signature) => {
      if (error) reject(error);
      else resolve(`${signingInput}.${signature.toString('base64url')}`);
    });
  });
}
