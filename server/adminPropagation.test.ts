/**
 * Admin changes made by the CLI (another process) reach running servers on the same SQLite file
 * within 1 s, and a signing-key rotation reaches their JWKS within 5 s. The same on PostgreSQL is
 * in multiInstance.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWidget } from './admin/index.js';
import { systemClock } from './clock.js';
import { openStore } from './store/openStore.js';
import { PATHS } from './test-support/paths.js';
import { killAll, startServerProcess, type ServerProcess } from './test-support/serverProcess.js';

const ORIGIN = 'http://localhost:3000';

const admin = (databaseUrl: string, ...args: string[]) =>
  promisify(execFile)('npm', ['run', '--silent', 'admin', '--', ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });

/** Polls `check` on every server until it holds everywhere; the delay of each from `since`. */
async function delaysUntil(
  servers: readonly ServerProcess[],
  since: number,
  check: (baseUrl: string) => Promise<boolean>,
  limitMs: number,
) {
  return Promise.all(
    servers.map(async (server) => {
      while (!(await check(server.baseUrl))) {
        if (performance.now() - since > limitMs)
          throw new Error(`${server.baseUrl} did not see the change within ${limitMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return Math.round(performance.now() - since);
    }),
  );
}

describe('admin changes reach every server process on one SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kataven-propagation-'));
  const databaseUrl = `file:${join(dir, 'kataven.sqlite')}`;
  let servers: ServerProcess[] = [];

  beforeAll(async () => {
    await openStore({ url: databaseUrl }).then((store) => store.close());
    servers = await Promise.all([
      startServerProcess({ DATABASE_URL: databaseUrl }),
      startServerProcess({ DATABASE_URL: databaseUrl }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await killAll(servers);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a widget disabled through the CLI is refused by both servers within 1 s', async () => {
    const store = await openStore({ url: databaseUrl });
    const { client_key: clientKey } = await createWidget(
      { store, clock: systemClock },
      { name: 'Doomed', origins: [], mode: 'test', guestEnabled: true },
    ).finally(() => store.close());
    const config = (baseUrl: string) =>
      fetch(`${baseUrl}${PATHS.config}?client_key=${clientKey}`, {
        headers: { origin: ORIGIN },
      }).then((res) => res.status);
    expect(await Promise.all(servers.map((s) => config(s.baseUrl)))).toEqual([200, 200]);

    await admin(databaseUrl, 'widget', 'disable', clientKey);
    const delays = await delaysUntil(
      servers,
      performance.now(),
      async (baseUrl) => (await config(baseUrl)) === 404,
      5000,
    );
    console.log(
      `admin propagation (SQLite, two processes): widget disable seen after ${delays.join(' / ')} ms`,
    );
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000);
  }, 30_000);

  it('a signing key rotated through the CLI is in both servers’ JWKS within 5 s', async () => {
    const { stdout } = await admin(databaseUrl, 'signing-key', 'rotate');
    const { kid } = JSON.parse(stdout) as { kid: string };
    const publishes = async (baseUrl: string) => {
      const jwks = (await (await fetch(`${baseUrl}${PATHS.jwks}`)).json()) as {
        keys: { kid: string }[];
      };
      return jwks.keys.some((key) => key.kid === kid);
    };
    const delays = await delaysUntil(servers, performance.now(), publishes, 10_000);
    console.log(
      `admin propagation (SQLite, two processes): rotated key in the JWKS after ${delays.join(' / ')} ms`,
    );
    expect(Math.max(...delays)).toBeLessThanOrEqual(5000);
  }, 30_000);
});
