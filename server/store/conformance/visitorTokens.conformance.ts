/** Visitor tokens: a jti starts at most one session, atomically with its first refresh token. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StoreContext } from '../test-support/conformanceContext.js';
import { aRefreshToken, aSession, HOUR, MINUTE, T0 } from '../test-support/storeFixtures.js';

export function describeVisitorTokens({ store, seedWidget, startSession }: StoreContext): void {
  describe('visitor tokens and sessions', () => {
    it('consuming a visitor jti starts the session with its first refresh token', async () => {
      const { session, token } = await startSession({
        session: {
          kind: 'user',
          userId: 'u_123',
          name: 'Ada',
          email: 'ada@example.com',
          metadata: { plan: 'pro', seats: 3, trial: false },
        },
      });
      expect(await store().findRefreshToken({ id: token.id })).toEqual({
        token: {
          ...token,
          sessionId: session.id,
          spentAt: null,
          successorId: null,
          successorBox: null,
        },
        session,
        successor: null,
      });
    });

    it('a visitor jti is consumed once: the second consume reports the first spend and writes nothing', async () => {
      const first = await startSession();
      const widget = await seedWidget();
      const second = { session: aSession(widget), token: aRefreshToken() };
      const result = await store().consumeVisitorToken({
        jti: first.jti,
        tokenExpiresAt: T0 + 5 * MINUTE,
        spentAt: T0 + MINUTE,
        session: second.session,
        refreshToken: second.token,
      });
      expect(result).toEqual({ started: false, spentAt: T0, sessionId: first.session.id });
      expect(await store().findRefreshToken({ id: second.token.id })).toBeUndefined();
      expect(await store().revokeSession(second.session.id, T0)).toBe(false);
    });

    it('50 concurrent consumes of one jti start exactly one session', async () => {
      const widget = await seedWidget();
      const jti = randomUUID();
      const attempts = Array.from({ length: 50 }, (_, i) => ({
        session: aSession(widget),
        token: aRefreshToken(),
        spentAt: T0 + i,
      }));
      const results = await Promise.all(
        attempts.map((a) =>
          store().consumeVisitorToken({
            jti,
            tokenExpiresAt: T0 + 5 * MINUTE,
            spentAt: a.spentAt,
            session: a.session,
            refreshToken: a.token,
          }),
        ),
      );
      const winners = attempts.filter((_, i) => results[i]?.started === true);
      expect(winners).toHaveLength(1);
      const [winner] = winners;
      for (const result of results.filter((r) => !r.started)) {
        expect(result).toEqual({
          started: false,
          spentAt: winner?.spentAt,
          sessionId: winner?.session.id,
        });
      }
      const found = await Promise.all(attempts.map((a) => store().findRefreshToken({ id: a.token.id })));
      expect(found.filter((view) => view !== undefined)).toHaveLength(1);
    });

    it('a consume that fails part-way writes nothing: the jti stays unspent and no session exists', async () => {
      const first = await startSession();
      const widget = await seedWidget();
      const jti = randomUUID();
      const doomed = aSession(widget);
      await expect(
        store().consumeVisitorToken({
          jti,
          tokenExpiresAt: T0 + 5 * MINUTE,
          spentAt: T0,
          session: doomed,
          refreshToken: aRefreshToken({ id: first.token.id }),
        }),
      ).rejects.toThrow();
      expect(await store().revokeSession(doomed.id, T0)).toBe(false);
      const retry = await store().consumeVisitorToken({
        jti,
        tokenExpiresAt: T0 + 5 * MINUTE,
        spentAt: T0,
        session: aSession(widget),
        refreshToken: aRefreshToken(),
      });
      expect(retry).toEqual({ started: true });
    });

    it('revokeSession is idempotent: true once, then false, and the first revocation time stays', async () => {
      const { session, token } = await startSession();
      expect(await store().revokeSession(session.id, T0 + HOUR)).toBe(true);
      expect(await store().revokeSession(session.id, T0 + 2 * HOUR)).toBe(false);
      expect((await store().findRefreshToken({ id: token.id }))?.session.revokedAt).toBe(T0 + HOUR);
    });

    it('revokeSession returns false for an unknown session', async () => {
      expect(await store().revokeSession('ses_unknown', T0)).toBe(false);
    });
  });
}
