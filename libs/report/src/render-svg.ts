import type { Chart } from './report.types.js';

/** Print-friendly colours (distinct in greyscale too). */
const PALETTE = ['#1f4e79', '#c55a11', '#548235', '#7f6000', '#7030a0', '#808080'];
const FONT = `font-family="'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif"`;

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A round upper bound and step for an axis (1, 2 or 5 times a power of ten); whole steps for counts. */
function axis(max: number, whole: boolean): { top: number; step: number } {
  if (max <= 0) return { top: 1, step: 1 };
  const raw = max / 5;
  const pow = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw)!;
  if (whole) step = Math.max(1, Math.round(step));
  return { top: Math.ceil(max / step) * step, step };
}

const wholeNumbers = (chart: Chart) => chart.series.every((s) => s.values.every((v) => Number.isInteger(v)));

const fmt = (v: number) => (Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));

/** Rough width of a label in px at 12px (CJK characters are square). */
function textWidth(s: string, size = 12): number {
  let w = 0;
  for (const ch of s) w += /[\u0000-\u00ff]/.test(ch) ? size * 0.58 : size;
  return w;
}

/** The legend, wrapped onto more lines when it would run past the right edge; returns its height too. */
function legend(chart: Chart, x: number, y: number, width: number): { svg: string; lines: number } {
  if (chart.series.length < 2) return { svg: '', lines: 0 };
  let cx = x;
  let cy = y;
  let lines = 1;
  const svg = chart.series
    .map((s, i) => {
      const w = 28 + textWidth(s.name);
      if (cx + w > width - 10 && cx > x) {
        cx = x;
        cy += 18;
        lines++;
      }
      const out = `<rect x="${cx.toFixed(1)}" y="${cy - 9}" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/><text x="${(cx + 16).toFixed(1)}" y="${cy + 1}" font-size="12">${escapeXml(s.name)}</text>`;
      cx += w;
      return out;
    })
    .join('');
  return { svg, lines };
}

/** Room above the plot for the unit and the legend. */
function headroom(chart: Chart, legendX: number, width: number): number {
  return 36 + legend(chart, legendX + 80, 18, width).lines * 18 - (chart.series.length > 1 ? 4 : 0);
}

/** Horizontal bars (grouped, or stacked): department names read along the left. */
function bars(chart: Chart, width: number): string {
  const stacked = chart.kind === 'stacked';
  const labelW = Math.min(220, Math.max(60, ...chart.labels.map((l) => textWidth(l) + 12)));
  const per = stacked ? 1 : chart.series.length;
  const barH = stacked ? 18 : Math.max(8, 18 - 3 * (per - 1));
  const groupH = per * barH + 10;
  const top = headroom(chart, labelW, width);
  const plotW = width - labelW - 70;
  const totals = chart.labels.map((_, i) => (stacked ? chart.series.reduce((n, s) => n + (s.values[i] ?? 0), 0) : Math.max(0, ...chart.series.map((s) => s.values[i] ?? 0))));
  const { top: max, step } = axis(Math.max(0, ...totals), wholeNumbers(chart));
  const height = top + Math.max(1, chart.labels.length) * groupH + 30;
  const x = (v: number) => labelW + (v / max) * plotW;
  const parts: string[] = [];
  for (let t = 0; t <= max + 1e-9; t += step) {
    parts.push(`<line x1="${x(t).toFixed(1)}" y1="${top - 4}" x2="${x(t).toFixed(1)}" y2="${height - 26}" stroke="#d9d9d9" stroke-width="1"/>`);
    parts.push(`<text x="${x(t).toFixed(1)}" y="${height - 10}" font-size="11" text-anchor="middle" fill="#595959">${fmt(Math.round(t * 100) / 100)}</text>`);
  }
  chart.labels.forEach((label, i) => {
    const gy = top + i * groupH;
    parts.push(`<text x="${labelW - 8}" y="${gy + (per * barH) / 2 + 4}" font-size="12" text-anchor="end">${escapeXml(label)}</text>`);
    let acc = 0;
    chart.series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      const colour = PALETTE[k % PALETTE.length];
      if (stacked) {
        if (v > 0) parts.push(`<rect x="${x(acc).toFixed(1)}" y="${gy}" width="${(x(acc + v) - x(acc)).toFixed(1)}" height="${barH}" fill="${colour}"><title>${escapeXml(`${label} ${s.name}: ${fmt(v)}${chart.unit}`)}</title></rect>`);
        acc += v;
      } else {
        const y = gy + k * barH;
        parts.push(`<rect x="${labelW}" y="${y}" width="${(x(v) - labelW).toFixed(1)}" height="${barH - 2}" fill="${colour}"><title>${escapeXml(`${label} ${s.name}: ${fmt(v)}${chart.unit}`)}</title></rect>`);
        parts.push(`<text x="${(x(v) + 4).toFixed(1)}" y="${y + barH - 5}" font-size="10" fill="#262626">${fmt(v)}</text>`);
      }
    });
    if (stacked) parts.push(`<text x="${(x(acc) + 4).toFixed(1)}" y="${gy + barH - 4}" font-size="10" fill="#262626">${fmt(acc)}</text>`);
  });
  parts.push(`<line x1="${labelW}" y1="${top - 4}" x2="${labelW}" y2="${height - 26}" stroke="#595959" stroke-width="1"/>`);
  return frame(chart, width, height, parts.join(''), labelW);
}

