/** Signing keys: one current key, rotated atomically. */
import { describe, expect, it } from 'vitest';
import type { StoreContext } from '../test-support/conformanceContext.js';
import { aSigningKey, DAY, T0 } from '../test-support/storeFixtures.js';

export function describeSigningKeys({ store }: StoreContext): void {
  describe('signing keys', () => {
    it('insertFirstSigningKey inserts the first key with its JWKs intact', async () => {
      const key = aSigningKey();
      expect(await store().insertFirstSigningKey(key)).toBe(true);
      expect(await store().listSigningKeys()).toEqual([key]);
    });

    it('insertFirstSigningKey inserts only once: with a current key it returns false and writes nothing', async () => {
      const first = aSigningKey();
      await store().insertFirstSigningKey(first);
      expect(await store().insertFirstSigningKey(aSigningKey({ createdAt: T0 + 1 }))).toBe(false);
      expect(await store().listSigningKeys()).toEqual([first]);
    });

    it('50 concurrent insertFirstSigningKey calls insert exactly one key', async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, () => store().insertFirstSigningKey(aSigningKey())),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store().listSigningKeys()).toHaveLength(1);
    });

    it("rotateSigningKey makes the new key current and retires the previous one at the new key's createdAt", async () => {
      const first = aSigningKey();
      await store().insertFirstSigningKey(first);
      const second = aSigningKey({ createdAt: T0 + DAY });
      await store().rotateSigningKey(second);
      const third = aSigningKey({ createdAt: T0 + 2 * DAY });
      await store().rotateSigningKey(third);
      const byKid = new Map((await store().listSigningKeys()).map((k) => [k.kid, k]));
      expect(byKid.get(first.kid)).toEqual({ ...first, retiredAt: T0 + DAY });
      expect(byKid.get(second.kid)).toEqual({ ...second, retiredAt: T0 + 2 * DAY });
      expect(byKid.get(third.kid)).toEqual(third);
      expect(await store().insertFirstSigningKey(aSigningKey())).toBe(false);
    });

    it('a rotation scheduled ahead retires the current key at the next one\'s activation, and a second rotation retires both at its own', async () => {
      const first = aSigningKey();
      await store().insertFirstSigningKey(first);
      const next = aSigningKey({ createdAt: T0 + DAY, activatesAt: T0 + DAY + 305_000 });
      expect(await store().rotateSigningKey(next)).toBe(true);
      const byKid = new Map((await store().listSigningKeys()).map((k) => [k.kid, k]));
      expect(byKid.get(first.kid)?.retiredAt).toBe(T0 + DAY + 305_000);
      expect(byKid.get(next.kid)?.retiredAt).toBeNull();
      const now = aSigningKey({ createdAt: T0 + DAY + 1000, activatesAt: T0 + DAY + 1000 });
      await store().rotateSigningKey(now);
      const after = new Map((await store().listSigningKeys()).map((k) => [k.kid, k]));
      expect(after.get(first.kid)?.retiredAt).toBe(T0 + DAY + 1000);
      expect(after.get(next.kid)?.retiredAt).toBe(T0 + DAY + 1000);
      expect(after.get(now.kid)?.retiredAt).toBeNull();
    });

    it('rotateSigningKey with unlessActivatedAfter adds one key however many race, and none while a newer key exists', async () => {
      await store().insertFirstSigningKey(aSigningKey());
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          store().rotateSigningKey(aSigningKey({ createdAt: T0 + DAY, activatesAt: T0 + DAY + 305_000 }), { unlessActivatedAfter: T0 + 1 }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store().listSigningKeys()).toHaveLength(2);
    });

    it('replaceSigningKeyPrivateJwk swaps the private part only while it is still the expected one', async () => {
      const key = aSigningKey();
      await store().insertFirstSigningKey(key);
      const sealed = { sealed: 'A256GCM', kek: 'k1', dek: 'd', iv: 'i', ct: 'c', tag: 't' };
      expect(await store().replaceSigningKeyPrivateJwk(key.kid, key.privateJwk, sealed)).toBe(true);
      expect(await store().replaceSigningKeyPrivateJwk(key.kid, key.privateJwk, { other: 1 })).toBe(false);
      expect((await store().listSigningKeys())[0]?.privateJwk).toEqual(sealed);
    });

    it('withdrawSigningKey withdraws only a key retired by then, keeping the first withdrawal time', async () => {
      const first = aSigningKey();
      await store().insertFirstSigningKey(first);
      const next = aSigningKey({ createdAt: T0 + DAY, activatesAt: T0 + 2 * DAY });
      await store().rotateSigningKey(next);
      expect(await store().withdrawSigningKey(first.kid, T0 + 2 * DAY - 1)).toBeUndefined();
      expect(await store().withdrawSigningKey(next.kid, T0 + 3 * DAY)).toBeUndefined();
      expect(await store().withdrawSigningKey('unknown', T0 + 3 * DAY)).toBeUndefined();
      expect(await store().withdrawSigningKey(first.kid, T0 + 2 * DAY)).toEqual({ ...first, retiredAt: T0 + 2 * DAY, withdrawnAt: T0 + 2 * DAY });
      expect((await store().withdrawSigningKey(first.kid, T0 + 3 * DAY))?.withdrawnAt).toBe(T0 + 2 * DAY);
    });

    it('rotateSigningKey on an empty store just inserts the key', async () => {
      const key = aSigningKey();
      await store().rotateSigningKey(key);
      expect(await store().listSigningKeys()).toEqual([key]);
    });
  });
}
