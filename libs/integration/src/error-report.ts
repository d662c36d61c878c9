import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { ImportReport } from './import.service.js';

const HEADERS = ['行号 row', '本部门编号 local ID', '列 column', '值 value', '原因 reason'];

/** The rows an import could not store, as a file the department downloads and fixes (UTF-8 CSV with BOM for Excel, or XLSX). */
export async function errorReport(report: ImportReport, format: 'csv' | 'xlsx'): Promise<Buffer> {
  const rows = report.errors.map((e) => [e.row, e.localId, e.column, e.value, e.reason]);
  if (format === 'csv') return Buffer.from('\uFEFF' + stringify([HEADERS, ...rows]), 'utf8');
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('导入错误');
  sheet.addRow(HEADERS).font = { bold: true };
  for (const r of rows) sheet.addRow(r);
  sheet.columns.forEach((c, i) => (c.width = [8, 18, 16, 30, 60][i]));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
