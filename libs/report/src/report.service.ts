import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { canonicalJson } from '#history';
import { Clock, ForbiddenError, NotFoundError, requireUuid, ValidationError, type FieldProblem } from '#shared/core/index.js';
import { HandlesJob, JobName, type JobContext, type JobHandler, type JobPayload, type JobResult } from '#shared/queue/index.js';
import { findChromium, printPdf } from './chromium.js';
import { renderHtml } from './render-html.js';
import { renderXlsx } from './render-xlsx.js';
import { ReportCompiler } from './report-compiler.js';
import type { AnnualReportData } from './report.types.js';

export interface ReportCaller {
  departmentId: string;
  role: 'STAFF' | 'LEADING' | 'INFORMATION_CENTER' | 'READER';
}

export interface AnnualReportMeta {
  id: string;
  year: number;
  asOf: string;
  jurisdiction: string;
  contentHash: string;
  generatedBy: string | null;
  generatedAt: Date;
  durationMs: number;
  jobId: string | null;
  /** Compiled on its own day: what is recorded later that day would change it (a past day's figures are final). */
  provisional: boolean;
  /** Whether a PDF was printed with it (the server had a headless browser). */
  hasPdf: boolean;
  sections: { number: number; title: string }[];
}

/** Departments of these linkage roles read their jurisdiction's reports (000 §五: the linkage departments). */
const READING_ROLES = ['LEADING', 'PARTICIPATING', 'WORKING_GROUP', 'INFORMATION_CENTER', 'LEADING_GROUP_OFFICE'];

export type ReportFormat = 'xlsx' | 'html' | 'pdf';

