import type { WindowResult } from './load.js';
import type { Side, Target, TargetId } from './targets.js';

export interface MeasuredWindow extends WindowResult {
  target: TargetId;
  round: number;
  /** A twin's window: its baseline's window, run at the same time on the baseline's instance. */
  pairedBaseline?: WindowResult;
}

export interface TargetSummary {
  id: TargetId;
  label: string;
  side: Side;
  expectStatus: number;
  rounds: number;
  /** Medians over the rounds. */
  rps: number;
  p50: number;
  p99: number;
  /** Totals over the rounds. */
  errors: number;
  unexpected: number;
  ok: number;
  /** Median over rounds of (this round's rps / this round's bare-Express rps). */
  ratioToExpress: number | undefined;
  peer: TargetId | undefined;
  /** The reference serving this endpoint's answer from Express and ts-rest alone. */
  stackFloor: TargetId | undefined;
  /** Median over rounds of (this round's rps / this round's peer rps). */
  ratioToPeer: number | undefined;
  baseline: TargetId | undefined;
  /**
   * Median over rounds of (this rps / the baseline's rps in the window run at the same time). A
   * twin's other figures are under that shared load, so it has no ratio to bare Express or a peer.
   */
  ratioToBaseline: number | undefined;
  /** Median over rounds of the server's CPU per response, all its threads, microseconds. */
  cpuMicrosPerRequest: number | undefined;
  /** A twin's: the same for its baseline in the windows they ran together. */
  pairedBaselineCpuMicrosPerRequest?: number;
  /** Connections, when the target sets its own instead of the run's. */
  connections?: number;
  /** Median over rounds of the p99 of the responses with the expected status only. */
  okP99?: number;
  /** The same over the requests sent after the windows' connections had opened (`OPENING_MS`). */
  okP99AfterOpening?: number;
  /** Median over rounds of the rate counted from `OPENING_MS` into each window on. */
  rpsAfterOpening?: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function medianOfDefined(values: readonly (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? undefined : median(known);
}

/**
 * Ratios are taken round by round (each round runs every target back to back) and then the
 * median: on a shared two-core machine the background load drifts between rounds, and a
 * same-round ratio cancels most of that drift.
 */
function ratioByRound(windows: readonly MeasuredWindow[], of: TargetId, to: TargetId): number | undefined {
  const ratios: number[] = [];
  for (const w of windows) {
    if (w.target !== of) continue;
    const base = windows.find((b) => b.target === to && b.round === w.round);
    if (base && base.rps > 0) ratios.push(w.rps / base.rps);
  }
  return ratios.length === 0 ? undefined : median(ratios);
}

/** Optional properties are left out rather than set to `undefined` (exactOptionalPropertyTypes). */
function pairedCpu(windows: readonly MeasuredWindow[]): Pick<TargetSummary, 'pairedBaselineCpuMicrosPerRequest'> {
  const cpu = medianOfDefined(windows.map((w) => w.pairedBaseline?.cpuMicrosPerRequest));
  return cpu === undefined ? {} : { pairedBaselineCpuMicrosPerRequest: cpu };
}

function ratioToPaired(windows: readonly MeasuredWindow[]): number | undefined {
  const ratios = windows.flatMap((w) => (w.pairedBaseline !== undefined && w.pairedBaseline.rps > 0 ? [w.rps / w.pairedBaseline.rps] : []));
  return ratios.length === 0 ? undefined : median(ratios);
}

export function summarize(targets: readonly Target[], windows: readonly MeasuredWindow[]): TargetSummary[] {
  return targets.map((target) => {
    const own = windows.filter((w) => w.target === target.id);
    return {
      id: target.id,
      label: target.label,
      side: target.side,
      expectStatus: target.expectStatus,
      rounds: own.length,
      rps: median(own.map((w) => w.rps)),
      p50: median(own.map((w) => w.p50)),
      p99: median(own.map((w) => w.p99)),
      errors: own.reduce((sum, w) => sum + w.errors, 0),
      unexpected: own.reduce((sum, w) => sum + w.unexpected, 0),
      ok: own.reduce((sum, w) => sum + w.ok, 0),
      ratioToExpress: target.id === 'express' ? 1 : target.baseline === undefined ? ratioByRound(windows, target.id, 'express') : undefined,
      peer: target.peer,
      stackFloor: target.stackFloor,
      ratioToPeer: target.peer === undefined || target.baseline !== undefined ? undefined : ratioByRound(windows, target.id, target.peer),
      baseline: target.baseline,
      ratioToBaseline: target.baseline === undefined ? undefined : ratioToPaired(own),
      cpuMicrosPerRequest: medianOfDefined(own.map((w) => w.cpuMicrosPerRequest)),
      ...pairedCpu(own),
      ...(target.connections === undefined ? {} : { connections: target.connections }),
      okP99: median(own.map((w) => w.okP99)),
      okP99AfterOpening: median(own.map((w) => w.okP99AfterOpening)),
      rpsAfterOpening: median(own.map((w) => w.rpsAfterOpening)),
    };
  });
}
