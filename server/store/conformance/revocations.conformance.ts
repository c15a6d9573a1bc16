/** Ending sessions in bulk: all of one user's on a widget, all of a disabled widget's. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SessionRecord, WidgetRecord } from '../records.js';
import type { StoreContext } from '../test-support/conformanceContext.js';
import { aRefreshToken, aSession, HOUR, MINUTE, T0 } from '../test-support/storeFixtures.js';

export function describeRevocations({ store, seedWidget }: StoreContext): void {
  /** Starts a session on `widget`; returns it with its refresh token's id. */
  const startOn = async (widget: WidgetRecord, over: Partial<SessionRecord> = {}) => {
    const session = aSession(widget, over);
    const token = aRefreshToken();
    const result = await store().consumeVisitorToken({
      jti: randomUUID(),
      tokenExpiresAt: T0 + 5 * MINUTE,
      spentAt: T0,
      session,
      refreshToken: token,
    });
    expect(result).toEqual({ started: true });
    return { session, tokenId: token.id };
  };
  const revokedAt = async (tokenId: string) =>
    (await store().findRefreshToken({ id: tokenId }))?.session.revokedAt;

  describe('revocations', () => {
    it("revokeUserSessions ends the user's live sessions on that widget only, and records the revocation", async () => {
      const widget = await seedWidget();
      const other = await seedWidget();
      const ada = { kind: 'user' as const, userId: 'u_ada' };
      const mine = [await startOn(widget, ada), await startOn(widget, ada)];
      const bystanders = [
        await startOn(widget, { kind: 'user', userId: 'u_bob' }),
        await startOn(widget),
        await startOn(other, ada),
      ];

      expect(
        await store().revokeUserSessions({ widgetId: widget.id, userId: 'u_ada', at: T0 + HOUR }),
      ).toBe(2);
      for (const { tokenId } of mine) expect(await revokedAt(tokenId)).toBe(T0 + HOUR);
      for (const { tokenId } of bystanders) expect(await revokedAt(tokenId)).toBeNull();
      expect(await store().findUserRevocation(widget.id, 'u_ada')).toBe(T0 + HOUR);
      expect(await store().findUserRevocation(other.id, 'u_ada')).toBeUndefined();
    });

    it('revokeUserSessions is idempotent: again it ends nothing more, and the revocation instant only moves forward', async () => {
      const widget = await seedWidget();
      await startOn(widget, { kind: 'user', userId: 'u_ada' });
      await store().revokeUserSessions({ widgetId: widget.id, userId: 'u_ada', at: T0 + HOUR });
      expect(
        await store().revokeUserSessions({
          widgetId: widget.id,
          userId: 'u_ada',
          at: T0 + 2 * HOUR,
        }),
      ).toBe(0);
      expect(await store().findUserRevocation(widget.id, 'u_ada')).toBe(T0 + 2 * HOUR);
      await store().revokeUserSessions({ widgetId: widget.id, userId: 'u_ada', at: T0 });
      expect(await store().findUserRevocation(widget.id, 'u_ada')).toBe(T0 + 2 * HOUR);
      expect(
        await store().revokeUserSessions({ widgetId: widget.id, userId: 'u_nobody', at: T0 }),
      ).toBe(0);
    });

    it('disabling a widget revokes every session of it at once; enabling it again revives none', async () => {
      const widget = await seedWidget();
      const other = await seedWidget();
      const sessions = [
        await startOn(widget),
        await startOn(widget, { kind: 'user', userId: 'u_ada' }),
      ];
      const bystander = await startOn(other);
      await store().updateWidget(widget.clientKey, { disabled: true, updatedAt: T0 + HOUR });
      for (const { tokenId } of sessions) expect(await revokedAt(tokenId)).toBe(T0 + HOUR);
      await store().updateWidget(widget.clientKey, { disabled: false, updatedAt: T0 + 2 * HOUR });
      for (const { tokenId } of sessions) expect(await revokedAt(tokenId)).toBe(T0 + HOUR);
      expect(await revokedAt(bystander.tokenId)).toBeNull();
      // Other changes to an enabled widget leave its sessions alone.
      const later = await startOn(widget);
      await store().updateWidget(widget.clientKey, {
        origins: ['https://a.example'],
        updatedAt: T0 + 3 * HOUR,
      });
      expect(await revokedAt(later.tokenId)).toBeNull();
    });
  });
}
