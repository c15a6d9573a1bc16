/** The set-up shared by the multi-process race tests, whatever store they race on. */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store.js';
import type { RacePlan } from './raceProcess.js';
import { aRefreshToken, aSession, aWidget, anAccount, HOUR, T0 } from './storeFixtures.js';

/**
 * Creates one widget and `sessions` live sessions, each holding one refresh token, and returns a
 * plan for that many fresh visitor jtis and those tokens, each to be tried `attempts` times.
 */
export async function seedRacePlan(store: Store, sessions: number, attempts = 1): Promise<RacePlan> {
  const account = anAccount();
  await store.createAccount(account);
  const widget = aWidget(account.id);
  await store.createWidget(widget);
  const tokenIds: string[] = [];
  for (let i = 0; i < sessions; i++) {
    const token = aRefreshToken();
    await store.consumeVisitorToken({
      jti: randomUUID(),
      tokenExpiresAt: T0 + HOUR,
      spentAt: T0,
      session: aSession(widget),
      refreshToken: token,
    });
    tokenIds.push(token.id);
  }
  return { widget, jtis: tokenIds.map(() => randomUUID()), tokenIds, attempts };
}
