/**
 * Where the service's CPU goes, thread by thread, while `POST guest` is driven at a number of
 * connections: the built service as `npm start` runs it (rate limits and demo off, its stdout
 * drained by a separate process), autocannon in this process, each of the service's threads read
 * from `/proc/<pid>/task/<tid>/stat` once a second, this process and the machine (`/proc/stat`)
 * beside it. Shares are of one core, averaged over the window after its first second (the
 * connection burst). Node 20 names every thread `node`, so threads are listed by id counted from
 * the main thread's, which is their order of creation: V8's platform threads (garbage collection,
 * compilation) come first, libuv's pool (signing, file writes) after them. autocannon reconnects
 * every `maxRequestsPerSocket` requests, as the bench's targets do.
 *
 *   npm run build && npx tsx scripts/bench/micro/overloadThreads.ts [connections…] [--seconds S]
 *
 * Defaults: 50 and 4,000 connections, 10 s each, on one instance, 50 first.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort, processCpuMicros, startChildServer } from '../childServer.js';
import { npmStartArgs } from '../npmStartArgs.js';
import { seedBenchWidget } from '../seedBenchWidget.js';
import { shippedEnv } from '../shippedEnv.js';
import { guestRequest, RECONNECT } from '../targets.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const { values, positionals } = parseArgs({ options: { seconds: { type: 'string', default: '10' } }, allowPositionals: true });
const SECONDS = Number(values.seconds);
const CONNECTIONS = positionals.length > 0 ? positionals.map(Number) : [50, 4000];

/** CPU microseconds per thread id of `pid`, with each thread's name. */
function threadCpu(pid: number): Map<number, { name: string; micros: number }> {
  const threads = new Map<number, { name: string; micros: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`).map(Number)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const micros = processCpuMicros(stat);
      if (micros !== undefined) threads.set(tid, { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), micros });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return threads;
}

/** Busy and total jiffies of the whole machine (proc(5), the `cpu` line; idle and iowait are not busy). */
function machineJiffies(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, n) => sum + n, 0);
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

const percent = (micros: number, ms: number) => `${((micros / 1000 / ms) * 100).toFixed(0)} %`;

async function measure(pid: number, url: string, clientKey: string, connections: number): Promise<void> {
  const { path, ...request } = guestRequest(clientKey);
  const run = autocannon({ url: `${url}${path}`, ...request, ...RECONNECT, connections, duration: SECONDS });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const startedAt = performance.now();
  const threadsBefore = threadCpu(pid);
  const selfBefore = process.cpuUsage();
  const machineBefore = machineJiffies();
  await new Promise((resolve) => setTimeout(resolve, (SECONDS - 2) * 1000));
  const ms = performance.now() - startedAt;
  const threadsAfter = threadCpu(pid);
  const self = process.cpuUsage(selfBefore);
  const machineAfter = machineJiffies();
  const result = await run;

  const rows = [...threadsAfter].map(([tid, { name, micros }]) => ({ tid, name, micros: micros - (threadsBefore.get(tid)?.micros ?? 0) }));
  const all = rows.reduce((sum, row) => sum + row.micros, 0);
  const statuses = JSON.stringify(result.statusCodeStats);
  process.stdout.write(`\n${connections} connections: ${Math.round(result.requests.average)} answers/s ${statuses}, ${result.errors} errors\n`);
  process.stdout.write(`  service ${percent(all, ms)} of a core; this process (autocannon) ${percent(self.user + self.system, ms)}; machine busy ${(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100).toFixed(0)} % of its cores\n`);
  for (const row of rows.sort((a, b) => a.tid - b.tid)) {
    const label = row.tid === pid ? 'main thread' : `thread +${row.tid - pid} (${row.name})`;
    process.stdout.write(`  ${label.padEnd(28)} ${percent(row.micros, ms).padStart(6)}\n`);
  }
}

const work = mkdtempSync(join(tmpdir(), 'kataven-threads-'));
try {
  const databaseUrl = `file:${join(work, 'threads.sqlite')}`;
  const { clientKey } = await seedBenchWidget(databaseUrl);
  const port = await freePort();
  const server = await startChildServer({
    name: 'kataven',
    args: npmStartArgs(ROOT),
    cwd: ROOT,
    env: shippedEnv({ PORT: String(port), DATABASE_URL: databaseUrl, KATAVEN_RATE_LIMITS: 'off', KATAVEN_DEMO: 'off' }),
    port,
    readyPath: '/readyz',
    drainStdout: true,
  });
  try {
    for (const connections of CONNECTIONS) await measure(server.pid, server.baseUrl, clientKey, connections);
  } finally {
    await server.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
