import { expect } from 'vitest';
import type { NewRefreshToken } from '../records.js';
import type { Store } from '../store.js';
import { aBox, aRefreshToken, DAY, HOUR, T0 } from './storeFixtures.js';

/**
 * After an upgrade: `issuedBefore`, a token the release before wrote for `sessionId`, is still
 * found by its hash and rotates; its successor is found by the id it carries, never by its hash.
 */
export async function expectHashOnlyTokenRotates(
  store: Store,
  issuedBefore: NewRefreshToken,
  sessionId: string,
): Promise<void> {
  expect((await store.findRefreshToken({ hash: issuedBefore.hash }))?.token.id).toBe(issuedBefore.id);
  const successor = aRefreshToken({ createdAt: T0 + HOUR, expiresAt: T0 + DAY });
  expect(
    await store.rotateRefreshToken({ tokenId: issuedBefore.id, now: T0 + HOUR, successor, successorBox: aBox() }),
  ).toBe(true);
  expect((await store.findRefreshToken({ hash: issuedBefore.hash }))?.successor?.id).toBe(successor.id);
  expect((await store.findRefreshToken({ id: successor.id }))?.session.id).toBe(sessionId);
  expect(await store.findRefreshToken({ hash: successor.hash })).toBeUndefined();
}
