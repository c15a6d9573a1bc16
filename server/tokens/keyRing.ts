import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { importJWK, type CryptoKey } from 'jose';
import type { JwkSet } from '../../contract/index.js';
import type { Clock } from '../clock.js';
import type { SigningKeyRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { createKeyVault, type KeyVault } from './keyVault.js';
import { generateSigningKey } from './signingKey.js';

export interface CurrentSigningKey {
  kid: string;
  privateKey: KeyObject;
}

/**
 * The signing keys as this process sees them. Keys live in the database so every instance
 * signs with the same key; `reload` (run every few seconds by `start`, and on every admin change)
 * picks up a rotation made by another process or the CLI within 5 s. Which key signs
 * and which are published follow the clock: a rotation is scheduled ahead (`activatesAt`).
 */
export interface KeyRing {
  current(): CurrentSigningKey;
  /** Verification key for a `kid` in the set, or undefined. Never fetches by `kid` content. */
  verificationKey(kid: string): Promise<CryptoKey | undefined>;
  jwks(): JwkSet;
  reload(): Promise<void>;
  start(intervalMs?: number): void;
  stop(): void;
}

export interface KeyRingOptions {
  store: Store;
  clock: Clock;
  /** How long a retired key must stay published: the longest token lifetime plus clock skew. */
  retiredKeyGraceMs: number;
  /** Opens private keys sealed under the operator's key; keys in the clear without it. */
  vault?: KeyVault;
}

/**
 * The key that signs at `now`: of the keys not retired by then, the newest one activated. A
 * clock stepped back before every activation (the first key's included) gets the earliest one,
 * rather than no key at all.
 */
export function signerAt(records: readonly SigningKeyRecord[], now: number): SigningKeyRecord | undefined {
  const unretired = records.filter((r) => r.retiredAt === null || r.retiredAt > now);
  const activated = unretired.filter((r) => r.activatesAt <= now);
  const pool = activated.length > 0 ? activated : unretired;
  const newestFirst = activated.length > 0;
  return pool.reduce<SigningKeyRecord | undefined>(
    (best, r) => (best === undefined || (newestFirst ? r.activatesAt > best.activatesAt : r.activatesAt < best.activatesAt) ? r : best),
    undefined,
  );
}

/**
 * Published in the JWKS at `now`: every key not retired, a scheduled one included, and retired
 * keys within the grace unless withdrawn (leaked).
 */
export function publishedAt(records: readonly SigningKeyRecord[], now: number, retiredKeyGraceMs: number): SigningKeyRecord[] {
  return records
    .filter((r) => r.withdrawnAt === null && (r.retiredAt === null || r.retiredAt + retiredKeyGraceMs > now))
    .sort((a, b) => b.activatesAt - a.activatesAt || b.createdAt - a.createdAt);
}

export async function openKeyRing({ store, clock, retiredKeyGraceMs, vault = createKeyVault(undefined) }: KeyRingOptions): Promise<KeyRing> {
  const cryptoKeys = new Map<string, Promise<CryptoKey>>();
  const privateKeys = new Map<string, KeyObject>();
  let timer: NodeJS.Timeout | undefined;
  let lastUnknownKidReload = 0;

  const load = async (): Promise<SigningKeyRecord[]> => {
    let records = await store.listSigningKeys();
    if (!records.some((r) => r.retiredAt === null)) {
      // Two instances starting at once both try; the store lets only one insert win.
      const key = generateSigningKey(clock.now());
      await store.insertFirstSigningKey({ ...key, privateJwk: vault.seal(key.kid, key.privateJwk) });
      records = await store.listSigningKeys();
    }
    // Opened now, so a key that cannot be decrypted fails the start or the reload, not a request.
    for (const r of records) {
      if (!privateKeys.has(r.kid) && (r.retiredAt === null || r.retiredAt > clock.now())) {
        privateKeys.set(r.kid, createPrivateKey({ key: vault.open(r.kid, r.privateJwk) as JsonWebKey, format: 'jwk' }));
      }
    }
    if (!signerAt(records, clock.now())) throw new Error('no signing key is active');
    return records;
  };

  let records = await load();

  const reload = async () => {
    records = await load();
  };
  const published = () => publishedAt(records, clock.now(), retiredKeyGraceMs);

  return {
    current() {
      const signer = signerAt(records, clock.now());
      const privateKey = signer && privateKeys.get(signer.kid);
      // Only when a reload has not run since the last signer retired (the database unreachable).
      if (!signer || !privateKey) throw new Error('no signing key is active');
      return { kid: signer.kid, privateKey };
    },
    async verificationKey(kid) {
      let jwk = published().find((r) => r.kid === kid)?.publicJwk;
      // A token signed by a key rotated in by another process moments ago: look once more,
      // at most once a second so unknown kids cannot turn into a database load.
      if (!jwk && clock.now() - lastUnknownKidReload > 1000) {
        lastUnknownKidReload = clock.now();
        await reload();
        jwk = published().find((r) => r.kid === kid)?.publicJwk;
      }
      if (!jwk) return undefined;
      let key = cryptoKeys.get(jwk.kid);
      if (!key) {
        key = importJWK(jwk, 'ES256').then((imported) => {
          if (imported instanceof Uint8Array) throw new Error('expected an EC public key');
          return imported;
        });
        cryptoKeys.set(jwk.kid, key);
      }
      return key;
    },
    jwks: () => ({ keys: published().map((r) => r.publicJwk) }),
    reload,
    start(intervalMs = 5000) {
      if (timer) return;
      timer = setInterval(() => {
        reload().catch(() => {
          // Keep serving with the keys already loaded; readiness reports database trouble.
        });
      }, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
