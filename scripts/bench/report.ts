import type { BudgetResult } from './budgets.js';
import type { MachineDescription } from './machine.js';
import type { TargetSummary } from './summarize.js';

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const ms = (n: number) => (Number.isFinite(n) ? String(Math.round(n * 10) / 10) : 'n/a');
const pct = (ratio: number | undefined) => (ratio === undefined ? '' : `${(ratio * 100).toFixed(1)} %`);
const times = (ratio: number | undefined) => (ratio === undefined ? '' : `${ratio.toFixed(2)}×`);

const SUMMARY_HEADER = ['target', 'side', 'req/s', 'p50 ms', 'p99 ms', 'errors / unexpected status', 'vs bare Express', 'vs peer', 'vs default instance', 'server CPU µs/req'];

function summaryRows(summaries: readonly TargetSummary[]): string[][] {
  return summaries.map((s) => [
    s.label,
    s.side,
    int(s.rps),
    ms(s.p50),
    ms(s.p99),
    `${s.errors} / ${s.unexpected}`,
    pct(s.ratioToExpress),
    times(s.ratioToPeer),
    times(s.ratioToBaseline),
    s.cpuMicrosPerRequest === undefined
      ? ''
      : `${int(s.cpuMicrosPerRequest)}${s.pairedBaselineCpuMicrosPerRequest === undefined ? '' : ` / ${int(s.pairedBaselineCpuMicrosPerRequest)}`}`,
  ]);
}

const BUDGET_HEADER = ['budget', 'limit', 'measured', 'result'];
const verdict = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? 'met' : 'MISSED');
const budgetRows = (budgets: readonly BudgetResult[]) => budgets.map((b) => [b.budget, b.limit, b.measured, verdict(b.met)]);

/** Columns padded to width; numbers right-aligned. */
function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[\d,.\s/×%-]*$/.test(r[i] ?? '')));
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdownTable(header: string[], rows: string[][]): string {
  const esc = (c: string) => c.replaceAll('|', '\\|');
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export function describeMachine(m: MachineDescription): string {
  return `${m.cpuModel}, ${m.cores} cores, ${(m.memoryBytes / 1024 ** 3).toFixed(1)} GiB RAM, ${m.os}, Node ${m.node}`;
}

/** Why a twin's row has no ratio to bare Express, shown only when the run has twins. */
const twinNote = (summaries: readonly TargetSummary[]) =>
  summaries.some((s) => s.baseline !== undefined)
    ? 'Rows with a "vs default instance" ratio ran at the same time as the instance they are compared with, each at the same connections: their req/s and latency are under that shared load, and their CPU reads "theirs / the compared instance\'s in the same windows".'
    : undefined;

export function textReport(summaries: readonly TargetSummary[], budgets: readonly BudgetResult[]): string {
  const note = twinNote(summaries);
  return `${textTable(SUMMARY_HEADER, summaryRows(summaries))}\n${note === undefined ? '' : `${note}\n`}\n${textTable(BUDGET_HEADER, budgetRows(budgets))}\n`;
}

export function markdownReport(input: {
  summaries: readonly TargetSummary[];
  budgets: readonly BudgetResult[];
  machine: MachineDescription;
  settings: { connections: number; seconds: number; rounds: number };
  startedAt: string;
}): string {
  const { summaries, budgets, machine, settings } = input;
  const note = twinNote(summaries);
  return [
    `Run ${input.startedAt}: ${settings.rounds} round(s) of ${settings.seconds} s per target at ${settings.connections} connections; medians over rounds.`,
    `Machine: ${describeMachine(machine)}; load average at start ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}${
      machine.cpuPressureAtStart === undefined ? '' : `, CPU pressure (PSI some avg60) ${(machine.cpuPressureAtStart * 100).toFixed(0)} %`
    }.`,
    '',
    markdownTable(SUMMARY_HEADER, summaryRows(summaries)),
    '',
    ...(note === undefined ? [] : [note, '']),
    markdownTable(BUDGET_HEADER, budgetRows(budgets)),
    '',
  ].join('\n');
}
