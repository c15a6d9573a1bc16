/**
 * What a `PerformanceObserver` on `gc` entries (prom-client's `nodejs_gc_duration_seconds`) adds
 * to a process that allocates: CPU per event-loop turn of an allocating loop, without and with the
 * observer, each in its own child process, alternating.
 *
 *   npx tsx scripts/bench/micro/gcObserverCost.ts [pairs]
 */
import { spawnSync } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const OBJECTS_PER_TURN = 2000;
const SECONDS = 4;

/** Allocates for `SECONDS`, one batch per turn, and prints the CPU per turn in microseconds. */
function measureHere(observe: boolean): void {
  // As prom-client does: every entry is read, its duration recorded.
  let gcMs = 0;
  if (observe) {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gcMs += entry.duration;
    }).observe({ entryTypes: ['gc'] });
  }
  let turns = 0;
  const startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  const turn = () => {
    const batch: { index: number; text: string; pair: number[] }[] = [];
    for (let i = 0; i < OBJECTS_PER_TURN; i++) batch.push({ index: i, text: `x${i}`, pair: [i, i] });
    turns++;
    if (performance.now() - startedAt < SECONDS * 1000) {
      setImmediate(turn);
      return;
    }
    const cpu = process.cpuUsage(cpuBefore);
    process.stdout.write(`${((cpu.user + cpu.system) / turns).toFixed(1)} ${gcMs.toFixed(0)}\n`);
  };
  turn();
}

function measureInChild(observe: boolean): number {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [...process.execArgv, self, observe ? '--child-observe' : '--child'], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`measurement failed: ${child.stderr}`);
  return Number(child.stdout.trim().split(' ')[0]);
}

const mode = process.argv[2];
if (mode === '--child' || mode === '--child-observe') {
  measureHere(mode === '--child-observe');
} else {
  const pairs = Number(mode ?? 3);
  process.stdout.write(`Node ${process.version}, ${OBJECTS_PER_TURN} objects per turn for ${SECONDS} s; CPU µs per turn\n`);
  for (let pair = 1; pair <= pairs; pair++) {
    const without = measureInChild(false);
    const withObserver = measureInChild(true);
    process.stdout.write(`pair ${pair}: without ${without.toFixed(1)}, with ${withObserver.toFixed(1)} (${(((withObserver - without) / without) * 100).toFixed(0)} %)\n`);
  }
}
