/**
 * Crash consistency of the real server process on its SQLite file: load (guest → exchange →
 * refresh chains) runs against `node --import tsx server/main.ts`, which is killed with SIGKILL
 * at a random moment, several times. After every kill the file must pass `PRAGMA
 * integrity_check`, no refresh family may hold two live tokens, and every refresh token a client
 * received in a 200 must still be honoured after the restart (from the session's origin). This
 * is what `synchronous = NORMAL` in WAL mode promises for a process crash: every transaction
 * that committed is in the WAL, in the OS page cache, before the answer leaves (see
 * openDatabase.ts for the OS-crash side of the choice).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createWidget } from '../../admin/index.js';
import { systemClock } from '../../clock.js';
import { startServerProcess, killAll, type ServerProcess } from '../../test-support/serverProcess.js';
import { openSqliteStore } from './openSqliteStore.js';

const ORIGIN = 'http://localhost:3000';
const CYCLES = 6;
const CHAINS = 8;
/** Long enough that a retry after a restart is still a grace-window retry, never reuse. */
const GRACE_SECONDS = 60;

/** A small seeded PRNG (mulberry32): the kill moments are reproducible from the printed seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function startServer(databaseFile: string): Promise<ServerProcess> {
  return startServerProcess({
    DATABASE_URL: `file:${databaseFile}`,
    KATAVEN_RATE_LIMITS: 'off',
    KATAVEN_REFRESH_REUSE_GRACE: String(GRACE_SECONDS),
  });
}

async function post(
  baseUrl: string,
  path: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    json: res.status === 200 ? (JSON.parse(text) as Record<string, unknown>) : { error: text },
  };
}

/** One visitor's session as the client sees it: the refresh token from its last 200, if any. */
interface Chain {
  refreshToken: string | undefined;
  honouredAfterCrash: number;
}

/** Runs one chain until the server stops answering: start a session, then keep refreshing it. */
async function drive(
  baseUrl: string,
  clientKey: string,
  chain: Chain,
  stats: { ok: number },
): Promise<void> {
  for (;;) {
    try {
      if (chain.refreshToken === undefined) {
        const guest = await post(baseUrl, '/api/v1/widget/auth/guest', { client_key: clientKey });
        if (guest.status !== 200) throw new Error(`guest ${guest.status}`);
        const exchange = await post(baseUrl, '/api/v1/widget/auth/exchange', {
          token: guest.json.token,
        });
        if (exchange.status !== 200)
          throw new Error(`exchange ${exchange.status} ${JSON.stringify(exchange.json)}`);
        chain.refreshToken = String(exchange.json.refresh_token);
      } else {
        const refresh = await post(baseUrl, '/api/v1/widget/auth/refresh', {
          refresh_token: chain.refreshToken,
        });
        if (refresh.status !== 200)
          throw new Error(`refresh ${refresh.status} ${JSON.stringify(refresh.json)}`);
        chain.refreshToken = String(refresh.json.refresh_token);
      }
      stats.ok += 1;
    } catch (error) {
      // The server was killed under this request: its answer is lost, the client keeps its last token.
      if (error instanceof TypeError) return;
      throw error;
    }
  }
}

interface FileChecks {
  integrity: unknown;
  foreignKeyViolations: unknown;
  familiesWithTwoLiveTokens: unknown[];
  danglingSuccessors: number;
  refreshTokens: number;
}

/** Opens the crashed file as the next process will (replaying the WAL) and checks it. */
function checkFile(databaseFile: string): FileChecks {
  const db = new Database(databaseFile, { fileMustExist: true });
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      foreignKeyViolations: db.pragma('foreign_key_check'),
      familiesWithTwoLiveTokens: db
        .prepare(
          'SELECT session_id, COUNT(*) AS live FROM refresh_tokens WHERE spent_at IS NULL GROUP BY session_id HAVING COUNT(*) > 1',
        )
        .all(),
      danglingSuccessors: Number(
        db
          .prepare(
            'SELECT COUNT(*) FROM refresh_tokens t WHERE t.successor_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM refresh_tokens s WHERE s.id = t.successor_id)',
          )
          .pluck()
          .get(),
      ),
      refreshTokens: Number(db.prepare('SELECT COUNT(*) FROM refresh_tokens').pluck().get()),
    };
  } finally {
    db.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'kataven-crash-'));
