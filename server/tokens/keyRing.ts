import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { importJWK, type CryptoKey } from 'jose';
import type { JwkSet, PublicJwk } from '../../contract/index.js';
import type { Clock } from '../clock.js';
import type { SigningKeyRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { generateSigningKey } from './signingKey.js';

export interface CurrentSigningKey {
  kid: string;
  privateKey: KeyObject;
}

/**
 * The signing keys as this process sees them. Keys live in the database so every instance
 * signs with the same key; `reload` (run every few seconds by `start`) picks up a rotation made
 * by another process or the CLI within 5 s.
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
}

interface LoadedKeys {
  current: CurrentSigningKey;
  published: PublicJwk[];
  byKid: Map<string, PublicJwk>;
}

export async function openKeyRing({ store, clock, retiredKeyGraceMs }: KeyRingOptions): Promise<KeyRing> {
  const cryptoKeys = new Map<string, Promise<CryptoKey>>();
  let timer: NodeJS.Timeout | undefined;
  let lastUnknownKidReload = 0;

  const load = async (): Promise<LoadedKeys> => {
    let records = await store.listSigningKeys();
    if (!records.some((r) => r.retiredAt === null)) {
      // Two instances starting at once both try; the store lets only one insert win.
      await store.insertFirstSigningKey(generateSigningKey(clock.now()));
      records = await store.listSigningKeys();
    }
    return index(records, clock.now(), retiredKeyGraceMs);
  };

  let loaded = await load();

  const reload = async () => {
    loaded = await load();
  };

  return {
    current: () => loaded.current,
    async verificationKey(kid) {
      let jwk = loaded.byKid.get(kid);
      // A token signed by a key rotated in by another process moments ago: look once more,
      // at most once a second so unknown kids cannot turn into a database load.
      if (!jwk && clock.now() - lastUnknownKidReload > 1000) {
        lastUnknownKidReload = clock.now();
        await reload();
        jwk = loaded.byKid.get(kid);
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
    jwks: () => ({ keys: loaded.published }),
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

function index(records: SigningKeyRecord[], now: number, retiredKeyGraceMs: number): LoadedKeys {
  const live = records.filter((r) => r.retiredAt === null).sort((a, b) => b.createdAt - a.createdAt);
  const newest = live[0];
  if (!newest) throw new Error('no current signing key');
  const published = records
    .filter((r) => r.retiredAt === null || r.retiredAt + retiredKeyGraceMs > now)
    .sort((a, b) => b.createdAt - a.createdAt)
    .map((r) => r.publicJwk);
  return {
    current: { kid: newest.kid, privateKey: createPrivateKey({ key: newest.privateJwk as JsonWebKey, format: 'jwk' }) },
    published,
    byKid: new Map(published.map((jwk) => [jwk.kid, jwk])),
  };
}
