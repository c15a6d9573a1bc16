import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { startLogDrain } from './logDrain.js';

export interface ChildServer {
  name: string;
  pid: number;
  baseUrl: string;
  /** From spawn to the first 200 of `/healthz`, milliseconds. */
  startupMs: number;
  /** Resident set size now and at its peak (Linux `/proc`; undefined elsewhere). */
  memory(): { rssBytes: number; peakRssBytes: number } | undefined;
  /**
   * CPU the whole process (every thread: event loop, libuv pool, workers) has used so far, in
   * microseconds (Linux `/proc`; undefined elsewhere).
   */
  cpuMicros(): number | undefined;
  stop(): Promise<void>;
}

/** A port the OS just handed out; the child binds it a moment later. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => {
        resolve(port);
      });
    });
  });
}

function healthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(url, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('error', () => {
      resolve(false);
    });
  });
}

function procStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** USER_HZ: the unit of utime/stime in `/proc/<pid>/stat` on every Linux build Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a whole process (proc(5): fields 14 and 15, counted after the `(comm)` field). */
export function processCpuMicros(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Field 3 (state) is the first after `(comm)`, so utime (14) and stime (15) sit at 11 and 12 here.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1_000_000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Starts `node <args>` and resolves once `GET /healthz` answers 200, polling every few
 * milliseconds so the measured start-up time is not rounded up by the poll interval.
 */
export async function startChildServer(options: {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  port: number;
  timeoutMs?: number;
  /** Also wait for this path to answer 200 (a server that listens before it is ready). */
  readyPath?: string;
  /** stdout into a separate draining process (logDrain.ts) instead of this one; stderr is still kept. */
  drainStdout?: boolean;
  /** A program that runs node in the same process (valgrind), with its own arguments. */
  commandPrefix?: readonly [string, ...string[]];
  /** Milliseconds between polls; a server slowed down by a profiler answers each poll late. */
  pollEveryMs?: number;
}): Promise<ChildServer> {
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const started = performance.now();
  const drain = options.drainStdout === true ? startLogDrain() : undefined;
  const [command, ...prefixArgs] = options.commandPrefix ?? [process.execPath];
  const args = options.commandPrefix === undefined ? options.args : [...prefixArgs, process.execPath, ...options.args];
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', drain?.input ?? 'pipe', 'pipe'] });
  // The server holds its own copy of the pipe; ours would keep the drain from ever seeing the end.
  drain?.input.destroy();
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code) => {
      exited = code;
      resolve();
    });
  });

  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = started + timeoutMs;
  // Polls `path` until it answers 200; `notReady` says what did not happen in time.
  async function awaitAnswer(path: string, notReady: string): Promise<void> {
    for (;;) {
      if (exited !== undefined) throw new Error(`${options.name} exited with ${String(exited)} before answering ${path}:\n${output}`);
      if (await healthy(`${baseUrl}${path}`)) return;
      if (performance.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${options.name} ${notReady} within ${timeoutMs} ms:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollEveryMs ?? 2));
    }
  }
  await awaitAnswer('/healthz', 'did not answer /healthz');
  const startupMs = performance.now() - started;
  if (options.readyPath !== undefined) await awaitAnswer(options.readyPath, `was not ready (${options.readyPath})`);
  const pid = child.pid ?? -1;

  return {
    name: options.name,
    pid,
    baseUrl,
    startupMs,
    memory() {
      const rssBytes = procStatusBytes(pid, 'VmRSS');
      const peakRssBytes = procStatusBytes(pid, 'VmHWM');
      return rssBytes === undefined || peakRssBytes === undefined ? undefined : { rssBytes, peakRssBytes };
    },
    cpuMicros() {
      try {
        return processCpuMicros(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return undefined;
      }
    },
    async stop() {
      if (exited !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
      await drain?.exited;
    },
  };
}

/**
 * Waits until `server` uses less than `busyShare` of one core over a `stepMs` interval (or
 * `maxMs` passed), and returns the milliseconds waited. After thousands of connections the
 * server still accepts and closes the ones the load generator left in its accept queue, and
 * that work must not land in the next target's window.
 */
export async function untilIdle(server: Pick<ChildServer, 'cpuMicros'>, { busyShare = 0.05, stepMs = 250, maxMs = 20_000 } = {}): Promise<number> {
  const started = performance.now();
  let before = server.cpuMicros();
  if (before === undefined) return 0;
  while (performance.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, stepMs));
    const now = server.cpuMicros();
    if (now === undefined || now - before < busyShare * stepMs * 1000) break;
    before = now;
  }
  return performance.now() - started;
}
