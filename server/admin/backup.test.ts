import { execFile } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import { openStore } from '../store/openStore.js';
import { runLoad } from '../test-support/loadLoops.js';
import { PATHS } from '../test-support/paths.js';
import { startServerProcess, useServerProcesses } from '../test-support/serverProcess.js';
import { ORIGIN } from '../test-support/origins.js';
import { createWidget } from './widgets.js';

const run = promisify(execFile);
const { processes, file } = useServerProcesses('backup');

/** The admin CLI as an operator runs it (`npm run --silent admin -- …`). */
const admin = (databaseUrl: string, ...argv: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...argv], { env: { ...process.env, DATABASE_URL: databaseUrl } }).then(
    (out) => ({ code: 0, stdout: out.stdout, stderr: out.stderr }),
    (error: unknown) => {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    },
  );

async function post(baseUrl: string, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(baseUrl + path, { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: res.status === 200 ? (JSON.parse(text) as Record<string, unknown>) : { error: text } };
}

/** A new session: guest, then exchange; its refresh token. */
async function startSession(baseUrl: string, clientKey: string): Promise<string> {
  const guest = await post(baseUrl, PATHS.guest, { client_key: clientKey });
  const exchanged = await post(baseUrl, PATHS.exchange, { token: guest.json.token });
  expect(exchanged.status, JSON.stringify(exchanged.json)).toBe(200);
  return String(exchanged.json.refresh_token);
}

describe('admin backup', () => {
  it('copies the database while the server runs under load; restored, every session live at backup time still refreshes', async () => {
    const databaseUrl = `file:${file('live.sqlite')}`;
    const store = await openStore({ url: databaseUrl });
    const { client_key: clientKey } = await createWidget(
      { store, clock: systemClock },
      { name: 'Backup', origins: [ORIGIN], mode: 'live', guestEnabled: true },
    );
    await store.close();
    const server = await startServerProcess({ DATABASE_URL: databaseUrl, KATAVEN_RATE_LIMITS: 'off' });
    processes.push(server);

    // Reads and writes keep coming while the backup runs: guests, and sessions started one after another.
    const reads = runLoad(server.baseUrl, 4, () => ({
      method: 'POST',
      path: PATHS.guest,
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: JSON.stringify({ client_key: clientKey }),
    }));
    const sessions: { refreshToken: string; startedBy: number }[] = [];
    let writing = true;
    const writer = (async () => {
      while (writing) sessions.push({ refreshToken: await startSession(server.baseUrl, clientKey), startedBy: Date.now() });
    })();
    while (sessions.length < 20) await new Promise((resolve) => setTimeout(resolve, 20));

    const backupFile = file('backup.sqlite');
    const backupStartedAt = Date.now();
    const backup = await admin(databaseUrl, 'backup', '--to', backupFile);
    expect(backup.code, backup.stderr).toBe(0);
    expect(JSON.parse(backup.stdout)).toMatchObject({ file: backupFile, check: 'ok' });
    const liveAtBackup = sessions.filter((s) => s.startedBy < backupStartedAt);

    // After the backup, the live server moves on: each of those sessions rotates once.
    for (const session of liveAtBackup) expect((await post(server.baseUrl, PATHS.refresh, { refresh_token: session.refreshToken })).status).toBe(200);
    writing = false;
    await writer;
    await reads.stop();
    server.child.kill('SIGTERM');
    await server.exited;

    // Restore as docs/operations.md says: the backup file becomes the database (no -wal/-shm beside it).
    const restoredFile = file('restored.sqlite');
    copyFileSync(backupFile, restoredFile);
    const restored = await startServerProcess({ DATABASE_URL: `file:${restoredFile}`, KATAVEN_RATE_LIMITS: 'off', KATAVEN_REFRESH_REUSE_GRACE: '0' });
    processes.push(restored);
    const statuses = await Promise.all(
      liveAtBackup.map(async (s) => (await post(restored.baseUrl, PATHS.refresh, { refresh_token: s.refreshToken })).status),
    );
    expect(statuses).toEqual(liveAtBackup.map(() => 200));
    console.log(`backup under load: ${sessions.length} sessions started during the run, ${liveAtBackup.length} live at backup time, all refreshed after restore`);
    restored.child.kill('SIGTERM');
    await restored.exited;
  }, 120_000);

  it('refuses PostgreSQL in one line naming the right tools, and never overwrites a file', async () => {
    const postgres = await admin('postgres://postgres@127.0.0.1:1/none', 'backup', '--to', file('pg.sqlite'));
    expect(postgres.code).toBe(1);
    expect(postgres.stderr.trim().split('\n')).toHaveLength(1);
    expect(postgres.stderr).toContain('pg_dump');

    const databaseUrl = `file:${file('small.sqlite')}`;
    await (await openStore({ url: databaseUrl })).close();
    const target = file('small-backup.sqlite');
    expect((await admin(databaseUrl, 'backup', '--to', target)).code).toBe(0);
    const again = await admin(databaseUrl, 'backup', '--to', target);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
  }, 60_000);
});
