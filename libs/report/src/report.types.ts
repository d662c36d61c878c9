/** One cell of a report table: text, a count, or money in 万元 (a number with two decimals). */
export type Cell = string | number | null;

export type ColumnKind = 'text' | 'int' | 'wan' | 'percent';

export interface Column {
  header: string;
  kind: ColumnKind;
}

export interface Table {
  id: string;
  title: string;
  columns: Column[];
  rows: Cell[][];
  /** The 合计 row, when the rows add up. */
  total?: Cell[];
  note?: string;
}

/** A chart drawn from a table's numbers: grouped bars, stacked bars, or a line over years. */
export interface Chart {
  id: string;
  kind: 'bar' | 'stacked' | 'line';
  title: string;
  unit: string;
  labels: string[];
  series: { name: string; values: number[] }[];
}

export const SECTION_KEYS = ['overview', 'projects', 'duplicates', 'credit', 'consultation', 'tasks', 'quality'] as const;
export type SectionKey = (typeof SECTION_KEYS)[number];

export interface Section {
  key: SectionKey;
  number: number;
  title: string;
  /** The XLSX sheet's name (Chinese, at most 31 characters). */
  sheet: string;
  paragraphs: string[];
  tables: Table[];
  charts: Chart[];
}

/** Everything the report says, computed once; the XLSX and the HTML are both drawn from it. */
export interface AnnualReportData {
  year: number;
  /** The day the figures stand at (UTC, inclusive): nothing recorded after it counts. */
  asOf: string;
  /** The jurisdiction whose linkage the report covers (its departments, funds and their projects). */
  jurisdiction: { code: string; name: string };
  title: string;
  sections: Section[];
}

/** 万元 with two decimals from exact fen (1 万元 = 1,000,000 fen), half up. */
export function wan(fen: bigint): number {
  const neg = fen < 0n;
  const abs = neg ? -fen : fen;
  const hundredths = (abs + 5000n) / 10000n;
  const v = Number(hundredths) / 100;
  return neg ? -v : v;
}