const children: ServerProcess[] = [];

afterAll(async () => {
  await killAll(children);
  rmSync(dir, { recursive: true, force: true });
});

describe('crash consistency (SIGKILL under load)', () => {
  it(`keeps the file intact, families unforked and every 200 honoured across ${CYCLES} kills`, async () => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    console.log(`crash consistency: seed ${seed}`);
    const next = random(seed);
    const databaseFile = join(dir, 'kataven.sqlite');
    const store = await openSqliteStore({ url: `file:${databaseFile}` });
    const { client_key: clientKey } = await createWidget(
      { store, clock: systemClock },
      { name: 'Crash', origins: [], mode: 'test', guestEnabled: true },
    );
    await store.close();

    const chains: Chain[] = Array.from({ length: CHAINS }, () => ({
      refreshToken: undefined,
      honouredAfterCrash: 0,
    }));
    const stats = { ok: 0 };
    for (let cycle = 1; cycle <= CYCLES; cycle += 1) {
      const server = await startServer(databaseFile);
      children.push(server);

      // Every refresh token a client got in a 200 before the last kill still refreshes, from its origin.
      for (const chain of chains) {
        if (chain.refreshToken === undefined) continue;
        const res = await post(server.baseUrl, '/api/v1/widget/auth/refresh', {
          refresh_token: chain.refreshToken,
        });
        expect(
          res.status,
          `cycle ${cycle}: a refresh token answered 200 before the crash: ${JSON.stringify(res.json)}`,
        ).toBe(200);
        chain.refreshToken = String(res.json.refresh_token);
        chain.honouredAfterCrash += 1;
      }

      const before = stats.ok;
      const load = Promise.all(
        chains.map((chain) => drive(server.baseUrl, clientKey, chain, stats)),
      );
      // Kill at a random moment once load is flowing (bounded: the load loop would run forever).
      // On a busy machine a fresh process can take longer than the shortest delay to answer once.
      await vi.waitFor(
        () => {
          expect(stats.ok).toBeGreaterThan(before);
        },
        { timeout: 30_000, interval: 5 },
      );
      const killAfterMs = 150 + Math.floor(next() * 450);
      await new Promise((resolve) => setTimeout(resolve, killAfterMs));
      server.child.kill('SIGKILL');
      await server.exited;
      await load;
      console.log(
        `crash consistency: cycle ${cycle}: killed ${killAfterMs} ms after its first answer, ${stats.ok - before} successful requests`,
      );
      expect(stats.ok - before).toBeGreaterThan(0);

      const checks = checkFile(databaseFile);
      expect(checks.integrity, `cycle ${cycle}`).toBe('ok');
      expect(checks.foreignKeyViolations, `cycle ${cycle}`).toEqual([]);
      expect(checks.familiesWithTwoLiveTokens, `cycle ${cycle}`).toEqual([]);
      expect(checks.danglingSuccessors, `cycle ${cycle}`).toBe(0);
    }

    // The last crash too: a final restart honours every chain's last 200.
    const server = await startServer(databaseFile);
    children.push(server);
    for (const chain of chains) {
      if (chain.refreshToken === undefined) continue;
      const res = await post(server.baseUrl, '/api/v1/widget/auth/refresh', {
        refresh_token: chain.refreshToken,
      });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      chain.honouredAfterCrash += 1;
    }
    server.child.kill('SIGTERM');
    await server.exited;
    expect(checkFile(databaseFile).integrity).toBe('ok');
    const honoured = chains.reduce((n, chain) => n + chain.honouredAfterCrash, 0);
    expect(chains.every((chain) => chain.honouredAfterCrash >= CYCLES - 1)).toBe(true);
    console.log(
      `crash consistency: ${CYCLES} kills, ${stats.ok} successful requests under load, ${honoured} post-crash refreshes honoured`,
    );
  }, 240_000);
});
