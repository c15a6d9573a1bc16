/**
 * The real server as its own process (`server/main.ts` under tsx), for tests that kill it, run
 * several instances at once or need what only a separate process shows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Resolves when the process has exited, however it ended. */
  exited: Promise<void>;
  /** Everything the process wrote to stderr so far. */
  stderr: () => string;
  /** Every line the process wrote to stdout so far (its JSON log). */
  stdoutLines: () => readonly string[];
}

/**
 * Starts `server/main.ts` on a free loopback port with `env` over a quiet test baseline, and
 * resolves once `/readyz` answers 200 (the store is open and migrated).
 */
export async function startServerProcess(
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      KATAVEN_DEMO: 'off',
      KATAVEN_ISSUER: 'http://kataven.test',
      LOG_LEVEL: 'info',
      // Tests stop servers often and run on a loaded machine: no load-balancer wait, no shedding.
      KATAVEN_SHUTDOWN_DELAY: '0',
      KATAVEN_OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const stdoutLines: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), timeoutMs);
    const lines = createInterface({ input: child.stdout ?? process.stdin });
    lines.on('line', (line) => {
      stdoutLines.push(line);
      if (!line.includes('"listening"')) return;
      clearTimeout(timer);
      resolve(Number(new URL((JSON.parse(line) as { url: string }).url).port));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${String(code)}) before listening: ${stderr}`));
    });
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await fetch(`${baseUrl}/readyz`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`server never became ready: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, baseUrl, exited, stderr: () => stderr, stdoutLines: () => stdoutLines };
}

/** SIGKILLs every process still running; for `afterAll`. */
export async function killAll(processes: readonly ServerProcess[]): Promise<void> {
  await Promise.all(
    processes.map((p) => {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      return p.exited;
    }),
  );
}

/**
 * A temp directory and a list of started processes for one test file: `afterAll` kills what is
 * still running and removes the directory. `file(name)` is a path inside it.
 */
export function useServerProcesses(prefix: string): { processes: ServerProcess[]; file: (name: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), `kataven-${prefix}-`));
  const processes: ServerProcess[] = [];
  afterAll(async () => {
    await killAll(processes);
    rmSync(dir, { recursive: true, force: true });
  });
  return { processes, file: (name) => join(dir, name) };
}
