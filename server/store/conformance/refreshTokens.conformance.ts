/** Refresh tokens: rotation is a compare-and-set on an unspent token of a live session. */
import { describe, expect, it } from 'vitest';
import type { StoreContext } from '../test-support/conformanceContext.js';
import { aBox, aRefreshToken, DAY, HOUR, MINUTE, T0 } from '../test-support/storeFixtures.js';

export function describeRefreshTokens({ store, startSession, rotate }: StoreContext): void {
  describe('refresh tokens', () => {
    it('findRefreshToken returns undefined for an unknown id or hash', async () => {
      expect(await store().findRefreshToken({ id: 'rtk_unknown' })).toBeUndefined();
      expect(await store().findRefreshToken({ hash: '0'.repeat(64) })).toBeUndefined();
    });

    it('finds tokens the store writes by their id, never by their hash', async () => {
      const { session, token } = await startSession();
      const { successor } = await rotate(token.id, T0 + HOUR);
      expect((await store().findRefreshToken({ id: token.id }))?.session).toEqual(session);
      expect((await store().findRefreshToken({ id: successor.id }))?.token.hash).toBe(successor.hash);
      expect(await store().findRefreshToken({ hash: token.hash })).toBeUndefined();
      expect(await store().findRefreshToken({ hash: successor.hash })).toBeUndefined();
    });

    it('rotation spends the token, and findRefreshToken returns the successor and its box', async () => {
      const { session, token } = await startSession();
      const successor = aRefreshToken({ createdAt: T0 + HOUR, expiresAt: T0 + HOUR + DAY });
      const box = aBox(42);
      expect(
        await store().rotateRefreshToken({
          tokenId: token.id,
          now: T0 + HOUR,
          successor,
          successorBox: box,
        }),
      ).toBe(true);
      const view = await store().findRefreshToken({ id: token.id });
      expect(view?.token).toMatchObject({
        id: token.id,
        spentAt: T0 + HOUR,
        successorId: successor.id,
      });
      expect([...(view?.token.successorBox ?? [])]).toEqual([...box]);
      expect(view?.successor).toEqual({
        ...successor,
        sessionId: session.id,
        spentAt: null,
        successorId: null,
        successorBox: null,
      });
      expect((await store().findRefreshToken({ id: successor.id }))?.session).toEqual(session);
    });

    it('rotating a refresh token twice: the second rotation returns false and writes nothing', async () => {
      const { token } = await startSession();
      const first = await rotate(token.id, T0 + HOUR);
      const second = await rotate(token.id, T0 + HOUR + 1);
      expect([first.rotated, second.rotated]).toEqual([true, false]);
      expect(await store().findRefreshToken({ id: second.successor.id })).toBeUndefined();
      expect((await store().findRefreshToken({ id: token.id }))?.successor?.id).toBe(first.successor.id);
    });

    it('50 concurrent rotations of one token: exactly one succeeds', async () => {
      const { token } = await startSession();
      const results = await Promise.all(
        Array.from({ length: 50 }, () => rotate(token.id, T0 + HOUR)),
      );
      const winners = results.filter((r) => r.rotated);
      expect(winners).toHaveLength(1);
      expect((await store().findRefreshToken({ id: token.id }))?.successor?.id).toBe(
        winners[0]?.successor.id,
      );
      const found = await Promise.all(
        results.map((r) => store().findRefreshToken({ id: r.successor.id })),
      );
      expect(found.filter((view) => view !== undefined)).toHaveLength(1);
    });

    it('a successor can be rotated in turn, and stays in the same session', async () => {
      const { session, token } = await startSession();
      const first = await rotate(token.id, T0 + HOUR);
      const second = await rotate(first.successor.id, T0 + 2 * HOUR);
      expect(second.rotated).toBe(true);
      const view = await store().findRefreshToken({ id: first.successor.id });
      expect(view?.session.id).toBe(session.id);
      expect(view?.successor?.sessionId).toBe(session.id);
    });

    it('rotation fails for a revoked session', async () => {
      const { session, token } = await startSession();
      await store().revokeSession(session.id, T0 + MINUTE);
      const { rotated, successor } = await rotate(token.id, T0 + HOUR);
      expect(rotated).toBe(false);
      expect(await store().findRefreshToken({ id: successor.id })).toBeUndefined();
      expect((await store().findRefreshToken({ id: token.id }))?.token.spentAt).toBeNull();
    });

    it('rotation fails for a token expired at now', async () => {
      const { token } = await startSession({ token: { expiresAt: T0 + HOUR } });
      const { rotated, successor } = await rotate(token.id, T0 + HOUR);
      expect(rotated).toBe(false);
      expect(await store().findRefreshToken({ id: successor.id })).toBeUndefined();
      expect((await store().findRefreshToken({ id: token.id }))?.token.spentAt).toBeNull();
    });

    it('rotation fails for a session past its deadline, even with an unexpired token', async () => {
      const { token } = await startSession({
        session: { expiresAt: T0 + HOUR },
        token: { expiresAt: T0 + DAY },
      });
      const { rotated, successor } = await rotate(token.id, T0 + 2 * HOUR);
      expect(rotated).toBe(false);
      expect(await store().findRefreshToken({ id: successor.id })).toBeUndefined();
    });

    it('rotation fails for an unknown token id', async () => {
      expect((await rotate('rt_unknown', T0)).rotated).toBe(false);
    });

    it('a rotation that fails part-way writes nothing: the token stays unspent', async () => {
      const other = await startSession();
      const { token } = await startSession();
      const clash = aRefreshToken({ id: other.token.id });
      await expect(rotate(token.id, T0 + HOUR, clash)).rejects.toThrow();
      expect((await store().findRefreshToken({ id: token.id }))?.token).toMatchObject({
        spentAt: null,
        successorId: null,
      });
      expect((await rotate(token.id, T0 + HOUR)).rotated).toBe(true);
    });
  });
}
