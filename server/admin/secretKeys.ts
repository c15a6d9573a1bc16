import type { WidgetMode } from '../../contract/index.js';
import type { Clock } from '../clock.js';
import { newId } from '../keys/ids.js';
import { displayPrefixOfSecretKey, generateSecretKey, hashSecretKey, parseSecretKey } from '../keys/secretKey.js';
import type { SecretKeyRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { AdminError } from './adminError.js';

export interface AdminDeps {
  store: Store;
  clock: Clock;
}

export interface SecretKeyView {
  key_id: string;
  account_id: string;
  mode: WidgetMode;
  display_prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toSecretKeyView(key: SecretKeyRecord): SecretKeyView {
  return {
    key_id: key.id,
    account_id: key.accountId,
    mode: key.mode,
    display_prefix: key.displayPrefix,
    created_at: new Date(key.createdAt).toISOString(),
    last_used_at: iso(key.lastUsedAt),
    revoked_at: iso(key.revokedAt),
  };
}

/** Refuses an account id that names no account. */
export async function requireAccount(deps: AdminDeps, accountId: string): Promise<void> {
  if (!(await deps.store.findAccount(accountId))) throw new AdminError(`Unknown account ${accountId}`);
}

/** Creates a key; the plaintext is returned once and only its hash is stored. */
export async function createSecretKey(
  deps: AdminDeps,
  input: { accountId: string; mode: WidgetMode },
): Promise<{ secret_key: string; key_id: string }> {
  await requireAccount(deps, input.accountId);
  const secretKey = generateSecretKey(input.mode);
  const keyId = newId('key');
  await deps.store.createSecretKey({
    id: keyId,
    accountId: input.accountId,
    mode: input.mode,
    displayPrefix: displayPrefixOfSecretKey(secretKey),
    createdAt: deps.clock.now(),
    hash: hashSecretKey(secretKey),
  });
  return { secret_key: secretKey, key_id: keyId };
}

export async function listSecretKeys(deps: AdminDeps, accountId: string): Promise<{ keys: SecretKeyView[] }> {
  await requireAccount(deps, accountId);
  return { keys: (await deps.store.listSecretKeys(accountId)).map(toSecretKeyView) };
}

/**
 * Accepts a key id (`key_…`) or the secret key itself (e.g. one found leaked). A refusal names a
 * key id, or a secret key only by its display prefix: the key itself is never printed.
 */
export async function revokeSecretKey(deps: AdminDeps, ref: string): Promise<SecretKeyView> {
  const isSecretKey = parseSecretKey(ref) !== null;
  if (!isSecretKey && ref.startsWith('sk_')) throw new AdminError('Not a valid secret key (its checksum does not match)');
  const target = isSecretKey ? { hash: hashSecretKey(ref) } : { id: ref };
  const revoked = await deps.store.revokeSecretKey(target, deps.clock.now());
  if (!revoked) throw new AdminError(`Unknown key ${isSecretKey ? displayPrefixOfSecretKey(ref) : ref}`);
  return toSecretKeyView(revoked);
}
