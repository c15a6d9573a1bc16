import { OPENING_MS } from './load.js';
import { purgeP99Ratio, type PurgeUnderLoad } from './purgeUnderLoad.js';
import type { TargetId } from './targets.js';
import type { TargetSummary } from './summarize.js';

export interface ProcessFacts {
  /** From spawn to the first 200 of /healthz. */
  startupMs: number;
  /** Resident set size of the server after the last window; undefined where /proc is missing. */
  rssBytesAfterRun: number | undefined;
  /** `--grown`: each store's purge of expired rows under load. */
  purges?: readonly PurgeUnderLoad[];
}

export interface BudgetResult {
  budget: string;
  limit: string;
  measured: string;
  /** Undefined when the run did not measure it (a target left out, no /proc). */
  met: boolean | undefined;
}

/** Reported by every run, never asserted; all measured on the service as `npm start` runs it. */
export const EXPRESS_RATIO_BUDGETS: readonly { target: TargetId; min: number }[] = [
  { target: 'config-200', min: 0.85 },
  { target: 'config-304', min: 0.85 },
  { target: 'guest', min: 0.7 },
  { target: 'user-token', min: 0.65 },
  { target: 'refresh', min: 0.45 },
  { target: 'exchange', min: 0.4 },
];
export const PEER_RATIO_BUDGETS: readonly { target: TargetId; min: number }[] = [
  { target: 'user-token', min: 1.5 },
  { target: 'refresh', min: 1.2 },
];
/** An endpoint on a database grown to a million rows per table against the same on an empty one. */
export const GROWN_MIN_RATIO = 0.8;
/** p99 of requests while the purge runs against p99 without it. */
export const PURGE_P99_MAX_RATIO = 2;
/** Each endpoint at the shipped log level (a line per request) against the same with `LOG_LEVEL=warn`. */
export const REQUEST_LOG_MIN_RATIO = 0.9;
/** The same endpoint on PostgreSQL against the embedded store, when `--store postgres` measured it. */
export const POSTGRES_RATIO_BUDGETS: readonly { target: TargetId; min: number }[] = [
  { target: 'exchange@postgres', min: 0.6 },
  { target: 'refresh@postgres', min: 0.6 },
];
/** The service with its metrics on against the same endpoint with them off (`--metrics`). */
export const METRICS_RATIO_BUDGETS: readonly { target: TargetId; min: number }[] = [{ target: 'guest@metrics', min: 0.95 }];
/** Overload: at 4,000 connections the requests served stay fast and nearly as many. */
export const OVERLOAD_BUDGETS: readonly {
  target: TargetId;
  sameAt50: TargetId;
  /** The same answer from Express and ts-rest alone at both connection counts: what the stack keeps on this machine. */
  floor: { at4000: TargetId; at50: TargetId };
  minRatio: number;
  maxOkP99Ms: number;
}[] = [{ target: 'guest-4000', sameAt50: 'guest', floor: { at4000: 'stack-floor-signed-4000', at50: 'stack-floor-signed' }, minRatio: 0.9, maxOkP99Ms: 500 }];
/** p99 as a multiple of bare Express's p99 in the same run: the two cores also run the load generator. */
export const P99_TO_EXPRESS_BUDGETS: readonly { target: TargetId; max: number }[] = [
  { target: 'config-200', max: 1.5 },
  { target: 'config-304', max: 1.5 },
  { target: 'guest', max: 1.5 },
  { target: 'user-token', max: 1.5 },
  { target: 'exchange', max: 2.5 },
  { target: 'refresh', max: 2.5 },
];
export const RSS_BUDGET_BYTES = 150 * 1024 * 1024;
/** From spawning `scripts/start.mjs` (what `npm start` runs) on an existing database to the first `/healthz` 200. */
export const STARTUP_BUDGET_MS = 2000;

const percent = (ratio: number | undefined) => (ratio === undefined ? 'n/a' : `${(ratio * 100).toFixed(1)} %`);
const times = (ratio: number | undefined) => (ratio === undefined ? 'n/a' : `${ratio.toFixed(2)}×`);

