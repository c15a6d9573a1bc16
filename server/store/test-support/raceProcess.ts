/**
 * One contender of the multi-process race tests. Opens the store at argv[2] (any URL `openStore`
 * takes), then, when told to start, tries to consume every visitor jti and rotate every refresh
 * token of the plan (argv[3], JSON), `attempts` times each at once. Prints how many of each it won.
 */
import { openStore } from '../openStore.js';
import type { WidgetRecord } from '../records.js';
import { readyAndWait } from './contender.js';
import { aRefreshToken, aSession, aBox, T0, HOUR } from './storeFixtures.js';

export interface RacePlan {
  widget: WidgetRecord;
  jtis: string[];
  tokenIds: string[];
  /** Concurrent tries per jti and per token from this process (1 if absent). */
  attempts?: number;
}

export interface RaceWins {
  consumed: number;
  rotated: number;
}

const [url, planJson] = process.argv.slice(2);
if (url === undefined || planJson === undefined) {
  throw new Error('usage: raceProcess <url> <planJson>');
}
const plan = JSON.parse(planJson) as RacePlan;
const tries = Array.from({ length: plan.attempts ?? 1 });
const store = await openStore({ url });
await readyAndWait();

const wins: RaceWins = { consumed: 0, rotated: 0 };
for (const [i, jti] of plan.jtis.entries()) {
  const consumed = await Promise.all(
    tries.map(() =>
      store.consumeVisitorToken({
        jti,
        tokenExpiresAt: T0 + HOUR,
        spentAt: T0,
        session: aSession(plan.widget),
        refreshToken: aRefreshToken(),
      }),
    ),
  );
  wins.consumed += consumed.filter((result) => result.started).length;
  const tokenId = plan.tokenIds[i];
  if (tokenId !== undefined) {
    const rotated = await Promise.all(
      tries.map(() =>
        store.rotateRefreshToken({
          tokenId,
          now: T0 + HOUR,
          successor: aRefreshToken({ createdAt: T0 + HOUR }),
          successorBox: aBox(),
        }),
      ),
    );
    wins.rotated += rotated.filter(Boolean).length;
  }
}
await store.close();
process.stdout.write(JSON.stringify(wins));
