import { createCipheriv, createDecipheriv, hash, randomBytes } from 'node:crypto';

/**
 * How a signing key's private part is stored when the operator configured a key encryption key
 * (KEK): envelope encryption, as cloud KMSs do. A fresh data key (DEK) encrypts the private JWK
 * with AES-256-GCM, bound to the key's `kid` as additional data so a sealed value cannot be moved
 * to another row; the KEK encrypts the DEK. `kek` names the KEK, so the KEK itself can be
 * rotated by re-encrypting only the DEKs (`signing-key rewrap`).
 */
export interface SealedPrivateKey {
  sealed: 'A256GCM';
  kek: string;
  /** base64url of IV ‖ ciphertext ‖ tag: the DEK under the KEK. */
  dek: string;
  /** base64url of IV ‖ ciphertext ‖ tag: the private JWK (JSON) under the DEK. */
  jwk: string;
}

/** A stored private key that cannot be opened: sealed under a KEK this process does not have. */
export class KeyVaultError extends Error {
  override name = 'KeyVaultError';
}

export interface KeyVault {
  /** The id of the KEK new keys are sealed under, or undefined when keys are stored in the clear. */
  readonly currentKekId: string | undefined;
  /** The stored form of a private JWK. */
  seal(kid: string, privateJwk: Record<string, unknown>): Record<string, unknown>;
  /** The private JWK from its stored form; throws `KeyVaultError` if it cannot be opened. */
  open(kid: string, stored: Record<string, unknown>): Record<string, unknown>;
  /** True if the stored form is already what `seal` would produce now (same KEK, or both clear). */
  isCurrent(stored: Record<string, unknown>): boolean;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A public name for a KEK: a hash prefix that reveals nothing usable about the key. */
export const kekIdOf = (kek: Buffer) =>
  hash('sha256', Buffer.concat([Buffer.from('kataven-kek:'), kek]), 'base64url').slice(0, 16);

function encrypt(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

function decrypt(key: Buffer, sealed: string, aad: string): Buffer {
  const bytes = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
    decipher.final(),
  ]);
}

const isSealed = (
  stored: Record<string, unknown>,
): stored is Record<string, unknown> & SealedPrivateKey =>
  stored.sealed === 'A256GCM' &&
  typeof stored.kek === 'string' &&
  typeof stored.dek === 'string' &&
  typeof stored.jwk === 'string';

/**
 * `current` seals new keys (absent: stored in the clear, as before encryption was configured);
 * `current` and `previous` both open them, so the KEK can be replaced without downtime.
 */
export function createKeyVault(
  keks: { current: Buffer; previous?: readonly Buffer[] } | undefined,
): KeyVault {
  const byId = new Map<string, Buffer>();
  for (const kek of [...(keks?.previous ?? []), ...(keks ? [keks.current] : [])])
    byId.set(kekIdOf(kek), kek);
  const currentKekId = keks && kekIdOf(keks.current);

  return {
    currentKekId,
    seal(kid, privateJwk) {
      if (!keks || currentKekId === undefined) return privateJwk;
      const dek = randomBytes(32);
      const sealed: SealedPrivateKey = {
        sealed: 'A256GCM',
        kek: currentKekId,
        dek: encrypt(keks.current, dek, kid),
        jwk: encrypt(dek, Buffer.from(JSON.stringify(privateJwk)), kid),
      };
      return { ...sealed };
    },
    open(kid, stored) {
      if (!isSealed(stored)) return stored;
      const kek = byId.get(stored.kek);
      if (kek === undefined) {
        throw new KeyVaultError(
          `signing key ${kid} is encrypted under key ${stored.kek}; set KATAVEN_KEY_ENCRYPTION_KEY (or _PREVIOUS) to it`,
        );
      }
      try {
        const dek = decrypt(kek, stored.dek, kid);
        return JSON.parse(decrypt(dek, stored.jwk, kid).toString('utf8')) as Record<
          string,
          unknown
        >;
      } catch {
        throw new KeyVaultError(
          `signing key ${kid} does not decrypt under key ${stored.kek}: the stored value was altered`,
        );
      }
    },
    isCurrent(stored) {
      return isSealed(stored) ? stored.kek === currentKekId : currentKekId === undefined;
    },
  };
}
