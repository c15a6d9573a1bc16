import { contract, routeMetaOf } from '../../contract/index.js';
import type { Clock } from '../clock.js';
import type { SigningKeyRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { KeyVault } from './keyVault.js';
import { generateSigningKey } from './signingKey.js';

/** How long a verifier may keep the JWKS it fetched (its `Cache-Control: max-age`). */
const JWKS_MAX_AGE_MS = (routeMetaOf(contract.jwks)?.cacheMaxAge ?? 300) * 1000;

/** Every instance serves a key added elsewhere in its JWKS within this. */
const PROPAGATION_MARGIN_MS = 5000;

/**
 * A rotated-in key is published this long before it signs, so a verifier holding a JWKS fetched
 * just before the rotation has fetched a copy with the new key by the time it sees a token of it.
 */
export const ROTATION_LEAD_MS = JWKS_MAX_AGE_MS + PROPAGATION_MARGIN_MS;

const DAY_MS = 24 * 60 * 60 * 1000;

/** A new key, sealed for storage, that signs from `activatesAt`. */
export function sealedSigningKey(
  vault: KeyVault,
  createdAt: number,
  activatesAt: number,
): SigningKeyRecord {
  const key = generateSigningKey(createdAt, activatesAt);
  return { ...key, privateJwk: vault.seal(key.kid, key.privateJwk) };
}

/**
 * Rotates on a schedule: once the newest key has been signing for `rotationDays`, adds the next
 * one (published now, signing after `ROTATION_LEAD_MS`). Any number of instances may call this
 * at once: the store adds one key. Returns the new key's kid, or undefined when none was due.
 */
export async function rotateIfDue(
  deps: { store: Store; clock: Clock; vault: KeyVault },
  rotationDays: number,
): Promise<string | undefined> {
  const now = deps.clock.now();
  const key = sealedSigningKey(deps.vault, now, now + ROTATION_LEAD_MS);
  const rotated = await deps.store.rotateSigningKey(key, {
    unlessActivatedAfter: now - rotationDays * DAY_MS,
  });
  return rotated ? key.kid : undefined;
}
