import { readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';

export interface MachineDescription {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  os: string;
  node: string;
  /** 1, 5 and 15 minute load averages: other work on the machine skews every number. */
  loadAverageAtStart: number[];
  /** Linux PSI: share of the last 60 s in which some runnable task waited for a CPU. */
  cpuPressureAtStart: number | undefined;
  versions: Record<string, string>;
}

function installedVersion(root: string, name: string): string {
  try {
    const json = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof json.version === 'string' ? json.version : 'unknown';
  } catch {
    return 'not installed';
  }
}

/** `some avg60` of /proc/pressure/cpu as a fraction, or undefined off Linux. */
export function cpuPressure(): number | undefined {
  try {
    const match = /^some .*avg60=([\d.]+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) / 100;
  } catch {
    return undefined;
  }
}

/** True when other work already keeps the cores busy: the numbers then say more about it than about us. */
export function isBusy(machine: MachineDescription): boolean {
  return (machine.loadAverageAtStart[0] ?? 0) > machine.cores * 0.5 || (machine.cpuPressureAtStart ?? 0) > 0.2;
}

export function describeThisMachine(root: string): MachineDescription {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    os: `${type()} ${release()} ${arch()}`,
    node: process.version,
    loadAverageAtStart: loadavg(),
    cpuPressureAtStart: cpuPressure(),
    versions: Object.fromEntries(
      ['express', 'oidc-provider', 'autocannon', 'jose', 'better-sqlite3', '@ts-rest/express', 'zod'].map((name) => [name, installedVersion(root, name)]),
    ),
  };
}
