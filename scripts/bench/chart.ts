import type { Side } from './targets.js';
import type { TargetSummary } from './summarize.js';

const COLORS: Record<Side, string> = { reference: '#9ca3af', peer: '#f59e0b', kataven: '#4f46e5' };
const LEGEND: Record<Side, string> = { reference: 'Express 5 references', peer: 'node-oidc-provider (peer)', kataven: 'Kataven' };

const escapeXml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** A horizontal bar chart of median req/s per target, as a self-contained SVG document. */
export function barChartSvg(summaries: readonly TargetSummary[], subtitle: string): string {
  const width = 1000;
  const labelWidth = 330;
  const barArea = width - labelWidth - 290;
  const rowHeight = 30;
  const top = 74;
  const height = top + summaries.length * rowHeight + 50;
  const max = Math.max(1, ...summaries.map((s) => (Number.isFinite(s.rps) ? s.rps : 0)));

  const rows = summaries.map((s, i) => {
    const y = top + i * rowHeight;
    const rps = Number.isFinite(s.rps) ? s.rps : 0;
    const barWidth = Math.max(1, Math.round((rps / max) * barArea));
    const ratio = s.ratioToExpress === undefined || s.id === 'express' ? '' : ` · ${(s.ratioToExpress * 100).toFixed(0)} % of Express`;
    const peer = s.ratioToPeer === undefined ? '' : ` · ${s.ratioToPeer.toFixed(2)}× its peer`;
    const value = `${Math.round(rps).toLocaleString('en-US')} req/s${ratio}${peer}`;
    return [
      `<text x="${labelWidth - 10}" y="${y + 19}" text-anchor="end">${escapeXml(s.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 5}" width="${barWidth}" height="${rowHeight - 10}" rx="3" fill="${COLORS[s.side]}"/>`,
      `<text x="${labelWidth + barWidth + 8}" y="${y + 19}" class="value">${escapeXml(value)}</text>`,
    ].join('\n  ');
  });

  const sides = (['reference', 'peer', 'kataven'] as const).filter((side) => summaries.some((s) => s.side === side));
  const legend = sides.map((side, i) => {
    const x = labelWidth + i * 200;
    const y = height - 26;
    return `<rect x="${x}" y="${y}" width="12" height="12" fill="${COLORS[side]}"/><text x="${x + 18}" y="${y + 11}">${escapeXml(LEGEND[side])}</text>`;
  });

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="13">
  <style>text { fill: #111827; } .value { fill: #374151; font-size: 12px; } .sub { fill: #6b7280; font-size: 12px; }</style>
  <rect width="100%" height="100%" fill="#ffffff"/>
  <text x="20" y="28" font-size="17" font-weight="600">Median requests per second at 50 connections (higher is better)</text>
  <text x="20" y="50" class="sub">${escapeXml(subtitle)}</text>
  ${rows.join('\n  ')}
  ${legend.join('\n  ')}
</svg>
`;
}
