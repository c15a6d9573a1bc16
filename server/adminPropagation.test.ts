/**
 * Admin changes made by the CLI (another process) reach running servers on the same SQLite file
 * within 1 s, and a signing-key rotation reaches their JWKS within 5 s; sessions ended by the
 * kill switch or a user's revocation stop refreshing on every server. The same on PostgreSQL is
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

async function post(baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

/** A guest session started on `baseUrl`; its refresh token. */
async function guestRefreshToken(baseUrl: string, clientKey: string): Promise<string> {
  const guest = await post(baseUrl, PATHS.guest, { client_key: clientKey });
  const exchanged = await post(baseUrl, PATHS.exchange, { token: guest.json.token });
  expect(exchanged.status).toBe(200);
  return String(exchanged.json.refresh_token);
}

/** A user session: its visitor token minted on `mintOn`, exchanged on `exchangeOn`. */
async function userRefreshToken(mintOn: string, exchangeOn: string, widget: { clientKey: string; secretKey: string }, userId: string) {
  const minted = await post(mintOn, PATHS.userToken, { client_key: widget.clientKey, user_id: userId }, { authorization: `Bearer ${widget.secretKey}` });
  const exchanged = await post(exchangeOn, PATHS.exchange, { token: minted.json.token });
  expect(exchanged.status).toBe(200);
  return String(exchanged.json.refresh_token);
}

const refreshStatus = async (baseUrl: string, refreshToken: string) => (await post(baseUrl, PATHS.refresh, { refresh_token: refreshToken })).status;

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

  const newWidget = async (name: string) => {
    const store = await openStore({ url: databaseUrl });
    const created = await createWidget({ store, clock: systemClock }, { name, origins: [], mode: 'test', guestEnabled: true }).finally(() => store.close());
    return { clientKey: created.client_key, secretKey: created.secret_key ?? '' };
  };

  it('the kill switch: `widget disable` ends every session of the widget on both servers at once, and `enable` revives none', async () => {
    const { clientKey } = await newWidget('Killed');
    const [a, b] = servers.map((server) => server.baseUrl) as [string, string];
    const sessions = [await guestRefreshToken(a, clientKey), await guestRefreshToken(b, clientKey)];

    await admin(databaseUrl, 'widget', 'disable', clientKey);
    const disabled = performance.now();
    // Ended in the disabling transaction itself: no server can refresh them even before it hears.
    for (const token of sessions) for (const server of [a, b]) expect(await refreshStatus(server, token)).toBe(400);
    const delays = await delaysUntil(
      servers,
      disabled,
      async (baseUrl) => (await post(baseUrl, PATHS.guest, { client_key: clientKey })).status === 404,
      5000,
    );
    console.log(`kill switch (SQLite, CLI + two processes): guest refused after ${delays.join(' / ')} ms; sessions refused at once`);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000);

    await admin(databaseUrl, 'widget', 'enable', clientKey);
    await delaysUntil(servers, performance.now(), async (baseUrl) => (await post(baseUrl, PATHS.guest, { client_key: clientKey })).status === 200, 5000);
    for (const token of sessions) for (const server of [a, b]) expect(await refreshStatus(server, token)).toBe(400);
    expect(await refreshStatus(a, await guestRefreshToken(a, clientKey))).toBe(200);
  }, 60_000);

  it("a user's sessions revoked on one server (or by the CLI) stop refreshing on the other at once, and their earlier visitor token no longer exchanges", async () => {
    const widget = await newWidget('Revoking');
    const [a, b] = servers.map((server) => server.baseUrl) as [string, string];
    const session = await userRefreshToken(a, b, widget, 'u_ada');
    const pending = await post(b, PATHS.userToken, { client_key: widget.clientKey, user_id: 'u_ada' }, { authorization: `Bearer ${widget.secretKey}` });

    const revoked = await post(a, '/api/v1/widget/auth/revoke', { client_key: widget.clientKey, user_id: 'u_ada' }, { authorization: `Bearer ${widget.secretKey}` });
    expect([revoked.status, revoked.json]).toEqual([200, { revoked_sessions: 1 }]);
    const answered = performance.now();
    expect(await refreshStatus(b, session)).toBe(400);
    expect((await post(b, PATHS.exchange, { token: pending.json.token })).status).toBe(400);
    console.log(`user revocation (SQLite, two processes): the other server refused the first refresh after the answer (${Math.round(performance.now() - answered)} ms for that request)`);

    const later = await userRefreshToken(b, a, widget, 'u_ada');
    const { stdout } = await admin(databaseUrl, 'session', 'revoke', '--client-key', widget.clientKey, '--user-id', 'u_ada');
    expect(JSON.parse(stdout)).toEqual({ revoked_sessions: 1 });
    for (const server of [a, b]) expect(await refreshStatus(server, later)).toBe(400);
  }, 60_000);

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
