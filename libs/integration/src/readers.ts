import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { ValidationError } from '#shared/core/index.js';

export type ImportFormat = 'csv' | 'xlsx' | 'jsonl';
export type TextEncoding = 'utf-8' | 'gb18030';

export interface ParsedFile {
  format: ImportFormat;
  encoding: TextEncoding | null;
  headers: string[];
  /** Row numbers as a person counts them in the file (the header is row 1). */
  rows: { rowNumber: number; values: Record<string, string> }[];
}

export function detectFormat(fileName: string, data: Buffer): ImportFormat {
  const ext = fileName.toLowerCase().split('.').pop();
  if (ext === 'xlsx') return 'xlsx';
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (ext === 'csv' || ext === 'txt') return 'csv';
  if (data[0] === 0x50 && data[1] === 0x4b) return 'xlsx'; // a zip file
  if (data.subarray(0, 1).toString() === '{') return 'jsonl';
  return 'csv';
}

/** UTF-8 (with or without BOM) when the bytes are valid UTF-8, else GB18030 (which covers GBK), as Chinese Excel writes CSV. */
export function decodeText(data: Buffer, encoding?: TextEncoding): { text: string; encoding: TextEncoding } {
  if (encoding) return { text: new TextDecoder(encoding).decode(data), encoding };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(data), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(data), encoding: 'gb18030' };
  }
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    if ('text' in v) return String(v.text);
    return '';
  }
  return String(v);
}

/** Read a whole file into rows of header → text. */
export async function readFile(data: Buffer, fileName: string, opts: { format?: ImportFormat; encoding?: TextEncoding } = {}): Promise<ParsedFile> {
  const format = opts.format ?? detectFormat(fileName, data);
  if (format === 'xlsx') {
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.load(data as unknown as ArrayBuffer);
    } catch (err) {
      throw ValidationError.field('file', `is not a readable XLSX workbook (${(err as Error).message})`);
    }
    const sheet = wb.worksheets[0];
    if (!sheet) throw ValidationError.field('file', 'the workbook has no sheet');
    const headerRow = sheet.getRow(1);
    const headers: string[] = [];
    headerRow.eachCell({ includeEmpty: true }, (cell, col) => (headers[col - 1] = cellText(cell.value).trim()));
    const rows: ParsedFile['rows'] = [];
    for (let r = 2; r <= sheet.rowCount; r++) {
      const row = sheet.getRow(r);
      const values: Record<string, string> = {};
      let any = false;
      headers.forEach((h, i) => {
        const t = cellText(row.getCell(i + 1).value).trim();
        if (t) any = true;
        values[h] = t;
      });
      if (any) rows.push({ rowNumber: r, values });
    }
    return { format, encoding: null, headers, rows };
  }
  const { text, encoding } = decodeText(data, opts.encoding);
  if (format === 'jsonl') {
    const rows: ParsedFile['rows'] = [];
    const headers = new Set<string>();
    text.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (err) {
        throw ValidationError.field(`line ${i + 1}`, `is not JSON (${(err as Error).message})`);
      }
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw ValidationError.field(`line ${i + 1}`, 'must be a JSON object');
      const values: Record<string, string> = {};
      for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
        headers.add(k);
        values[k] = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      }
      rows.push({ rowNumber: i + 1, values });
    });
    return { format, encoding, headers: [...headers], rows };
  }
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (err) {
    throw ValidationError.field('file', `is not readable CSV (${(err as Error).message})`);
  }
  const [header = [], ...body] = records;
  const headers = header.map((h) => h.replace(/^\uFEFF/, '').trim());
  return {
    format,
    encoding,
    headers,
    rows: body.map((cells, i) => ({ rowNumber: i + 2, values: Object.fromEntries(headers.map((h, j) => [h, (cells[j] ?? '').trim()])) })),
  };
}
