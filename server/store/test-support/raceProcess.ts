/**
 * One contender of the multi-process race test. Opens the store at argv[2], prints `ready`, waits
 * for a line on stdin so every contender starts together, then tries to consume every visitor jti
 * and rotate every refresh token of the plan (argv[3], JSON). Prints how many of each it won.
 */
import { createInterface } from 'node:readline';
import { openSqliteStore } from '../sqlite/openSqliteStore.js';
import { aRefreshToken, aSession, aBox, T0, HOUR } from './storeFixtures.js';
import type { WidgetRecord } from '../records.js';

export interface RacePlan {
  widget: WidgetRecord;
  jtis: string[];
  tokenIds: string[];
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
const store = await openSqliteStore({ url });
const go = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
await new Promise((resolve) => go.once('line', resolve));
go.close();

const wins: RaceWins = { consumed: 0, rotated: 0 };
for (const [i, jti] of plan.jtis.entries()) {
  const result = await store.consumeVisitorToken({
    jti,
    tokenExpiresAt: T0 + HOUR,
    spentAt: T0,
    session: aSession(plan.widget),
    refreshToken: aRefreshToken(),
  });
  if (result.started) wins.consumed++;
  const tokenId = plan.tokenIds[i];
  if (tokenId !== undefined) {
    const rotated = await store.rotateRefreshToken({
      tokenId,
      now: T0 + HOUR,
      successor: aRefreshToken({ createdAt: T0 + HOUR }),
      successorBox: aBox(),
    });
    if (rotated) wins.rotated++;
  }
}
await store.close();
process.stdout.write(JSON.stringify(wins));
