import ExcelJS from 'exceljs';
import type { AnnualReportData, Column } from './report.types.js';

const NUM_FMT: Record<Column['kind'], string | undefined> = { text: undefined, int: '#,##0', wan: '#,##0.00', percent: '0.0' };
const THIN = { style: 'thin' as const, color: { argb: 'FF808080' } };

/**
 * The report as a workbook: a cover sheet, then one sheet per section with its text and its tables.
 * Numbers are numbers (money in 万元 as a number formatted with two decimals), headers and sheet
 * names Chinese. The workbook's dates are the report's day, so it does not change with the clock.
 */
export async function renderXlsx(data: AnnualReportData, opts: { compiledBy: string }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const day = new Date(`${data.asOf}T00:00:00.000Z`);
  wb.creator = opts.compiledBy;
  wb.lastModifiedBy = opts.compiledBy;
  wb.created = day;
  wb.modified = day;
  wb.title = data.title;

  const cover = wb.addWorksheet('封面');
  cover.getColumn(1).width = 90;
  cover.addRow([data.title]).font = { bold: true, size: 16 };
  cover.addRow([opts.compiledBy]);
  cover.addRow([`统计截止日期:${data.asOf}`]);
  cover.addRow([]);
  cover.addRow(['目录']).font = { bold: true };
  for (const s of data.sections) cover.addRow([s.sheet]);
  cover.addRow([]);
  cover.addRow(['金额单位:万元,保留两位小数;图表见同名 HTML 报告。']);

  for (const s of data.sections) {
    const ws = wb.addWorksheet(s.sheet);
    const width = Math.max(2, ...s.tables.map((t) => t.columns.length));
    ws.getColumn(1).width = 34;
    for (let c = 2; c <= width; c++) ws.getColumn(c).width = 16;
    ws.addRow([s.sheet]).font = { bold: true, size: 14 };
    for (const p of s.paragraphs) {
      const r = ws.addRow([p]);
      ws.mergeCells(r.number, 1, r.number, width);
      r.alignment = { wrapText: true, vertical: 'top' };
      r.height = Math.max(18, Math.ceil(p.length / (width * 9)) * 18);
    }
    s.tables.forEach((t, i) => {
      ws.addRow([]);
      ws.addRow([`表${s.number}-${i + 1} ${t.title}`]).font = { bold: true };
      const head = ws.addRow(t.columns.map((c) => c.header));
      head.font = { bold: true };
      head.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
      head.eachCell((cell) => {
        cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEEF1F5' } };
        cell.border = { top: THIN, left: THIN, bottom: THIN, right: THIN };
      });
      const rows = t.total && t.rows.length ? [...t.rows, t.total] : t.rows;
      rows.forEach((values, k) => {
        const r = ws.addRow(values.map((v) => (v === null ? null : v)));
        if (t.total && k === rows.length - 1 && t.rows.length) r.font = { bold: true };
        t.columns.forEach((c, j) => {
          const cell = r.getCell(j + 1);
          const fmt = NUM_FMT[c.kind];
          if (fmt) cell.numFmt = fmt;
          cell.border = { top: THIN, left: THIN, bottom: THIN, right: THIN };
        });
      });
      if (t.note) ws.addRow([`注:${t.note}`]).font = { italic: true, size: 9 };
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
