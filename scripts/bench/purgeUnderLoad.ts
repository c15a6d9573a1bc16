import { countSeededExpired, seedGrownRows, seededExpiry } from './grownDatabase.js';
import { runWindow } from './load.js';
import { median } from './summarize.js';
import type { Target } from './targets.js';

export interface PurgeUnderLoad {
  label: string;
  /** Expired rows seeded for the purge. */
  rows: number;
  /** From the first window that saw rows go to the one that saw none left; undefined if it never finished. */
  purgeSeconds: number | undefined;
  /** p99 of each window with no purge running, and of each window during which rows went. */
  p99Before: number[];
  p99During: number[];
}

const WINDOW_SECONDS = 2;
/** Windows measured before the rows are seeded; windows after, until the purge starts, add to them. */
const BASELINE_WINDOWS = 5;
/** The service purges once a minute: long enough for the next purge to start and finish. */
const PHASE_TIMEOUT_MS = 240_000;

/**
 * Seeds `rows` expired rows into a running instance's database and drives `target` (a request
 * that writes) in short windows until the service's own periodic purge has removed them all. Each
 * window is classed by whether seeded rows went during it, so the p99 with and without a purge
 * come from the same instance, load and minutes.
 */
export async function measurePurgeUnderLoad(options: {
  label: string;
  databaseUrl: string;
  clientKey: string;
  target: Target;
  connections: number;
  rows: number;
  log: (line: string) => void;
}): Promise<PurgeUnderLoad> {
  const result: PurgeUnderLoad = { label: options.label, rows: options.rows, purgeSeconds: undefined, p99Before: [], p99During: [] };
  let estimateRps = 1000;
  const measureWindow = async () => {
    const spec = await options.target.prepare({ seconds: WINDOW_SECONDS, estimateRps });
    const window = await runWindow(spec, options.connections, options.target.expectStatus);
    if (window.ok > 0) estimateRps = window.rps;
    return window;
  };
  for (let i = 0; i < BASELINE_WINDOWS; i++) result.p99Before.push((await measureWindow()).p99);

  const now = Date.now();
  await seedGrownRows(options.databaseUrl, options.clientKey, { live: 0, expired: options.rows }, now);
  const count = () => countSeededExpired(options.databaseUrl, seededExpiry(now));
  const seeded = await count();
  options.log(`${options.label}: ${seeded} expired rows seeded; driving ${options.target.label} until the service's purge has removed them`);
  const deadline = performance.now() + PHASE_TIMEOUT_MS;
  let remaining = seeded;
  let firstGoneAt: number | undefined;
  while (remaining > 0 && performance.now() < deadline) {
    const startedAt = performance.now();
    const window = await measureWindow();
    const after = await count();
    if (after < remaining) {
      firstGoneAt ??= startedAt;
      result.p99During.push(window.p99);
    } else if (firstGoneAt === undefined) {
      result.p99Before.push(window.p99);
    }
    remaining = after;
    options.log(`  ${remaining.toString().padStart(8)} left  p99 ${window.p99} ms  ${Math.round(window.rps)} req/s`);
  }
  if (remaining === 0 && firstGoneAt !== undefined) result.purgeSeconds = (performance.now() - firstGoneAt) / 1000;
  return result;
}

/** p99 during the purge over p99 without it, medians over the windows of each kind. */
export function purgeP99Ratio(purge: PurgeUnderLoad): number | undefined {
  if (purge.p99Before.length === 0 || purge.p99During.length === 0) return undefined;
  const before = median(purge.p99Before);
  return before > 0 ? median(purge.p99During) / before : undefined;
}