/** A twin's rate against the instance it is compared with (`ratioToBaseline`), at least `min`. */
function vsBaseline(budget: string, summary: TargetSummary, min: number): BudgetResult {
  const ratio = summary.ratioToBaseline;
  return { budget, limit: `≥ ${times(min)}`, measured: times(ratio), met: ratio === undefined ? undefined : ratio >= min };
}

/** Beside a verdict: the most this route's answer reaches on Express and ts-rest alone, when that was measured. */
function besideFloor(
  byId: ReadonlyMap<TargetId, TargetSummary>,
  summary: TargetSummary | undefined,
  ratioOf: (floor: TargetSummary) => number | undefined,
  format: (ratio: number) => string,
): string {
  const floor = summary?.stackFloor === undefined ? undefined : byId.get(summary.stackFloor);
  const ratio = floor === undefined ? undefined : ratioOf(floor);
  return floor === undefined || ratio === undefined ? '' : ` (${floor.label}: ${format(ratio)})`;
}

/**
 * Beside a bare-Express verdict: the same ratio against bare Express served as the service is,
 * which on Node 20 and 22 no longer pays Express's per-request prototype change.
 */
function besidePresetExpress(byId: ReadonlyMap<TargetId, TargetSummary>, ratio: number | undefined): string {
  const preset = byId.get('express-preset')?.ratioToExpress;
  return ratio === undefined || preset === undefined || preset === 0 ? '' : ` (vs bare Express served as the service is: ${percent(ratio / preset)})`;
}

