import { fenToYuan, STATUS_NAMES, wanToFen, yuanToFen, type ProjectStatus } from '#registry';

/** Parsers for the values department spreadsheets hold; each returns a value or a reason. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const pad = (n: number) => String(n).padStart(2, '0');

function ymd(y: number, m: number, d: number): Parsed<string> {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return { ok: false, reason: `${y}-${pad(m)}-${pad(d)} is not a date` };
  return { ok: true, value: `${y}-${pad(m)}-${pad(d)}` };
}

/** 2024-04-01, 2024/4/1, 2024.04.01, 20240401, 2024年4月1日; with `endOfMonth`, 2024-04 or 2024.04 means the month's last day. */
export function parseDate(raw: string, opts: { endOfMonth?: boolean } = {}): Parsed<string> {
  const v = raw.normalize('NFKC').trim();
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(v) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(v);
  if (m) return ymd(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{4})[-/.年](\d{1,2})月?$/.exec(v);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    if (mo < 1 || mo > 12) return { ok: false, reason: `"${raw}" is not a date` };
    return ymd(y, mo, opts.endOfMonth ? new Date(Date.UTC(y, mo, 0)).getUTCDate() : 1);
  }
  return { ok: false, reason: `"${raw}" is not a date (YYYY-MM-DD)` };
}

/** 起止日期: "2024-01-01~2025-12-31", "2024.01-2025.12", "2024/1/1至2025/12/31". */
export function parsePeriod(raw: string): Parsed<{ start: string; end: string }> {
  const v = raw.normalize('NFKC').trim();
  const parts = v.split(/\s*(?:~|至|到|—|–|--|\s-\s)\s*/);
  let start: string | undefined;
  let end: string | undefined;
  if (parts.length === 2) [start, end] = parts as [string, string];
  else {
    const m = /^(\d{4}[./年]\d{1,2}(?:[./月]\d{1,2}日?)?)-(\d{4}[./年]\d{1,2}(?:[./月]\d{1,2}日?)?)$/.exec(v);
    if (m) [start, end] = [m[1]!, m[2]!];
  }
  if (!start || !end) return { ok: false, reason: `"${raw}" is not a period such as 2024-01-01~2025-12-31` };
  const s = parseDate(start);
  const e = parseDate(end, { endOfMonth: true });
  if (!s.ok) return s;
  if (!e.ok) return e;
  return { ok: true, value: { start: s.value, end: e.value } };
}

export function parseYear(raw: string): Parsed<number> {
  const v = raw.normalize('NFKC').trim().replace(/年$/, '');
  if (!/^\d{4}$/.test(v)) return { ok: false, reason: `"${raw}" is not a year` };
  return { ok: true, value: Number(v) };
}

/** An amount in 万元 or yuan, as the exact yuan string the registry takes. */
export function parseAmount(raw: string, unit: 'wan' | 'yuan', field: string): Parsed<string> {
  try {
    const fen = unit === 'wan' ? wanToFen(field, raw) : yuanToFen(field, raw);
    return { ok: true, value: fenToYuan(fen) };
  } catch (err) {
    return { ok: false, reason: (err as Error).message.replace(/^[^:]+: /, '') };
  }
}

const STATUS_BY_NAME = new Map<string, ProjectStatus>(Object.entries(STATUS_NAMES).flatMap(([k, v]) => [[k, k as ProjectStatus], [v, k as ProjectStatus]]));

export function parseStatus(raw: string): Parsed<ProjectStatus> {
  const s = STATUS_BY_NAME.get(raw.trim()) ?? STATUS_BY_NAME.get(raw.trim().toUpperCase());
  return s ? { ok: true, value: s } : { ok: false, reason: `"${raw}" is not a project status (${Object.values(STATUS_NAMES).join('、')})` };
}

export function splitKeywords(raw: string): string[] {
  return raw.split(/[,，;；、|\s]+/).map((k) => k.trim()).filter(Boolean);
}
