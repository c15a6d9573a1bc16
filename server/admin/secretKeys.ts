import type { WidgetMode } from '../../contract/index.js';
import type { Clock } from '../clock.js';
import { newId } from '../keys/ids.js';
import { displayPrefixOfSecretKey, generateSecretKey, hashSecretKey, parseSecretKey } from '../keys/secretKey.js';
import type { NewSecretKey, SecretKeyRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { AdminError } from './adminError.js';
import type { SigningKeyDeps } from './signingKeys.js';

export interface AdminDeps {
  store: Store;
  clock: Clock;
  /** The CLI passes the server's settings; without them keys are stored in the clear. */
  signingKeys?: SigningKeyDeps;
}

export interface SecretKeyView {
  key_id: string;
  account_id: string;
  mode: WidgetMode;
  display_prefix: string;
  created_at: string;
  last_used_at: string | null;
  /** Set by `key roll`: from then on the key answers 401 like a revoked one. */
  expires_at: string | null;
  revoked_at: string | null;
  /** `expiring` while a rolled key still works. */
  status: 'active' | 'expiring' | 'expired' | 'revoked';
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function statusOf(key: SecretKeyRecord, now: number): SecretKeyView['status'] {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt === null) return 'active';
  return key.expiresAt > now ? 'expiring' : 'expired';
}

export function toSecretKeyView(key: SecretKeyRecord, now: number): SecretKeyView {
  return {
    key_id: key.id,
    account_id: key.accountId,
    mode: key.mode,
    display_prefix: key.displayPrefix,
    created_at: new Date(key.createdAt).toISOString(),
    last_used_at: iso(key.lastUsedAt),
    expires_at: iso(key.expiresAt),
    revoked_at: iso(key.revokedAt),
    status: statusOf(key, now),
  };
}

/** Refuses an account id that names no account. */
export async function requireAccount(deps: AdminDeps, accountId: string): Promise<void> {
  if (!(await deps.store.findAccount(accountId))) throw new AdminError(`Unknown account ${accountId}`);
}

/** A fresh key: its plaintext (shown once) and the record that stores only its hash. */
function newSecretKey(accountId: string, mode: WidgetMode, now: number): { secretKey: string; record: NewSecretKey } {
  const secretKey = generateSecretKey(mode);
  return {
    secretKey,
    record: { id: newId('key'), accountId, mode, displayPrefix: displayPrefixOfSecretKey(secretKey), createdAt: now, hash: hashSecretKey(secretKey) },
  };
}

/** Creates a key; the plaintext is returned once and only its hash is stored. */
export async function createSecretKey(
  deps: AdminDeps,
  input: { accountId: string; mode: WidgetMode },
): Promise<{ secret_key: string; key_id: string }> {
  await requireAccount(deps, input.accountId);
  const { secretKey, record } = newSecretKey(input.accountId, input.mode, deps.clock.now());
  await deps.store.createSecretKey(record);
  return { secret_key: secretKey, key_id: record.id };
}

export async function listSecretKeys(deps: AdminDeps, accountId: string): Promise<{ keys: SecretKeyView[] }> {
  await requireAccount(deps, accountId);
  return { keys: (await deps.store.listSecretKeys(accountId)).map((key) => toSecretKeyView(key, deps.clock.now())) };
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
  return toSecretKeyView(revoked, deps.clock.now());
}

/** The longest a rolled key may keep working: long enough to redeploy, short enough to matter. */
const MAX_ROLL_EXPIRY_MS = 30 * 24 * 60 * 60 * 1000;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `24h`, `90m`, `7d`, `0s`: a duration for `--expires-in`. */
export function parseExpiresIn(text: string): number {
  const match = /^(\d{1,6})([smhd])$/.exec(text);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : Number.NaN;
  if (!(ms <= MAX_ROLL_EXPIRY_MS)) throw new AdminError(`--expires-in must look like 24h, 90m, 7d or 0s, at most 30d; got ${JSON.stringify(text)}`);
  return ms;
}

/**
 * Rolls a secret key (Stripe's model): creates its successor, shown once, and schedules the old
 * key's expiry; until then both work, so the new key can be deployed without a failed call.
 */
export async function rollSecretKey(
  deps: AdminDeps,
  input: { keyId: string; expiresInMs: number },
): Promise<{ secret_key: string; key_id: string; rolled: SecretKeyView }> {
  const old = await deps.store.findSecretKey(input.keyId);
  if (!old) throw new AdminError(`Unknown key ${input.keyId}`);
  const now = deps.clock.now();
  const { secretKey, record } = newSecretKey(old.accountId, old.mode, now);
  const rolled = await deps.store.rollSecretKey({ id: old.id, now, expiresAt: now + input.expiresInMs, successor: record });
  if (!rolled) throw new AdminError(`Key ${input.keyId} is revoked or expired: create a new one with key create`);
  return { secret_key: secretKey, key_id: record.id, rolled: toSecretKeyView(rolled, now) };
}