export function evaluateBudgets(summaries: readonly TargetSummary[], facts: ProcessFacts): BudgetResult[] {
  const byId = new Map(summaries.map((s) => [s.id, s]));
  const results: BudgetResult[] = [];
  for (const { target, min } of EXPRESS_RATIO_BUDGETS) {
    const summary = byId.get(target);
    const ratio = summary?.ratioToExpress;
    results.push({
      budget: `${summary?.label ?? target} vs bare Express`,
      limit: `≥ ${percent(min)}`,
      measured: `${percent(ratio)}${besideFloor(byId, summary, (floor) => floor.ratioToExpress, percent)}${besidePresetExpress(byId, ratio)}`,
      met: ratio === undefined ? undefined : ratio >= min,
    });
  }
  for (const { target, min } of PEER_RATIO_BUDGETS) {
    const summary = byId.get(target);
    const ratio = summary?.ratioToPeer;
    const peer = summary?.peer === undefined ? undefined : byId.get(summary.peer);
    results.push({
      budget: `${summary?.label ?? target} vs ${peer?.label ?? 'its peer'}`,
      limit: `≥ ${times(min)}`,
      measured: `${times(ratio)}${besideFloor(byId, summary, (floor) => (floor.peer === summary?.peer ? floor.ratioToPeer : undefined), times)}`,
      met: ratio === undefined ? undefined : ratio >= min,
    });
  }
  for (const { target, min } of POSTGRES_RATIO_BUDGETS) {
    const summary = byId.get(target);
    if (summary !== undefined) results.push(vsBaseline(`${summary.label} vs the same on SQLite`, summary, min));
  }
  for (const { target, min } of METRICS_RATIO_BUDGETS) {
    const summary = byId.get(target);
    if (summary !== undefined) results.push(vsBaseline(`${summary.label} vs metrics off`, summary, min));
  }
  for (const { target, sameAt50, floor, minRatio, maxOkP99Ms } of OVERLOAD_BUDGETS) {
    const summary = byId.get(target);
    const at50 = byId.get(sameAt50);
    if (summary === undefined) continue;
    const ratio = at50 === undefined || at50.rps === 0 ? undefined : summary.rps / at50.rps;
    const ratioAfterOpening = at50 === undefined || at50.rps === 0 || summary.rpsAfterOpening === undefined ? undefined : summary.rpsAfterOpening / at50.rps;
    const rateAfterOpening = ratioAfterOpening === undefined ? '' : ` (after the first ${OPENING_MS / 1000} s: ${times(ratioAfterOpening)})`;
    const floorAt4000 = byId.get(floor.at4000);
    const floorAt50 = byId.get(floor.at50);
    const floorRatio = floorAt4000 === undefined || floorAt50 === undefined || floorAt50.rps === 0 ? undefined : floorAt4000.rps / floorAt50.rps;
    const besideStack = floorRatio === undefined ? '' : ` (${floorAt4000?.label ?? floor.at4000}, nothing shed, vs 50 connections: ${times(floorRatio)})`;
    results.push({
      budget: `${summary.label}: served req/s vs 50 connections`,
      limit: `≥ ${times(minRatio)}`,
      measured: `${times(ratio)}${rateAfterOpening}${besideStack}`,
      met: ratio === undefined ? undefined : ratio >= minRatio,
    });
    const { okP99, okP99AfterOpening } = summary;
    // Shown beside the verdict, not instead of it: the opening burst is part of what clients meet.
    const afterOpening = okP99AfterOpening === undefined ? '' : ` (sent after the first ${OPENING_MS / 1000} s: ${okP99AfterOpening} ms)`;
    results.push({
      budget: `${summary.label}: p99 of the requests served`,
      limit: `≤ ${maxOkP99Ms} ms`,
      measured: okP99 === undefined ? 'n/a' : `${okP99} ms${afterOpening}`,
      met: okP99 === undefined ? undefined : okP99 <= maxOkP99Ms,
    });
  }
  for (const s of summaries) {
    if (s.baseline === undefined || !s.id.endsWith('@warn')) continue;
    const ratio = s.ratioToBaseline === undefined || s.ratioToBaseline === 0 ? undefined : 1 / s.ratioToBaseline;
    results.push({
      budget: `${byId.get(s.baseline)?.label ?? s.baseline} with its request line vs without (LOG_LEVEL=warn)`,
      limit: `≥ ${percent(REQUEST_LOG_MIN_RATIO)}`,
      measured: percent(ratio),
      met: ratio === undefined ? undefined : ratio >= REQUEST_LOG_MIN_RATIO,
    });
  }
  for (const s of summaries) {
    if (s.baseline === undefined || !s.id.endsWith('grown')) continue;
    results.push(vsBaseline(`${s.label} vs ${byId.get(s.baseline)?.label ?? s.baseline}`, s, GROWN_MIN_RATIO));
  }
  for (const purge of facts.purges ?? []) {
    const ratio = purgeP99Ratio(purge);
    results.push({
      budget: `${purge.label}: p99 while the purge of ${purge.rows.toLocaleString('en-US')} expired rows runs vs without`,
      limit: `≤ ${times(PURGE_P99_MAX_RATIO)}`,
      measured: ratio === undefined ? `n/a${purge.purgeSeconds === undefined ? ' (purge did not finish)' : ''}` : times(ratio),
      met: ratio === undefined ? undefined : ratio <= PURGE_P99_MAX_RATIO,
    });
  }
  const expressP99 = byId.get('express')?.p99;
  for (const { target, max } of P99_TO_EXPRESS_BUDGETS) {
    const p99 = byId.get(target)?.p99;
    const known = p99 !== undefined && !Number.isNaN(p99) && expressP99 !== undefined && expressP99 > 0;
    results.push({
      budget: `${byId.get(target)?.label ?? target} p99 vs bare Express's p99`,
      limit: `≤ ${times(max)}`,
      measured: known ? `${times(p99 / expressP99)} (${p99} / ${expressP99} ms)` : 'n/a',
      met: known ? p99 / expressP99 <= max : undefined,
    });
  }
  results.push({
    budget: 'server RSS after the run',
    limit: `≤ ${RSS_BUDGET_BYTES / 1024 / 1024} MB`,
    measured: facts.rssBytesAfterRun === undefined ? 'n/a' : `${(facts.rssBytesAfterRun / 1024 / 1024).toFixed(1)} MB`,
    met: facts.rssBytesAfterRun === undefined ? undefined : facts.rssBytesAfterRun <= RSS_BUDGET_BYTES,
  });
  results.push({
    budget: 'process start to first /healthz 200',
    limit: `≤ ${STARTUP_BUDGET_MS} ms`,
    measured: `${Math.round(facts.startupMs)} ms`,
    met: facts.startupMs <= STARTUP_BUDGET_MS,
  });
  return results;
}
