import { loadConfig } from '../config.js';
import type { SigningKeyRecord } from '../store/records.js';
import { createKeyVault, type KeyVault } from '../tokens/keyVault.js';
import { retiredKeyGraceMs } from '../tokens/retiredKeyGrace.js';
import { ROTATION_LEAD_MS, sealedSigningKey } from '../tokens/rotation.js';
import { AdminError } from './adminError.js';
import type { AdminDeps } from './secretKeys.js';

/** What the signing-key commands need beyond the store: how keys are sealed, how long retired ones stay published. */
export interface SigningKeyDeps {
  vault: KeyVault;
  retiredKeyGraceMs: number;
}

/** Keys in the clear and the default token lifetimes: what a server without settings uses. */
const defaults = (): SigningKeyDeps => ({ vault: createKeyVault(undefined), retiredKeyGraceMs: retiredKeyGraceMs(loadConfig({})) });

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Adds the next signing key. It is in every server's JWKS within 5 s and signs only after
 * `ROTATION_LEAD_MS` (the JWKS max-age plus that margin), so verifiers that cached the JWKS just
 * before never see a token they cannot verify. `now` (a leaked key) makes it sign at once; the
 * old key then stays published until its tokens expired.
 */
export async function rotateSigningKey(deps: AdminDeps, options: { now?: boolean } = {}): Promise<{ kid: string; activates_at: string }> {
  const { vault } = deps.signingKeys ?? defaults();
  const createdAt = deps.clock.now();
  const key = sealedSigningKey(vault, createdAt, options.now === true ? createdAt : createdAt + ROTATION_LEAD_MS);
  await deps.store.rotateSigningKey(key);
  return { kid: key.kid, activates_at: iso(key.activatesAt) };
}

export interface SigningKeyView {
  kid: string;
  /**
   * `next`: published, not signing yet · `current`: signing · `retired`: published, no longer
   * signing · `gone`: left the JWKS after its tokens expired · `withdrawn`: taken out of the JWKS
   * by `signing-key withdraw`.
   */
  state: 'next' | 'current' | 'retired' | 'gone' | 'withdrawn';
  created_at: string;
  activates_at: string;
  retired_at: string | null;
  /** When it leaves the JWKS: every token it signed has expired by then. */
  published_until: string | null;
  /** The operator key its private part is encrypted under, or null when stored in the clear. */
  encrypted_with: string | null;
}

function stateOf(key: SigningKeyRecord, now: number, graceMs: number): SigningKeyView['state'] {
  if (key.withdrawnAt !== null) return 'withdrawn';
  // A scheduled key a `--now` rotation overtook retires without ever signing.
  if (key.retiredAt !== null && key.retiredAt <= now) return key.retiredAt + graceMs > now ? 'retired' : 'gone';
  return key.activatesAt > now ? 'next' : 'current';
}

export async function listSigningKeys(deps: AdminDeps): Promise<{ keys: SigningKeyView[] }> {
  const { retiredKeyGraceMs: graceMs } = deps.signingKeys ?? defaults();
  const now = deps.clock.now();
  const keys = (await deps.store.listSigningKeys()).sort((a, b) => a.activatesAt - b.activatesAt || a.createdAt - b.createdAt);
  return {
    keys: keys.map((key) => ({
      kid: key.kid,
      state: stateOf(key, now, graceMs),
      created_at: iso(key.createdAt),
      activates_at: iso(key.activatesAt),
      retired_at: key.retiredAt === null ? null : iso(key.retiredAt),
      published_until: key.withdrawnAt !== null ? iso(key.withdrawnAt) : key.retiredAt === null ? null : iso(key.retiredAt + graceMs),
      encrypted_with: typeof key.privateJwk.kek === 'string' ? key.privateJwk.kek : null,
    })),
  };
}

/**
 * Takes a retired key out of the JWKS at once, on every server within 1 s: for a key that leaked,
 * whose forged tokens must stop verifying before its grace runs out. Every token it signed fails
 * from then on (visitor tokens at exchange; session tokens at verifiers once their cached JWKS
 * expires), so sessions move on with a refresh. A key that signs now must be replaced first.
 */
export async function withdrawSigningKey(deps: AdminDeps, kid: string): Promise<SigningKeyView> {
  const withdrawn = await deps.store.withdrawSigningKey(kid, deps.clock.now());
  if (!withdrawn) {
    const known = (await deps.store.listSigningKeys()).some((key) => key.kid === kid);
    throw new AdminError(known ? `Signing key ${kid} signs now or is scheduled to: run signing-key rotate --now first` : `Unknown signing key ${kid}`);
  }
  const view = (await listSigningKeys(deps)).keys.find((key) => key.kid === kid);
  if (!view) throw new AdminError(`Unknown signing key ${kid}`);
  return view;
}

/**
 * Re-encrypts every signing key's private part under the current operator key
 * (KATAVEN_KEY_ENCRYPTION_KEY): keys in the clear, and keys under a previous operator key, which
 * KATAVEN_KEY_ENCRYPTION_KEY_PREVIOUS must then name. Only the per-key data key is re-wrapped
 * in effect; each key keeps its kid. Safe to run again and while servers run.
 */
export async function rewrapSigningKeys(deps: AdminDeps): Promise<{ rewrapped: number; encrypted_with: string }> {
  const { vault } = deps.signingKeys ?? defaults();
  if (vault.currentKekId === undefined) throw new AdminError('KATAVEN_KEY_ENCRYPTION_KEY is not set: there is no key to encrypt under');
  let rewrapped = 0;
  for (const key of await deps.store.listSigningKeys()) {
    if (vault.isCurrent(key.privateJwk)) continue;
    let opened: Record<string, unknown>;
    try {
      opened = vault.open(key.kid, key.privateJwk);
    } catch (error) {
      throw new AdminError(error instanceof Error ? error.message : String(error));
    }
    if (await deps.store.replaceSigningKeyPrivateJwk(key.kid, key.privateJwk, vault.seal(key.kid, opened))) rewrapped++;
  }
  return { rewrapped, encrypted_with: vault.currentKekId };
}
