/**
 * What the request line costs in instructions, which unlike req/s or CPU time do not move with the
 * machine's neighbours: the built service (`dist/`, as `npm start` runs it, its stdout drained by
 * this process) under valgrind's callgrind at `info` and at `warn`, `POST guest` sent by
 * autocannon at 10 connections. Instructions are counted only over the measured requests, after
 * a warm-up; the difference per request between the levels is the line. JIT compilation and
 * garbage collection are shown apart: they fall in or out of a short window by timing.
 *
 *   npm run build && npx tsx scripts/bench/micro/requestLineInstructions.ts [requests]
 *
 * Needs valgrind (Debian's package). About two minutes per level at the default 4,000 requests.
 * The overload gate is off: under valgrind every request would look late.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, startChildServer } from '../childServer.js';
import { npmStartArgs } from '../npmStartArgs.js';
import { BENCH_ORIGIN, seedBenchWidget } from '../seedBenchWidget.js';
import { shippedEnv } from '../shippedEnv.js';
import { guestRequest } from '../targets.js';

const REQUESTS = Number(process.argv[2] ?? 4000);
const ROOT = join(import.meta.dirname, '..', '..', '..');

const CATEGORIES: [string, RegExp][] = [
  ['JIT compilation', /compiler::|Compil|maglev/i],
  ['garbage collection', /Marking|Sweep|Scaveng|Evacuat|heap::|Heap::|MarkCompact|RememberedSet|SlotSet|MemoryChunk|Concurrent|BodyDescriptor|SizeFromMap/],
];

/** Instructions per function in a callgrind dump, from `callgrind_annotate`. */
function functionsOf(dump: string): Map<string, number> {
  const text = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', dump], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const functions = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^\s*([\d,]+) \([^)]*\)\s+(.+)$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined || match[2].includes('PROGRAM TOTALS')) continue;
    functions.set(match[2], (functions.get(match[2]) ?? 0) + Number(match[1].replaceAll(',', '')));
  }
  return functions;
}

async function send(url: string, clientKey: string, amount: number): Promise<void> {
  const { path, ...request } = guestRequest(clientKey);
  const result = await autocannon({ url: `${url}${path}`, ...request, connections: 10, amount });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} answers other than 2xx (${JSON.stringify(result.statusCodeStats)}), ${result.errors} errors`);
}

async function measure(level: 'info' | 'warn', work: string): Promise<Map<string, number>> {
  const databaseUrl = `file:${join(work, `${level}.sqlite`)}`;
  const { clientKey } = await seedBenchWidget(databaseUrl);
  const port = await freePort();
  const out = join(work, `${level}.callgrind`);
  const server = await startChildServer({
    name: `kataven under callgrind (${level})`,
    commandPrefix: ['valgrind', '--tool=callgrind', '--smc-check=all-non-file', '--instr-atstart=no', `--callgrind-out-file=${out}`],
    args: [...npmStartArgs(ROOT).filter((arg) => !arg.endsWith('start.mjs')), 'dist/server/main.js'],
    cwd: ROOT,
    env: shippedEnv({ PORT: String(port), DATABASE_URL: databaseUrl, LOG_LEVEL: level, KATAVEN_RATE_LIMITS: 'off', KATAVEN_DEMO: 'off', KATAVEN_OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0' }),
    port,
    readyPath: '/readyz',
    timeoutMs: 300_000,
    pollEveryMs: 500,
  });
  const url = server.baseUrl;
  await send(url, clientKey, REQUESTS);
  const control = (...args: string[]) => execFileSync('callgrind_control', [...args, String(server.pid)], { stdio: 'ignore' });
  control('-i', 'on');
  await send(url, clientKey, REQUESTS);
  control('-i', 'off');
  control('-d');
  process.kill(server.pid, 'SIGKILL');
  const dump = readdirSync(work).find((name) => name.startsWith(`${level}.callgrind.`));
  if (dump === undefined) throw new Error(`${level}: callgrind wrote no dump`);
  return functionsOf(join(work, dump));
}

const work = mkdtempSync(join(tmpdir(), 'kataven-line-'));
try {
  const levels = { info: await measure('info', work), warn: await measure('warn', work) };
  const perRequest = (functions: Map<string, number>, keep: (name: string) => boolean) =>
    [...functions].filter(([name]) => keep(name)).reduce((sum, [, n]) => sum + n, 0) / REQUESTS;
  const categoryOf = (name: string) => CATEGORIES.find(([, pattern]) => pattern.test(name))?.[0];
  const rows: [string, (name: string) => boolean][] = [
    ['everything else', (name) => categoryOf(name) === undefined],
    ...CATEGORIES.map(([label]): [string, (name: string) => boolean] => [label, (name) => categoryOf(name) === label]),
  ];
  process.stdout.write(`instructions per POST guest, ${REQUESTS} requests after as many to warm up (origin ${BENCH_ORIGIN})\n`);
  for (const [label, keep] of rows) {
    const info = perRequest(levels.info, keep);
    const warn = perRequest(levels.warn, keep);
    process.stdout.write(`${label.padEnd(20)} info ${Math.round(info).toLocaleString('en-US').padStart(9)}  warn ${Math.round(warn).toLocaleString('en-US').padStart(9)}  the line ${Math.round(info - warn).toLocaleString('en-US').padStart(8)}\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