export interface ReportParameters {
  year: number;
  /** YYYY-MM-DD */
  asOf: string;
  /** Six-digit jurisdiction code. */
  jurisdiction: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The annual linkage-management report (DOMAIN §8): compiled by the leading department as a job,
 * stored with its parameters and the hash of its figures, read by every linkage department.
 */
@Injectable()
export class ReportService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly compiler: ReportCompiler,
    private readonly clock: Clock,
  ) {}

  /** Only the leading department compiles the report. */
  assertMayGenerate(caller: ReportCaller): void {
    if (caller.role !== 'LEADING') throw new ForbiddenError('only the leading department (牵头部门) compiles the annual report');
  }

  /** The leading department compiles its own jurisdiction's report, not another's. */
  async assertOwnJurisdiction(caller: ReportCaller, jurisdiction: string): Promise<void> {
    const own = await this.departmentOf(caller.departmentId);
    if (own?.jurisdiction !== jurisdiction) throw new ForbiddenError(`${own?.code ?? 'this department'} compiles the report of its own jurisdiction (${own?.jurisdiction ?? '?'}), not of ${jurisdiction}`);
  }

  /**
   * Which reports a department reads: a linkage department (leading, participating, working group,
   * information center, leading-group office) reads its jurisdiction's; others none. Null: the
   * operator's CLI, which reads all.
   */
  async readerScope(caller: ReportCaller | null): Promise<string | null> {
    if (!caller) return null;
    const d = await this.departmentOf(caller.departmentId);
    if (!d || !READING_ROLES.includes(d.role)) throw new ForbiddenError(`${d?.code ?? 'this department'} is not a linkage department; the annual reports are read by the linkage departments`);
    return d.jurisdiction;
  }

  private async departmentOf(id: string): Promise<{ code: string; role: string; jurisdiction: string } | undefined> {
    const [d] = (await this.ds.query(`SELECT code, linkage_role AS role, jurisdiction_code AS jurisdiction FROM department WHERE id = $1`, [id])) as { code: string; role: string; jurisdiction: string }[];
    return d;
  }

  /**
   * What a report is compiled for: the year; the day the figures stand at, a past or present day
   * within or after the year (default today, the fullest figures); and the jurisdiction whose linkage
   * it covers (default the asking department's, else the one with the most projects).
   */
  async parameters(year: unknown, asOf?: string | null, jurisdiction?: string | null, departmentId?: string | null): Promise<ReportParameters> {
    const problems: FieldProblem[] = [];
    const today = this.clock.now().toISOString().slice(0, 10);
    const y = Number(year);
    if (!Number.isInteger(y) || y < 1949 || y > 2200) problems.push({ field: 'year', reason: `must be a year such as 2024, not "${year}"` });
    let day = asOf?.trim() || '';
    if (!day) day = today;
    const m = DAY.exec(day);
    const parsed = new Date(`${day}T00:00:00.000Z`);
    const valid = m !== null && !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === day;
    if (!valid) problems.push({ field: 'asOf', reason: `must be a date YYYY-MM-DD, not "${asOf}"` });
    else if (Number.isInteger(y) && day < `${y}-01-01`) problems.push({ field: 'asOf', reason: `${day} is before the year ${y} begins` });
    else if (day > today) problems.push({ field: 'asOf', reason: `${day} is in the future; a report stands at a day that has passed (today is ${today})` });
    let place = jurisdiction?.trim() || null;
    if (place) {
      const [known] = (await this.ds.query(`SELECT code FROM jurisdiction WHERE code = $1`, [place])) as { code: string }[];
      if (!known) problems.push({ field: 'jurisdiction', reason: `"${place}" is not a known jurisdiction code (six digits, e.g. 310000)` });
    } else if (departmentId) {
      const [d] = (await this.ds.query(`SELECT jurisdiction_code FROM department WHERE id = $1`, [departmentId])) as { jurisdiction_code: string }[];
      place = d?.jurisdiction_code ?? null;
    }
    if (!place && !problems.length) {
      const [top] = (await this.ds.query(
        `SELECT f.jurisdiction_code AS code FROM fund f LEFT JOIN project p ON p.fund_id = f.id GROUP BY f.jurisdiction_code ORDER BY count(p.id) DESC, f.jurisdiction_code LIMIT 1`,
      )) as { code: string }[];
      place = top?.code ?? null;
      if (!place) problems.push({ field: 'jurisdiction', reason: 'no fund is registered yet; load the reference data first' });
    }
    if (problems.length) throw new ValidationError(problems);
    return { year: y, asOf: day, jurisdiction: place! };
  }

  /** Compile, draw both files, and store them; the same year and day give the same figures and hash. */
  async generate(params: ReportParameters, opts: { departmentId: string | null; jobId?: string | null; progress?: (done: number, total: number) => Promise<void> }): Promise<AnnualReportMeta> {
    const p = await this.parameters(params.year, params.asOf, params.jurisdiction);
    const started = Date.now();
    const data = await this.compiler.compile(p.year, p.asOf, p.jurisdiction, opts.progress);
    const compiledBy = await this.compiledBy(p.jurisdiction);
    const [xlsx, html] = [await renderXlsx(data, { compiledBy }), renderHtml(data, { compiledBy })];
    // The PDF is printed once, here, when the server has a headless browser; never on a download.
    const chromium = findChromium();
    const pdf = chromium ? await printPdf(chromium, html) : null;
    const contentHash = hashOf(data);
    const id = randomUUID();
    const durationMs = Date.now() - started;
    await this.ds.query(
      `INSERT INTO annual_report (id, year, as_of, params, content_hash, data, xlsx, html, pdf, generated_by, job_id, generated_at, duration_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [id, p.year, p.asOf, JSON.stringify(p), contentHash, JSON.stringify(data), xlsx, html, pdf, opts.departmentId, opts.jobId ?? null, this.clock.now(), durationMs],
    );
    return this.get(null, id);
  }

  /** The reports a caller reads (null: the operator, all), newest first. */
  async list(caller: ReportCaller | null, year?: number | null): Promise<AnnualReportMeta[]> {
    const scope = await this.readerScope(caller);
    const rows = (await this.ds.query(
      `SELECT ${META} FROM annual_report r LEFT JOIN department d ON d.id = r.generated_by
        WHERE ($1::int IS NULL OR r.year = $1) AND ($2::text IS NULL OR r.params ->> 'jurisdiction' = $2)
        ORDER BY r.year DESC, r.as_of DESC, r.generated_at DESC`,
      [year ?? null, scope],
    )) as MetaRow[];
    return rows.map(toMeta);
  }

  async get(caller: ReportCaller | null, id: string): Promise<AnnualReportMeta> {
    const scope = await this.readerScope(caller);
    const [row] = (await this.ds.query(`SELECT ${META} FROM annual_report r LEFT JOIN department d ON d.id = r.generated_by WHERE r.id = $1`, [uuidOrThrow(id)])) as MetaRow[];
    // Another jurisdiction's report is, for this caller, not there.
    if (!row || (scope !== null && row.jurisdiction !== scope)) throw new NotFoundError('annual report', id);
    return toMeta(row);
  }

  /** A stored report as XLSX, HTML, or PDF (when one was printed with it). */
  async file(caller: ReportCaller | null, id: string, format: ReportFormat): Promise<{ fileName: string; mediaType: string; content: Buffer }> {
    if (format !== 'xlsx' && format !== 'html' && format !== 'pdf') throw ValidationError.field('format', `must be xlsx, html or pdf, not "${format}"`);
    const meta = await this.get(caller, id);
    const [row] = (await this.ds.query(`SELECT ${format} AS content FROM annual_report WHERE id = $1`, [id])) as { content: Buffer | string | null }[];
    if (row?.content === null || row?.content === undefined)
      throw ValidationError.field('format', 'this report has no PDF: the server had no headless browser (Debian package chromium, or CHROMIUM_PATH) when it was compiled; download the HTML and print it');
    return {
      fileName: `annual-report-${meta.jurisdiction}-${meta.year}-as-of-${meta.asOf}.${format}`,
      mediaType: MEDIA_TYPES[format],
      content: typeof row.content === 'string' ? Buffer.from(row.content, 'utf8') : Buffer.from(row.content),
    };
  }

  private async compiledBy(jurisdiction: string): Promise<string> {
    const [d] = (await this.ds.query(`SELECT name FROM department WHERE linkage_role = 'LEADING' AND jurisdiction_code = $1 ORDER BY code LIMIT 1`, [jurisdiction])) as { name: string }[];
    return d ? `${d.name}(牵头部门)编制` : '牵头部门编制';
  }
}

const MEDIA_TYPES: Record<ReportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
};

const META = `r.id, r.year, to_char(r.as_of, 'YYYY-MM-DD') AS as_of, r.params ->> 'jurisdiction' AS jurisdiction,
  r.generated_at < ((r.as_of + 1)::timestamp AT TIME ZONE 'UTC') AS provisional, r.pdf IS NOT NULL AS has_pdf, r.content_hash, d.code AS generated_by, r.generated_at, r.duration_ms, r.job_id,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('number', s -> 'number', 'title', s -> 'title')), '[]') FROM jsonb_array_elements(r.data -> 'sections') s) AS sections`;
interface MetaRow { id: string; year: number; as_of: string; jurisdiction: string; provisional: boolean; has_pdf: boolean; content_hash: string; generated_by: string | null; generated_at: Date; duration_ms: number; job_id: string | null; sections: { number: number; title: string }[] }

function toMeta(r: MetaRow): AnnualReportMeta {
  return { id: r.id, year: r.year, asOf: r.as_of, jurisdiction: r.jurisdiction, contentHash: r.content_hash, generatedBy: r.generated_by, generatedAt: new Date(r.generated_at), durationMs: r.duration_ms, jobId: r.job_id, provisional: r.provisional, hasPdf: r.has_pdf, sections: r.sections };
}

function uuidOrThrow(id: string): string {
  return requireUuid('id', id, `"${id}" is not a report id`);
}

/** SHA-256 of the figures in canonical JSON: equal figures, equal hash. */
export function hashOf(data: AnnualReportData): string {
  return createHash('sha256').update(canonicalJson(data)).digest('hex');
}

@Injectable()
@HandlesJob(JobName.CompileAnnualReport)
export class CompileAnnualReportHandler implements JobHandler<JobName.CompileAnnualReport> {
  constructor(private readonly reports: ReportService) {}

  async handle(payload: JobPayload<JobName.CompileAnnualReport>, ctx: JobContext): Promise<JobResult<JobName.CompileAnnualReport>> {
    const r = await this.reports.generate({ year: payload.year, asOf: payload.asOf, jurisdiction: payload.jurisdiction }, { departmentId: payload.departmentId, jobId: ctx.runId, progress: (d, t) => ctx.progress(d, t) });
    return { reportId: r.id, year: r.year, asOf: r.asOf, contentHash: r.contentHash, durationMs: r.durationMs };
  }
}
