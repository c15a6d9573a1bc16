/**
 * The atomic steps hold across connections, not just within one: separate processes (an admin
 * CLI next to the server, or several servers on one file) race on the same jtis and tokens.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnContender } from '../test-support/contender.js';
import type { RaceWins } from '../test-support/raceProcess.js';
import { seedRacePlan } from '../test-support/seedRacePlan.js';
import { inspectSqliteFile, useTempSqliteFiles } from '../test-support/sqliteFiles.js';
import { openSqliteStore } from './openSqliteStore.js';

const freshFile = useTempSqliteFiles();
const contenderScript = fileURLToPath(new URL('../test-support/raceProcess.ts', import.meta.url));

describe('SQLite store shared by processes', () => {
  it('4 processes racing on one file: each jti starts one session, each token rotates once', async () => {
    const file = freshFile();
    const url = `file:${file}`;
    const store = await openSqliteStore({ url });
    const plan = await seedRacePlan(store, 200);
    await store.close();

    const contenders = await Promise.all(
      [1, 2, 3, 4].map(() => spawnContender<RaceWins>(contenderScript, [url, JSON.stringify(plan)])),
    );
    for (const contender of contenders) contender.start();
    const wins = await Promise.all(contenders.map((c) => c.result));

    expect(wins.reduce((sum, w) => sum + w.consumed, 0)).toBe(200);
    expect(wins.reduce((sum, w) => sum + w.rotated, 0)).toBe(200);
    const counts = inspectSqliteFile(file, (db) =>
      db
        .prepare(
          `SELECT (SELECT count(*) FROM sessions) AS sessions,
                  (SELECT count(*) FROM refresh_tokens) AS tokens,
                  (SELECT count(*) FROM refresh_tokens WHERE spent_at IS NOT NULL) AS spent`,
        )
        .get(),
    );
    expect(counts).toEqual({ sessions: 400, tokens: 600, spent: 200 });
    // Four child processes each start tsx and open the file: minutes on a loaded two-core machine.
  }, 120_000);
});