/** A line over years, each point labelled. */
function line(chart: Chart, width: number): string {
  const height = 280;
  const left = 70;
  const top = headroom(chart, left, width);
  const bottom = height - 36;
  const right = width - 30;
  const { top: max, step } = axis(Math.max(0, ...chart.series.flatMap((s) => s.values)), wholeNumbers(chart));
  const n = chart.labels.length;
  const x = (i: number) => (n <= 1 ? (left + right) / 2 : left + (i * (right - left)) / (n - 1));
  const y = (v: number) => bottom - (v / max) * (bottom - top);
  const parts: string[] = [];
  for (let t = 0; t <= max + 1e-9; t += step) {
    parts.push(`<line x1="${left}" y1="${y(t).toFixed(1)}" x2="${right}" y2="${y(t).toFixed(1)}" stroke="#d9d9d9"/>`);
    parts.push(`<text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" font-size="11" text-anchor="end" fill="#595959">${fmt(Math.round(t * 100) / 100)}</text>`);
  }
  chart.labels.forEach((l, i) => parts.push(`<text x="${x(i).toFixed(1)}" y="${bottom + 18}" font-size="12" text-anchor="middle">${escapeXml(l)}</text>`));
  chart.series.forEach((s, k) => {
    const colour = PALETTE[k % PALETTE.length];
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`);
    s.values.forEach((v, i) => {
      parts.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3.5" fill="${colour}"><title>${escapeXml(`${chart.labels[i]} ${s.name}: ${fmt(v)}${chart.unit}`)}</title></circle>`);
      parts.push(`<text x="${x(i).toFixed(1)}" y="${(y(v) - 8 - k * 12).toFixed(1)}" font-size="10" text-anchor="middle" fill="${colour}">${fmt(v)}</text>`);
    });
  });
  parts.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#595959"/>`);
  return frame(chart, width, height, parts.join(''), left);
}

function frame(chart: Chart, width: number, height: number, body: string, legendX: number): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${escapeXml(chart.id)}" role="img" aria-label="${escapeXml(chart.title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ${FONT}>` +
    `<text x="${legendX}" y="18" font-size="12" fill="#595959">单位:${escapeXml(chart.unit)}</text>` +
    legend(chart, legendX + 80, 18, width).svg +
    body +
    `</svg>`
  );
}

/** The chart as an SVG element, drawn from its numbers alone (the same for the same numbers). */
export function renderChart(chart: Chart, width = 640): string {
  if (!chart.labels.length || chart.series.every((s) => s.values.every((v) => !v))) return `<p class="empty" data-chart="${escapeXml(chart.id)}">(本年度无数据)</p>`;
  return chart.kind === 'line' ? line(chart, width) : bars(chart, width);
}
