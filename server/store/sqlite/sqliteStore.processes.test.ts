/**
 * The atomic steps hold across connections, not just within one: separate processes (an admin
 * CLI next to the server, or several servers on one file) race on the same jtis and tokens.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RacePlan, RaceWins } from '../test-support/raceProcess.js';
import { inspectSqliteFile, useTempSqliteFiles } from '../test-support/sqliteFiles.js';
import {
  aRefreshToken,
  aSession,
  aWidget,
  anAccount,
  HOUR,
  T0,
} from '../test-support/storeFixtures.js';
import { openSqliteStore } from './openSqliteStore.js';

const freshFile = useTempSqliteFiles();
const contenderScript = fileURLToPath(new URL('../test-support/raceProcess.ts', import.meta.url));

interface Contender {
  child: ChildProcessWithoutNullStreams;
  wins: Promise<RaceWins>;
}

/** Resolves once the contender has opened the store and waits for its start line. */
function spawnContender(url: string, plan: RacePlan): Promise<Contender> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      '--import',
      'tsx',
      contenderScript,
      url,
      JSON.stringify(plan),
    ]);
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith('ready\n')) resolve({ child, wins });
    });
    const wins = new Promise<RaceWins>((done, fail) => {
      child.on('close', (code) => {
        if (code === 0) done(JSON.parse(out.slice('ready\n'.length)) as RaceWins);
        else fail(new Error(`contender exited with ${String(code)}: ${err}`));
      });
    });
    child.on('error', reject);
    wins.catch(reject);
  });
}

describe('SQLite store shared by processes', () => {
  it('4 processes racing on one file: each jti starts one session, each token rotates once', async () => {
    const file = freshFile();
    const url = `file:${file}`;
    const store = await openSqliteStore({ url });
    const account = anAccount();
    await store.createAccount(account);
    const widget = aWidget(account.id);
    await store.createWidget(widget);
    const tokenIds: string[] = [];
    for (let i = 0; i < 200; i++) {
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
    await store.close();
    const plan: RacePlan = { widget, jtis: tokenIds.map(() => randomUUID()), tokenIds };

    const contenders = await Promise.all([1, 2, 3, 4].map(() => spawnContender(url, plan)));
    for (const { child } of contenders) child.stdin.end('go\n');
    const wins = await Promise.all(contenders.map((c) => c.wins));

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
