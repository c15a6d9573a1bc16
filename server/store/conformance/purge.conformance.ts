/** purgeExpired: what is deleted, what is kept, and what it reports. */
import { describe, expect, it } from 'vitest';
import type { StoreContext } from '../test-support/conformanceContext.js';
import { aRefreshToken, aSession, DAY, HOUR, MINUTE, T0 } from '../test-support/storeFixtures.js';

/** More than any test here creates: one call purges everything due. */
const ALL = 1000;

export function describePurge({ store, seedWidget, startSession, rotate }: StoreContext): void {
  describe('purgeExpired', () => {
    it('removes spent visitor jtis past their expiry and keeps the others spent', async () => {
      const old = await startSession({ tokenExpiresAt: T0 + MINUTE });
      const fresh = await startSession({ tokenExpiresAt: T0 + 10 * MINUTE });
      const result = await store().purgeExpired(T0 + 5 * MINUTE, MINUTE, ALL);
      expect(result.visitorTokens).toBe(1);

      const again = async (jti: string) => {
        const widget = await seedWidget();
        return store().consumeVisitorToken({
          jti,
          tokenExpiresAt: T0 + 10 * MINUTE,
          spentAt: T0 + 6 * MINUTE,
          session: aSession(widget),
          refreshToken: aRefreshToken(),
        });
      };
      expect(await again(old.jti)).toEqual({ started: true });
      expect(await again(fresh.jti)).toMatchObject({
        started: false,
        sessionId: fresh.session.id,
      });
    });

    it('removes dead sessions with their refresh tokens and keeps live ones', async () => {
      const now = T0 + 2 * DAY;
      const live = await startSession({ token: { expiresAt: now + DAY } });
      const pastDeadline = await startSession({
        session: { expiresAt: T0 + DAY },
        token: { expiresAt: T0 + HOUR },
      });
      const pastDeadlineNext = await rotate(pastDeadline.token.id, T0 + MINUTE);
      const idle = await startSession({ token: { expiresAt: T0 + DAY } });
      const revokedLongAgo = await startSession({ token: { expiresAt: now + DAY } });
      await store().revokeSession(revokedLongAgo.session.id, now - DAY - 1);
      const revokedToday = await startSession({ token: { expiresAt: now + DAY } });
      await store().revokeSession(revokedToday.session.id, now - HOUR);
      const rotatedLive = await startSession();
      const rotatedLiveNext = await rotate(
        rotatedLive.token.id,
        T0 + HOUR,
        aRefreshToken({ expiresAt: now + DAY }),
      );

      const result = await store().purgeExpired(now, MINUTE, ALL);

      expect(result).toMatchObject({ sessions: 3, refreshTokens: 4 });
      for (const { id } of [
        pastDeadline.token,
        pastDeadlineNext.successor,
        idle.token,
        revokedLongAgo.token,
      ]) {
        expect(await store().findRefreshToken({ id })).toBeUndefined();
      }
      for (const { id } of [
        live.token,
        revokedToday.token,
        rotatedLive.token,
        rotatedLiveNext.successor,
      ]) {
        expect(await store().findRefreshToken({ id })).toBeDefined();
      }
    });

    it('reports a purged session as null when its visitor jti is replayed', async () => {
      const started = await startSession({
        session: { expiresAt: T0 + HOUR },
        tokenExpiresAt: T0 + 2 * DAY,
      });
      await store().purgeExpired(T0 + DAY, MINUTE, ALL);
      const widget = await seedWidget();
      expect(
        await store().consumeVisitorToken({
          jti: started.jti,
          tokenExpiresAt: T0 + 2 * DAY,
          spentAt: T0 + DAY,
          session: aSession(widget),
          refreshToken: aRefreshToken(),
        }),
      ).toEqual({ started: false, spentAt: T0, sessionId: null });
    });

    it('clears successor boxes older than the grace window and keeps recent ones', async () => {
      const { token } = await startSession({ token: { expiresAt: T0 + 2 * DAY } });
      const first = await rotate(token.id, T0 + MINUTE);
      const second = await rotate(first.successor.id, T0 + 10 * MINUTE);
      expect(second.rotated).toBe(true);

      const result = await store().purgeExpired(T0 + 10 * MINUTE + 30_000, MINUTE, ALL);

      expect(result).toEqual({ visitorTokens: 1, sessions: 0, refreshTokens: 0, successorBoxes: 1 });
      const old = await store().findRefreshToken({ id: token.id });
      expect(old?.token).toMatchObject({ successorBox: null, successorId: first.successor.id });
      expect(old?.successor?.id).toBe(first.successor.id);
      expect(
        (await store().findRefreshToken({ id: first.successor.id }))?.token.successorBox,
      ).not.toBeNull();
    });

    it('purging an empty store removes nothing', async () => {
      expect(await store().purgeExpired(T0, MINUTE, ALL)).toEqual({
        visitorTokens: 0,
        refreshTokens: 0,
        sessions: 0,
        successorBoxes: 0,
      });
    });

    it('deletes at most `limit` rows of each kind per call, and the rest on the next calls', async () => {
      const now = T0 + 2 * DAY;
      const expired = [];
      for (let i = 0; i < 5; i++) {
        const started = await startSession({ session: { expiresAt: T0 + DAY }, tokenExpiresAt: T0 + HOUR });
        await rotate(started.token.id, T0 + MINUTE);
        expired.push(started);
      }
      const live = await startSession({ token: { expiresAt: now + DAY }, tokenExpiresAt: now + HOUR });

      const first = await store().purgeExpired(now, MINUTE, 2);
      expect(first).toMatchObject({ visitorTokens: 2, sessions: 2, refreshTokens: 4, successorBoxes: 2 });
      const second = await store().purgeExpired(now, MINUTE, 2);
      expect(second).toMatchObject({ visitorTokens: 2, sessions: 2 });
      const third = await store().purgeExpired(now, MINUTE, 2);
      expect(third).toMatchObject({ visitorTokens: 1, sessions: 1, refreshTokens: 2 });
      expect(await store().purgeExpired(now, MINUTE, 2)).toEqual({
        visitorTokens: 0,
        refreshTokens: 0,
        sessions: 0,
        successorBoxes: 0,
      });
      for (const { token } of expired) expect(await store().findRefreshToken({ id: token.id })).toBeUndefined();
      expect(await store().findRefreshToken({ id: live.token.id })).toBeDefined();
    });
  });
}
