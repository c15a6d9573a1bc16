import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * A span of the monotonic clock in microseconds. V8 stamps profile samples with the same
 * CLOCK_MONOTONIC that `process.hrtime` reads on Linux, so the bench can name the spans of its
 * measured windows and leave out pool minting and idle time between them.
 */
export interface TimeRange {
  fromUs: number;
  toUs: number;
}

export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

export interface HotFunction {
  name: string;
  where: string;
  selfMs: number;
  /** Share of the non-idle samples. */
  share: number;
}

const shortUrl = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(/^.*\/dist\//, 'dist/');

export function readCpuProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/**
 * Self time per function (summed over every call site) of a `--cpu-prof` profile, idle
 * excluded; only samples inside `ranges` when given.
 */
export function hotFunctions(profile: CpuProfile, options: { top?: number; ranges?: readonly TimeRange[] } = {}): HotFunction[] {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { name: string; where: string; micros: number }>();
  const inRange = (t: number) => options.ranges === undefined || options.ranges.some((r) => t >= r.fromUs && t <= r.toUs);
  let busy = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id);
    const micros = profile.timeDeltas[i] ?? 0;
    at += micros;
    if (!node || node.callFrame.functionName === '(idle)' || !inRange(at)) return;
    busy += micros;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url === '' ? '' : `${shortUrl(url)}:${lineNumber + 1}`;
    const key = `${functionName}@${where}`;
    const entry = self.get(key) ?? { name: functionName || '(anonymous)', where, micros: 0 };
    entry.micros += micros;
    self.set(key, entry);
  });
  return [...self.values()]
    .sort((a, b) => b.micros - a.micros)
    .slice(0, options.top ?? 25)
    .map((e) => ({ name: e.name, where: e.where, selfMs: e.micros / 1000, share: busy === 0 ? 0 : e.micros / busy }));
}

export function formatHotFunctions(functions: readonly HotFunction[]): string {
  return functions
    .map((f) => `${(f.share * 100).toFixed(1).padStart(5)} %  ${f.selfMs.toFixed(0).padStart(6)} ms  ${f.name}  ${f.where}`)
    .join('\n');
}
