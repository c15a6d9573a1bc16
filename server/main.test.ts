import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWidget } from './admin/index.js';
import { systemClock } from './clock.js';
import { openStore } from './store/openStore.js';

const dir = mkdtempSync(join(tmpdir(), 'kataven-main-'));

interface Running {
  child: ChildProcess;
  output: () => string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function spawnMain(env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    // No load-balancer wait on SIGTERM: these tests stop the server several times.
    env: { ...process.env, KATAVEN_DEMO: 'off', KATAVEN_SHUTDOWN_DELAY: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => stdout + stderr, stdout: () => stdout, stderr: () => stderr, exited };
}

async function until(check: () => Promise<boolean>, what: string, running: Running): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  running.child.kill('SIGKILL');
  throw new Error(`${what} did not happen:\n${running.output()}`);
}

/** Starts `server/main.ts` as `npm start` would (from source, so no build is needed) and waits until it is ready. */
async function start(port: number, env: Record<string, string> = {}): Promise<Running> {
  const running = spawnMain({ PORT: String(port), DATABASE_URL: `file:${join(dir, 'kataven.sqlite')}`, KATAVEN_DEMO: 'on', ...env });
  await until(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok), 'readiness', running);
  return running;
}

// Below Linux's ephemeral range (32768 on), where the outgoing connections of suites running
// beside this one take their ports.
const freePort = () => 20_000 + Math.floor(Math.random() * 12_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm start (server/main.ts)', () => {
  const port = freePort();

  it('on a fresh database prints the demo widget and a curl line that works, and drains on SIGTERM', async () => {
    const server = await start(port);
    const banner = server.output();
    expect(banner).toContain('Demo widget created');
    const clientKey = /client key: (pk_test_\w+)/.exec(banner)?.[1];
    expect(/secret key: (sk_test_kt_\w+)/.exec(banner)?.[1]).toBeDefined();
    expect(banner).toContain(`curl -s http://localhost:${port}/api/v1/widget/auth/guest -H 'Origin: http://localhost:3000'`);

    // The printed curl line, sent as curl would send it.
    const response = await fetch(`http://localhost:${port}/api/v1/widget/auth/guest`, {
      method: 'POST',
      headers: { origin: 'http://localhost:3000', 'content-type': 'application/json' },
      body: JSON.stringify({ client_key: clientKey }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { token_type: string }).token_type).toBe('Bearer');
    expect(await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.text())).toBe('ok');

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('on restart keeps the database and creates no second demo widget', async () => {
    const server = await start(port);
    expect(server.output()).not.toContain('Demo widget created');
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
  });

  it('with REDIS_URL unreachable still answers, says on /readyz that limits are per instance, logs it once, and stops cleanly', async () => {
    const server = await start(port, {
      DATABASE_URL: `file:${join(dir, 'redis.sqlite')}`,
      // Nothing listens on port 1: every connection attempt is refused.
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    const clientKey = /client key: (pk_test_\w+)/.exec(server.output())?.[1];
    const guest = () =>
      fetch(`http://localhost:${port}/api/v1/widget/auth/guest`, {
        method: 'POST',
        headers: { origin: 'http://localhost:3000', 'content-type': 'application/json' },
        body: JSON.stringify({ client_key: clientKey }),
      });
    for (let i = 0; i < 3; i++) expect((await guest()).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('ok (rate limits per instance: Redis unreachable)');
    // Several reconnection attempts fail meanwhile; the outage is still one line.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(server.output().match(/"event":"rate_limits_per_instance"/g)).toHaveLength(1);
    expect(server.output()).toContain('"rateLimits":"redis"');

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('refuses a REDIS_URL that is not a redis:// URL without printing it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, PORT: String(port), REDIS_URL: 'https://user:hunter2@cache.example', DATABASE_URL: `file:${join(dir, 'x.sqlite')}` },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('REDIS_URL: must be a redis:// or rediss:// URL');
    expect(stderr).not.toContain('hunter2');
  });

  it('answers /healthz as soon as it listens; while the database cannot be opened, 503 with Retry-After elsewhere', { timeout: 30_000 }, async () => {
    // A database whose lock another process holds: switching it to WAL has to wait.
    const file = join(dir, 'locked.sqlite');
    const holder = new Database(file);
    holder.pragma('journal_mode = DELETE');
    holder.exec('CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1)');
    const port = freePort();
    const base = `http://127.0.0.1:${port}`;
    const server = spawnMain({ PORT: String(port), DATABASE_URL: `file:${file}`, KATAVEN_STARTUP_TIMEOUT: '20' });
    try {
      await until(() => fetch(`${base}/healthz`).then((r) => r.ok), '/healthz 200', server);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.text()).toBe('Database unavailable');
      const config = await fetch(`${base}/api/v1/widget/config?client_key=pk_test_x`);
      expect(config.status).toBe(503);
      expect(config.headers.get('retry-after')).toBe('1');
      expect(config.headers.get('cache-control')).toBe('no-store');
      expect(await config.text()).toBe('Database unavailable');

      // Once the lock is gone the store opens and migrates, and the service is ready.
      holder.exec('ROLLBACK');
      await until(() => fetch(`${base}/readyz`).then((r) => r.ok), 'readiness after the lock was released', server);
      expect((await fetch(`${base}/.well-known/jwks.json`)).status).toBe(200);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    } finally {
      holder.close();
      server.child.kill('SIGKILL');
    }
  });

  it('gives up after KATAVEN_STARTUP_TIMEOUT with one line naming the setting, exit code 1', { timeout: 30_000 }, async () => {
    const file = join(dir, 'held.sqlite');
    const holder = new Database(file);
    holder.pragma('journal_mode = DELETE');
    holder.exec('CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1)');
    const port = freePort();
    const server = spawnMain({ PORT: String(port), DATABASE_URL: `file:${file}`, KATAVEN_STARTUP_TIMEOUT: '2' });
    try {
      await until(() => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok), '/healthz 200', server);
      expect(await server.exited).toBe(1);
      expect(server.stderr()).toBe('DATABASE_URL: the database did not open within 2 s (KATAVEN_STARTUP_TIMEOUT)\n');
      expect(server.stdout()).toBe('');
    } finally {
      holder.close();
      server.child.kill('SIGKILL');
    }
  });
});

describe('npm start: a start that cannot go on says why in one line and exits 1', () => {
  const aFile = join(dir, 'a-file');
  const notADatabase = join(dir, 'not-a-database.sqlite');
  writeFileSync(aFile, '');
  writeFileSync(notADatabase, 'hello, not SQLite\n'.repeat(512));
  let busy: Server;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));
  const busyPort = () => String((busy.address() as AddressInfo).port);

  interface Failure {
    case: string;
    env: () => Record<string, string>;
    line: () => string;
  }
  it.each<Failure>([
    {
      case: 'a file where the database directory should be',
      env: () => ({ DATABASE_URL: `file:${join(aFile, 'data', 'kataven.sqlite')}` }),
      line: () => `DATABASE_URL: cannot create directory ${aFile}: a file is in the way`,
    },
    {
      case: 'a directory the file system refuses to create (it used to hang)',
      env: () => ({ DATABASE_URL: 'file:/proc/kataven-test/y.sqlite' }),
      line: () => 'DATABASE_URL: cannot create directory /proc/kataven-test: the file system does not allow it (ENOENT)',
    },
    {
      case: 'a file that is not a SQLite database',
      env: () => ({ DATABASE_URL: `file:${notADatabase}` }),
      line: () => `DATABASE_URL: SQLite cannot use ${notADatabase}: file is not a database`,
    },
    {
      case: 'a URL scheme the service does not know',
      env: () => ({ DATABASE_URL: 'mysql://admin:hunter2@db.example/kataven' }),
      line: () => 'DATABASE_URL: Unsupported SQLite url "mysql://admin:…@db.example/kataven": use file:<path> or :memory:',
    },
    {
      case: 'an invalid setting',
      env: () => ({ KATAVEN_REFRESH_REUSE_GRACE: '600' }),
      line: () => 'KATAVEN_REFRESH_REUSE_GRACE: must be at most 60 seconds',
    },
    {
      case: 'a key encryption key that is not 32 bytes of base64, without printing it',
      env: () => ({ KATAVEN_KEY_ENCRYPTION_KEY: 'hunter2hunter2' }),
      line: () => 'KATAVEN_KEY_ENCRYPTION_KEY: must be 32 random bytes in base64 (openssl rand -base64 32)',
    },
    {
      case: 'a port already in use',
      env: () => ({ PORT: busyPort(), HOST: '127.0.0.1' }),
      line: () => `PORT: cannot listen on 127.0.0.1 port ${busyPort()}: already in use`,
    },
  ])('$case', { timeout: 30_000 }, async ({ env, line }) => {
    const server = spawnMain({ PORT: String(freePort()), DATABASE_URL: `file:${join(dir, 'unused.sqlite')}`, ...env() });
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toBe(`${line()}\n`);
    expect(server.stdout()).toBe('');
  });
});

describe('npm start: signing keys at rest', () => {
  const databaseUrl = `file:${join(dir, 'keys.sqlite')}`;
  const kek = randomBytes(32).toString('base64');

  it('warns in one line when live widgets are served with signing keys in the clear; with KATAVEN_KEY_ENCRYPTION_KEY it asks for a rewrap until it is done', { timeout: 60_000 }, async () => {
    const store = await openStore({ url: databaseUrl });
    await createWidget({ store, clock: systemClock }, { name: 'Live', origins: ['https://shop.example.com'], mode: 'live', guestEnabled: true }).finally(() => store.close());
    const warnings = async (env: Record<string, string>) => {
      const server = await start(freePort(), { DATABASE_URL: databaseUrl, KATAVEN_DEMO: 'off', ...env });
      server.child.kill('SIGTERM');
      await server.exited;
      return server.stdout().split('\n').filter((line) => line.includes('"level":40')).map((line) => (JSON.parse(line) as { event: string }).event);
    };
    expect(await warnings({})).toEqual(['signing_keys_unencrypted']);
    expect(await warnings({ KATAVEN_KEY_ENCRYPTION_KEY: kek })).toEqual(['signing_keys_not_rewrapped']);
    const rewrap = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', 'signing-key', 'rewrap'], {
      env: { ...process.env, DATABASE_URL: databaseUrl, KATAVEN_KEY_ENCRYPTION_KEY: kek },
      encoding: 'utf8',
    });
    expect(JSON.parse(rewrap.stdout)).toMatchObject({ rewrapped: 1 });
    expect(await warnings({ KATAVEN_KEY_ENCRYPTION_KEY: kek })).toEqual([]);
  });

  it('refuses to start, in one line, when the signing keys are sealed under another operator key', { timeout: 30_000 }, async () => {
    const server = spawnMain({ PORT: String(freePort()), DATABASE_URL: databaseUrl, KATAVEN_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toMatch(/^KATAVEN_KEY_ENCRYPTION_KEY: signing key \S+ is encrypted under key \S+; set KATAVEN_KEY_ENCRYPTION_KEY \(or _PREVIOUS\) to it\n$/);
  });
});
