import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'kataven-main-'));

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `server/main.ts` as `npm start` would (from source, so no build is needed) and waits for /healthz. */
async function start(port: number, env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: String(port), DATABASE_URL: `file:${join(dir, 'kataven.sqlite')}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (let attempt = 0; attempt < 200; attempt++) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) return { child, output: () => output, exited };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start:\n${output}`);
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm start (server/main.ts)', () => {
  const port = 20_000 + Math.floor(Math.random() * 20_000);

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
    expect(stderr).toContain('REDIS_URL must be a redis:// or rediss:// URL');
    expect(stderr).not.toContain('hunter2');
  });

  it('refuses to start on an invalid setting and names it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, PORT: String(port), KATAVEN_REFRESH_REUSE_GRACE: '600', DATABASE_URL: `file:${join(dir, 'x.sqlite')}` },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('KATAVEN_REFRESH_REUSE_GRACE must be at most 60 seconds');
  });
});
