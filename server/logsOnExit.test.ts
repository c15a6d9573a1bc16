import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLogFile, type LoggedLine } from './test-support/fileLogger.js';

const dir = mkdtempSync(join(tmpdir(), 'kataven-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `server/main.ts` at the shipped log level, its stdout a file, as a log shipper tailing a file sees it. */
async function startWithLogFile(name: string) {
  const logFile = join(dir, `${name}.log`);
  const out = openSync(logFile, 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './server/test-support/crashOnSignal.ts', 'server/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', KATAVEN_DEMO: 'off', LOG_LEVEL: 'info', DATABASE_URL: `file:${join(dir, `${name}.sqlite`)}` },
    stdio: ['ignore', out, 'pipe'],
  });
  closeSync(out);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = () => readLogFile(logFile);
  let baseUrl: string | undefined;
  for (let attempt = 0; attempt < 600 && baseUrl === undefined; attempt++) {
    const listening = lines().find((line) => line.event === 'listening');
    if (listening !== undefined) baseUrl = (listening.url as string).replace('localhost', '127.0.0.1');
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (baseUrl === undefined) throw new Error(`server did not start: ${stderr}`);
  return { child, baseUrl, exited, lines, stderr: () => stderr };
}

/** Many requests at once, so lines are still being written when the last answer arrives. */
async function burst(baseUrl: string, count: number): Promise<string[]> {
  const responses = await Promise.all(Array.from({ length: count }, () => fetch(`${baseUrl}/healthz`)));
  for (const res of responses) expect(res.status).toBe(200);
  return responses.map((res) => res.headers.get('x-request-id') ?? '');
}

const requestIdsLogged = (lines: LoggedLine[]) =>
  lines.filter((line) => line.msg === 'request completed').map((line) => line.requestId);

describe('log lines reach stdout', () => {
  it('on SIGTERM: every request answered before the signal has its line, then the stopping and stopped lines', { timeout: 60_000 }, async () => {
    const server = await startWithLogFile('sigterm');
    const ids = await burst(server.baseUrl, 300);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const lines = server.lines();
    expect(requestIdsLogged(lines)).toEqual(expect.arrayContaining(ids));
    expect(lines.at(-2)).toMatchObject({ event: 'stopping', signal: 'SIGTERM' });
    expect(lines.at(-1)).toMatchObject({ event: 'stopped', signal: 'SIGTERM' });
  });

  it('on an uncaught error: every request answered before it has its line, then the error itself', { timeout: 60_000 }, async () => {
    const server = await startWithLogFile('crash');
    const ids = await burst(server.baseUrl, 300);
    server.child.kill('SIGUSR2');
    expect(await server.exited).not.toBe(0);
    const lines = server.lines();
    expect(requestIdsLogged(lines)).toEqual(expect.arrayContaining(ids));
    expect(lines.at(-1)).toMatchObject({ level: 60, event: 'uncaught_exception', err: { message: 'crash drill' } });
    expect(server.stderr()).toContain('crash drill');
  });

  it('while running: a single request at low traffic has its line in the file within a fraction of a second, not when a batch fills', { timeout: 60_000 }, async () => {
    const server = await startWithLogFile('quiet');
    try {
      const [id] = await burst(server.baseUrl, 1);
      let logged: unknown[] = [];
      for (let attempt = 0; attempt < 20 && logged.length === 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        logged = requestIdsLogged(server.lines()).filter((loggedId) => loggedId === id);
      }
      expect(logged).toEqual([id]);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
