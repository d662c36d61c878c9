import { escapeXml as esc, renderChart } from './render-svg.js';
import type { AnnualReportData, Cell, Column, Table } from './report.types.js';

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

export function formatCell(v: Cell, c: Column): string {
  if (v === null || v === undefined) return c.kind === 'text' ? '' : '—';
  if (typeof v === 'string') return v;
  if (c.kind === 'wan') return v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  if (c.kind === 'percent') return `${v.toFixed(1)}`;
  return v.toLocaleString('en-US');
}

function table(t: Table, label: string): string {
  const head = t.columns.map((c) => `<th>${esc(c.header)}</th>`).join('');
  const row = (r: Cell[], cls = '') => `<tr${cls ? ` class="${cls}"` : ''}>${r.map((v, i) => `<td class="${t.columns[i]!.kind}">${esc(formatCell(v, t.columns[i]!))}</td>`).join('')}</tr>`;
  const body = t.rows.length ? t.rows.map((r) => row(r)).join('') : `<tr><td colspan="${t.columns.length}" class="empty">本年度无数据</td></tr>`;
  return (
    `<figure class="table${t.columns.length > 7 ? ' wide' : ''}" data-table="${esc(t.id)}"><figcaption>${esc(label)} ${esc(t.title)}</figcaption>` +
    `<table><thead><tr>${head}</tr></thead><tbody>${body}${t.total && t.rows.length ? row(t.total, 'total') : ''}</tbody></table>` +
    (t.note ? `<p class="note">注:${esc(t.note)}</p>` : '') +
    `</figure>`
  );
}

const CSS = `
@page { size: A4; margin: 25mm 22mm 22mm 22mm; }
* { box-sizing: border-box; }
html { font-size: 10.5pt; }
body { margin: 0 auto; max-width: 170mm; color: #000; background: #fff;
  font-family: 'Noto Serif CJK SC', 'Source Han Serif SC', 'Songti SC', 'SimSun', serif; line-height: 1.75; }
h1, h2, h3, figcaption, th { font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'SimHei', sans-serif; }
.cover { height: 247mm; display: flex; flex-direction: column; justify-content: center; text-align: center; page-break-after: always; break-after: page; }
.cover h1 { font-size: 22pt; line-height: 1.5; margin: 0 0 18mm; letter-spacing: 0.05em; }
.cover .meta { font-size: 14pt; line-height: 2.2; }
.toc { page-break-after: always; break-after: page; }
.toc h2 { text-align: center; }
.toc ol { list-style: none; padding: 0; font-size: 12pt; line-height: 2.4; }
section { page-break-before: always; break-before: page; }
h2 { font-size: 16pt; margin: 0 0 6mm; }
p { text-indent: 2em; margin: 0 0 3mm; text-align: justify; }
p.note, p.empty { text-indent: 0; font-size: 9pt; color: #404040; }
figure { margin: 5mm 0 7mm; page-break-inside: avoid; break-inside: avoid; }
figcaption { text-align: center; font-size: 10.5pt; font-weight: bold; margin-bottom: 2mm; }
table { width: 100%; border-collapse: collapse; font-size: 9pt; line-height: 1.45; }
th, td { border: 0.5pt solid #000; padding: 1.2mm 1.6mm; }
th { background: #eef1f5; font-weight: bold; text-align: center; }
td.int, td.wan, td.percent { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.empty { text-align: center; color: #595959; }
figure.wide table { font-size: 7.5pt; }
figure.wide th, figure.wide td { padding: 1mm 1mm; }
tr.total td { font-weight: bold; background: #f7f7f7; }
figure.chart { text-align: center; }
figure.chart svg { max-width: 100%; height: auto; }
footer.end { margin-top: 10mm; text-align: right; }
@media screen { body { padding: 12mm 0; } section, .toc { border-top: 1px dashed #bfbfbf; padding-top: 10mm; margin-top: 10mm; } .cover { height: auto; min-height: 160mm; } }
`;

/**
 * The report as a printable HTML document: a cover, a contents page, one section per page break,
 * numbered tables (表) and charts (图, inline SVG). Nothing in it depends on when it was drawn, so
 * the same data give the same bytes.
 */
export function renderHtml(data: AnnualReportData, opts: { compiledBy: string }): string {
  const sections = data.sections
    .map((s) => {
      const n = NUMERALS[s.number - 1] ?? String(s.number);
      const tables = s.tables.map((t, i) => table(t, `表${s.number}-${i + 1}`)).join('');
      const charts = s.charts.map((c, i) => `<figure class="chart" data-chart="${esc(c.id)}"><figcaption>图${s.number}-${i + 1} ${esc(c.title)}</figcaption>${renderChart(c)}</figure>`).join('');
      return `<section id="${s.key}" data-section="${s.key}"><h2>${n}、${esc(s.title)}</h2>${s.paragraphs.map((p) => `<p>${esc(p)}</p>`).join('')}${charts}${tables}</section>`;
    })
    .join('\n');
  const toc = data.sections.map((s) => `<li><a href="#${s.key}">${NUMERALS[s.number - 1] ?? s.number}、${esc(s.title)}</a></li>`).join('');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${esc(data.title)}</title>
<style>${CSS}</style>
</head>
<body>
<div class="cover"><h1>${esc(data.title)}</h1><div class="meta"><div>${esc(opts.compiledBy)}</div><div>统计截止日期:${esc(data.asOf)}</div></div></div>
<nav class="toc"><h2>目 录</h2><ol>${toc}</ol></nav>
${sections}
<footer class="end"><p>${esc(opts.compiledBy)}</p><p>数据截至${esc(data.asOf)}</p></footer>
</body>
</html>
`;
}
