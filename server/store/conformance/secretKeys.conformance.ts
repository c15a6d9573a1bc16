/** Secret keys: found by hash, revoked by id or hash, touched on use. */
import { describe, expect, it } from 'vitest';
import type { NewSecretKey } from '../records.js';
import type { StoreContext } from '../test-support/conformanceContext.js';
import { aSecretKey, anAccount, DAY, HOUR, MINUTE, T0 } from '../test-support/storeFixtures.js';

export function describeSecretKeys({ store }: StoreContext): void {
  describe('secret keys', () => {
    /** Creates an account and one key of it. */
    const seedKey = async (over: Partial<NewSecretKey> = {}): Promise<NewSecretKey> => {
      const account = anAccount();
      await store().createAccount(account);
      const key = aSecretKey(account.id, over);
      await store().createSecretKey(key);
      return key;
    };

    it('a created key is found by its hash, never used and not revoked', async () => {
      const key = await seedKey({ mode: 'live' });
      expect(await store().findActiveSecretKey(key.hash, T0)).toEqual({
        id: key.id,
        accountId: key.accountId,
        mode: 'live',
        displayPrefix: key.displayPrefix,
        createdAt: key.createdAt,
        lastUsedAt: null,
        revokedAt: null,
        expiresAt: null,
      });
    });

    it('rollSecretKey sets the expiry and inserts the successor; both work until the expiry, then only the successor', async () => {
      const key = await seedKey();
      const successor = aSecretKey(key.accountId, { createdAt: T0 + MINUTE });
      const rolled = await store().rollSecretKey({ id: key.id, now: T0 + MINUTE, expiresAt: T0 + DAY, successor });
      expect(rolled).toMatchObject({ id: key.id, expiresAt: T0 + DAY, revokedAt: null });
      expect((await store().findActiveSecretKey(key.hash, T0 + DAY - 1))?.id).toBe(key.id);
      expect(await store().findActiveSecretKey(key.hash, T0 + DAY)).toBeUndefined();
      expect((await store().findActiveSecretKey(successor.hash, T0 + DAY))?.expiresAt).toBeNull();
      expect(await store().findSecretKey(key.id)).toEqual(rolled);
    });

    it('rollSecretKey never moves an expiry later, and refuses a revoked, expired or foreign key writing nothing', async () => {
      const key = await seedKey();
      await store().rollSecretKey({ id: key.id, now: T0, expiresAt: T0 + HOUR, successor: aSecretKey(key.accountId) });
      const again = await store().rollSecretKey({ id: key.id, now: T0, expiresAt: T0 + DAY, successor: aSecretKey(key.accountId) });
      expect(again?.expiresAt).toBe(T0 + HOUR);
      const late = aSecretKey(key.accountId);
      expect(await store().rollSecretKey({ id: key.id, now: T0 + HOUR, expiresAt: T0 + DAY, successor: late })).toBeUndefined();
      const other = await seedKey();
      const foreign = aSecretKey(other.accountId);
      const mine = await seedKey();
      expect(await store().rollSecretKey({ id: mine.id, now: T0, expiresAt: T0 + DAY, successor: foreign })).toBeUndefined();
      await store().revokeSecretKey({ id: mine.id }, T0);
      const afterRevoke = aSecretKey(mine.accountId);
      expect(await store().rollSecretKey({ id: mine.id, now: T0, expiresAt: T0 + DAY, successor: afterRevoke })).toBeUndefined();
      for (const unwritten of [late, foreign, afterRevoke]) {
        expect(await store().findActiveSecretKey(unwritten.hash, T0)).toBeUndefined();
      }
      expect(await store().findSecretKey('key_unknown')).toBeUndefined();
    });

    it('findActiveSecretKey returns undefined for an unknown hash', async () => {
      expect(await store().findActiveSecretKey('0'.repeat(64), T0)).toBeUndefined();
    });

    it("listSecretKeys returns the account's keys and no others", async () => {
      const first = await seedKey();
      const second = aSecretKey(first.accountId, { createdAt: T0 + 1 });
      await store().createSecretKey(second);
      await seedKey();
      const listed = await store().listSecretKeys(first.accountId);
      expect(listed.map((k) => k.id).sort()).toEqual([first.id, second.id].sort());
      expect(await store().listSecretKeys('acct_unknown')).toEqual([]);
    });

    it('revoking by id returns the key as revoked, and findActiveSecretKey no longer finds it', async () => {
      const key = await seedKey();
      const revoked = await store().revokeSecretKey({ id: key.id }, T0 + HOUR);
      expect(revoked).toMatchObject({ id: key.id, revokedAt: T0 + HOUR });
      expect(await store().findActiveSecretKey(key.hash, T0)).toBeUndefined();
      expect(await store().listSecretKeys(key.accountId)).toEqual([revoked]);
    });

    it('revoking by hash returns the key as revoked, and findActiveSecretKey no longer finds it', async () => {
      const key = await seedKey();
      expect(await store().revokeSecretKey({ hash: key.hash }, T0 + HOUR)).toMatchObject({
        id: key.id,
        revokedAt: T0 + HOUR,
      });
      expect(await store().findActiveSecretKey(key.hash, T0)).toBeUndefined();
    });

    it('revoking a revoked key again, by id or by hash, returns it with its first revocation time', async () => {
      const key = await seedKey();
      await store().revokeSecretKey({ id: key.id }, T0 + HOUR);
      for (const ref of [{ id: key.id }, { hash: key.hash }]) {
        expect(await store().revokeSecretKey(ref, T0 + 2 * HOUR)).toMatchObject({
          id: key.id,
          revokedAt: T0 + HOUR,
        });
      }
    });

    it('revokeSecretKey returns undefined for an unknown id or hash', async () => {
      expect(await store().revokeSecretKey({ id: 'sk_unknown' }, T0)).toBeUndefined();
      expect(await store().revokeSecretKey({ hash: '0'.repeat(64) }, T0)).toBeUndefined();
    });

    it('touchSecretKey sets lastUsedAt, and a much later touch moves it forward', async () => {
      const key = await seedKey();
      await store().touchSecretKey(key.id, T0 + MINUTE);
      expect((await store().findActiveSecretKey(key.hash, T0))?.lastUsedAt).toBe(T0 + MINUTE);
      await store().touchSecretKey(key.id, T0 + DAY);
      expect((await store().findActiveSecretKey(key.hash, T0))?.lastUsedAt).toBe(T0 + DAY);
    });

    it('touchSecretKey skips the write while the last recorded use is under a minute old', async () => {
      const key = await seedKey();
      await store().touchSecretKey(key.id, T0);
      await store().touchSecretKey(key.id, T0 + 59_000);
      expect((await store().findActiveSecretKey(key.hash, T0))?.lastUsedAt).toBe(T0);
      await store().touchSecretKey(key.id, T0 + 61_000);
      expect((await store().findActiveSecretKey(key.hash, T0))?.lastUsedAt).toBe(T0 + 61_000);
    });
  });
}
