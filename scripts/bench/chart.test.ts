import { describe, expect, it } from 'vitest';
import { barChartSvg } from './chart.js';
import type { TargetSummary } from './summarize.js';

const summary = (over: Partial<TargetSummary>): TargetSummary => ({
  id: 'guest',
  label: 'POST guest',
  side: 'kataven',
  expectStatus: 200,
  rounds: 1,
  rps: 1000,
  p50: 5,
  p99: 10,
  errors: 0,
  unexpected: 0,
  ok: 5000,
  ratioToExpress: 0.5,
  peer: undefined,
  stackFloor: undefined,
  ratioToPeer: undefined,
  baseline: undefined,
  ratioToBaseline: undefined,
  cpuMicrosPerRequest: undefined,
  ...over,
});

describe('barChartSvg', () => {
  it('draws one bar per target, the longest for the fastest, each with its rate and share of Express', () => {
    const svg = barChartSvg(
      [summary({ id: 'express', label: 'bare Express', side: 'reference', rps: 2000, ratioToExpress: 1 }), summary({})],
      'machine',
    );
    const widths = [...svg.matchAll(/<rect x="\d+" y="\d+" width="(\d+)" height="20"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect(widths[0]).toBe(2 * (widths[1] ?? 0));
    expect(svg).toContain('1,000 req/s · 50 % of Express');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  });

  it('escapes labels so a target name cannot break the document', () => {
    const svg = barChartSvg([summary({ label: '<script>&"' })], 'a < b');
    expect(svg).toContain('&lt;script&gt;&amp;&quot;');
    expect(svg).toContain('a &lt; b');
    expect(svg).not.toContain('<script>');
  });
});
