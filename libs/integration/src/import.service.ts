import { DedupService } from '#dedup';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DATABASE_CONNECTION, type DatabaseConnection } from '#shared/database/index.js';
import { ReferenceService } from '#reference';
import { RegistryService, type Caller, type RegisterProjectInput } from '#registry';
import { DomainError, ValidationError, type FieldProblem } from '#shared/core/index.js';
import { mapHeaders, type ImportField } from './columns.js';
import { ImportReference } from './import-reference.js';
import { ImportRepository } from './import.repository.js';
import { readFile, type ImportFormat, type TextEncoding } from './readers.js';
import { parseAmount, parseDate, parsePeriod, parseStatus, parseYear, splitKeywords } from './values.js';

export interface ImportOptions {
  /** Every row belongs to this department; without it each row's department column decides. */
  department?: string;
  format?: ImportFormat;
  encoding?: TextEncoding;
  /** Store nothing unless every row is good. */
  allOrNothing?: boolean;
  /** Register departments, funds and sub-funds a new data source names. */
  registerMissing?: boolean;
  /** Keep well-formed credit codes whose check character fails, marked unverified. */
  allowUnverifiedUscc?: boolean;
  /** Check the created projects for duplicate funding against the whole registry once they are stored (default true). */
  duplicateScan?: boolean;
}

export interface RowError {
  row: number;
  localId: string;
  column: string;
  value: string;
  reason: string;
}

export interface ImportReport {
  fileName: string;
  format: ImportFormat;
  encoding: TextEncoding | null;
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** True when all-or-nothing refused the file: nothing was stored. */
  rejected: boolean;
  columns: { mapped: Record<string, string>; kept: string[] };
  /** Outcomes per department code (rows whose department could not be told: "?"). */
  byDepartment: Record<string, { created: number; updated: number; unchanged: number; failed: number }>;
  errors: RowError[];
  /** The duplicate check of the created projects against the whole registry: alerts stored (once per pair); null when not run. */
  duplicates: { checked: number; likely: number; possible: number; raised: number; reopened: number } | null;
}

type Row = { rowNumber: number; values: Record<string, string> };

/** Registry fields as the registry names them in its problems → the import field they came from. */
const REGISTRY_FIELD: Record<string, ImportField> = {
  'organisation.uscc': 'uscc',
  'organisation.name': 'orgName',
  'leader.name': 'leader',
  'leader.idNumber': 'leaderIdNumber',
  requestedYuan: 'requestedWan',
  approvedYuan: 'approvedWan',
  selfRaisedYuan: 'selfRaisedWan',
  totalInvestmentYuan: 'totalInvestmentWan',
  plannedStart: 'startDate',
  plannedEnd: 'endDate',
  supportMethodCode: 'supportMethod',
  categoryCode: 'category',
  catalogItemCode: 'catalogItem',
  subFund: 'subFund',
  fund: 'fund',
  year: 'year',
  title: 'title',
  localId: 'localId',
  status: 'status',
  department: 'department',
};

/**
 * Bulk import of a department system's projects: CSV (UTF-8 or GB18030), XLSX or JSON Lines,
 * Chinese or English headers. Idempotent by (department, local ID); every row that cannot be
 * stored is reported with its row, column and reason, and nothing is invented.
 */
@Injectable()
export class ImportService {
  private readonly log = new Logger('Import');

  constructor(
    private readonly registry: RegistryService,
    private readonly reference: ReferenceService,
    private readonly repo: ImportRepository,
    @Inject(DATABASE_CONNECTION) private readonly connection: DatabaseConnection,
    private readonly dedup: DedupService,
  ) {}

  async run(caller: Caller, file: { name: string; content: Buffer }, opts: ImportOptions, progress: (done: number, total: number) => Promise<void> = async () => undefined): Promise<ImportReport> {
    const parsed = await readFile(file.content, file.name, { format: opts.format, encoding: opts.encoding });
    const fixedDept = opts.department ? await this.reference.resolveDepartment(opts.department) : null;
    if (opts.department && !fixedDept) throw ValidationError.field('department', `"${opts.department}" is not a known department`);
    const saved = fixedDept ? await this.repo.mapping(fixedDept.id) : {};
    const mapping = mapHeaders(parsed.headers, saved);
    const columnOf = new Map<ImportField, string>([...mapping.fields].map(([h, f]) => [f, h]));
    const report: ImportReport = {
      fileName: file.name,
      format: parsed.format,
      encoding: parsed.encoding,
      total: parsed.rows.length,
      created: 0,
      updated: 0,
      unchanged: 0,
      failed: 0,
      rejected: false,
      columns: { mapped: Object.fromEntries(mapping.fields), kept: mapping.extra },
      byDepartment: {},
      errors: [],
      duplicates: null,
    };
    if (!columnOf.has('title') || !columnOf.has('localId')) {
      const missing = (['localId', 'title'] as const).filter((f) => !columnOf.has(f));
      throw ValidationError.field('file', `has no column for ${missing.join(' and ')} (headers: ${parsed.headers.join(', ')})`);
    }
    if (!fixedDept && !columnOf.has('department')) throw ValidationError.field('department', 'give --department, or a department column in the file');

    const ref = await new ImportReference(this.reference, Boolean(opts.registerMissing), (await this.reference.departmentById(caller.departmentId))!.jurisdictionCode).load();
    const seen = new Map<string, number>();
    const prepared: { row: Row; input: RegisterProjectInput & { localId: string } }[] = [];
    for (const row of parsed.rows) {
      const r = await this.toInput(row, columnOf, mapping.extra, ref, fixedDept?.code, opts);
      if ('problems' in r) {
        this.fail(report, row, r.problems, columnOf, r.department);
        continue;
      }
      const key = `${r.input.department}|${r.input.localId}`;
      if (seen.has(key)) {
        this.fail(report, row, [{ field: 'localId', reason: `repeats local ID "${r.input.localId}" of row ${seen.get(key)}` }], columnOf, r.input.department ?? undefined);
        continue;
      }
      seen.set(key, row.rowNumber);
      prepared.push({ row, input: r.input });
    }

    if (opts.allOrNothing) {
      // Every row by the rules of a registration, all together (rows already registered without
      // their local ID, which they already hold).
      const known = await this.registry.linkedLocalIds(prepared.map(({ input }) => ({ department: input.department!, localId: input.localId })));
      const results = await this.registry.checkMany(
        caller,
        prepared.map(({ input }) => (known.has(`${input.department}|${input.localId}`) ? { ...input, localId: null } : input)),
      );
      results.forEach((r, n) => {
        if (!r.ok) this.failWith(report, prepared[n]!.row, r.error, columnOf, prepared[n]!.input.department ?? undefined);
      });
      if (report.failed > 0) {
        report.rejected = true;
        report.errors.sort((a, b) => a.row - b.row);
        return report;
      }
    }

    let done = report.failed;
    await progress(done, report.total);
    // New rows are registered set by set; rows whose local ID is known update their project one by one.
    const known = await this.registry.linkedLocalIds(prepared.map(({ input }) => ({ department: input.department!, localId: input.localId })));
    const fresh = prepared.filter(({ input }) => !known.has(`${input.department}|${input.localId}`));
    const again = prepared.filter(({ input }) => known.has(`${input.department}|${input.localId}`));
    const createdIds: string[] = [];
    for (let start = 0; start < fresh.length; start += 20000) {
      const batch = fresh.slice(start, start + 20000);
      const results = await this.registry.registerMany(caller, batch.map((b) => b.input));
      results.forEach((r, n) => {
        const { row, input } = batch[n]!;
        if (r.ok) {
          createdIds.push(r.id);
          report.created++;
          this.tally(report, input.department ?? '?', 'created');
        } else this.failWith(report, row, r.error, columnOf, input.department ?? undefined);
      });
      done += batch.length;
      await progress(done, report.total);
    }
    // Known rows that would change nothing are counted as such without a write.
    const toUpdate: typeof again = [];
    for (let start = 0; start < again.length; start += 2000) {
      const batch = again.slice(start, start + 2000);
      const same = await this.registry.unchangedByLocalId(caller, batch.map((b) => b.input));
      batch.forEach((b, n) => {
        if (same[n]) {
          report.unchanged++;
          this.tally(report, b.input.department ?? '?', 'unchanged');
          done++;
        } else toUpdate.push(b);
      });
      await progress(done, report.total);
    }
    // Updates are independent transactions: several at once keep a server busy while each waits on
    // the network (the embedded database has one connection, so there it is one at a time).
    let next = 0;
    const lane = async () => {
      while (next < toUpdate.length) {
        const { row, input } = toUpdate[next++]!;
        try {
          const { outcome } = await this.registry.upsertByLocalId(caller, input, `import of ${file.name}`);
          report[outcome]++;
          this.tally(report, input.department ?? '?', outcome);
        } catch (err) {
          this.failWith(report, row, err, columnOf, input.department ?? undefined);
        }
        if (++done % 200 === 0) await progress(done, report.total);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(8, this.connection.poolSize - 1)) }, lane));
    report.errors.sort((a, b) => a.row - b.row);
    if (opts.duplicateScan !== false && createdIds.length) report.duplicates = await this.checkDuplicates(createdIds);
    await progress(report.total, report.total);
    this.log.log(`${file.name}: ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged, ${report.failed} failed of ${report.total}`);
    return report;
  }

  /**
   * The created projects against the whole registry: a few one by one (the pre-check), many in one
   * scan of the pairs that involve them (the same method, without one query per project).
   */
  private async checkDuplicates(ids: string[]): Promise<NonNullable<ImportReport['duplicates']>> {
    if (ids.length <= 500) {
      const { candidates, outcome } = await this.dedup.precheck(ids);
      const all = [...candidates.values()].flat();
      return { checked: ids.length, likely: all.filter((c) => c.level === 'likely').length, possible: all.filter((c) => c.level === 'possible').length, raised: outcome.raised, reopened: outcome.reopened };
    }
    const scan = await this.dedup.scan({ projectIds: ids });
    return { checked: ids.length, likely: scan.alerts.likely, possible: scan.alerts.possible, raised: scan.outcome.raised, reopened: scan.outcome.reopened };
  }

  private tally(report: ImportReport, department: string, outcome: 'created' | 'updated' | 'unchanged' | 'failed'): void {
    const t = (report.byDepartment[department] ??= { created: 0, updated: 0, unchanged: 0, failed: 0 });
    t[outcome]++;
  }

  private fail(report: ImportReport, row: Row, problems: FieldProblem[], columnOf: Map<ImportField, string>, department?: string): void {
    report.failed++;
    this.tally(report, department ?? '?', 'failed');
    const localId = row.values[columnOf.get('localId') ?? ''] ?? '';
    for (const p of problems) {
      const field = (REGISTRY_FIELD[p.field] ?? p.field) as ImportField;
      const column = columnOf.get(field) ?? p.field;
      report.errors.push({ row: row.rowNumber, localId, column, value: row.values[column] ?? '', reason: p.reason });
    }
  }

  private failWith(report: ImportReport, row: Row, err: unknown, columnOf: Map<ImportField, string>, department?: string): void {
    if (err instanceof ValidationError) return this.fail(report, row, err.problems, columnOf, department);
    if (err instanceof DomainError) return this.fail(report, row, [{ field: String(err.details.field ?? '(row)'), reason: `${err.code}: ${err.message}` }], columnOf, department);
    throw err;
  }

  /** One row as a registration, or the problems that stop it, each naming its field. */
  private async toInput(
    row: Row,
    columnOf: Map<ImportField, string>,
    extra: string[],
    ref: ImportReference,
    fixedDepartment: string | undefined,
    opts: ImportOptions,
  ): Promise<{ input: RegisterProjectInput & { localId: string } } | { problems: FieldProblem[]; department?: string }> {
    const get = (f: ImportField) => (columnOf.has(f) ? (row.values[columnOf.get(f)!] ?? '').trim() : '');
    const problems: FieldProblem[] = [];
    const localId = get('localId');
    if (!localId) problems.push({ field: 'localId', reason: 'is empty; imports need each row\'s own ID so that importing again changes nothing' });

    const deptName = fixedDepartment ?? get('department');
    let department: string | undefined;
    let fund: string | undefined;
    let subFund: string | undefined;
    if (!deptName) problems.push({ field: 'department', reason: 'is empty' });
    else {
      const d = await ref.department(deptName);
      if ('reason' in d) problems.push({ field: 'department', reason: d.reason });
      else {
        department = d.department.code;
        const fs = await ref.fundAndSubFund(d.department, get('fund'), get('subFund'));
        if ('reason' in fs) problems.push({ field: fs.column, reason: fs.reason });
        else {
          fund = fs.fund.code;
          subFund = fs.subFund?.code;
        }
      }
    }
    const yearRaw = get('year');
    const year = yearRaw ? parseYear(yearRaw) : { ok: false as const, reason: 'is empty' };
    if (!year.ok) problems.push({ field: 'year', reason: year.reason });
    const title = get('title');
    if (!title) problems.push({ field: 'title', reason: 'is empty' });
    const orgName = get('orgName');
    if (!orgName) problems.push({ field: 'orgName', reason: 'is empty' });

    const amount = (field: ImportField, unit: 'wan' | 'yuan') => {
      const raw = get(field);
      if (!raw) return undefined;
      const p = parseAmount(raw, unit, field);
      if (!p.ok) problems.push({ field, reason: p.reason });
      return p.ok ? p.value : undefined;
    };
    const requestedYuan = amount('requestedWan', 'wan') ?? amount('requestedYuan', 'yuan');
    const approvedYuan = amount('approvedWan', 'wan');
    const selfRaisedYuan = amount('selfRaisedWan', 'wan');
    const totalInvestmentYuan = amount('totalInvestmentWan', 'wan');

    let plannedStart: string | undefined;
    let plannedEnd: string | undefined;
    if (get('period')) {
      const p = parsePeriod(get('period'));
      if (!p.ok) problems.push({ field: 'period', reason: p.reason });
      else [plannedStart, plannedEnd] = [p.value.start, p.value.end];
    }
    for (const [field, set] of [
      ['startDate', (v: string) => (plannedStart = v)],
      ['endDate', (v: string) => (plannedEnd = v)],
    ] as const) {
      const raw = get(field);
      if (!raw) continue;
      const d = parseDate(raw, { endOfMonth: field === 'endDate' });
      if (!d.ok) problems.push({ field, reason: d.reason });
      else set(d.value);
    }
    let status: RegisterProjectInput['status'];
    if (get('status')) {
      const s = parseStatus(get('status'));
      if (!s.ok) problems.push({ field: 'status', reason: s.reason });
      else status = s.value;
    }
    if (problems.length) return { problems, department };

    const attributes: Record<string, string> = {};
    for (const h of extra) if (row.values[h]) attributes[h] = row.values[h]!;
    const leader = get('leader');
    return {
      input: {
        department,
        fund: fund!,
        subFund,
        year: (year as { value: number }).value,
        title,
        localId,
        organisation: { name: orgName, uscc: get('uscc') || null, allowUnverifiedUscc: opts.allowUnverifiedUscc },
        leader: leader ? { name: leader, idNumber: get('leaderIdNumber') || null } : undefined,
        requestedYuan,
        approvedYuan,
        selfRaisedYuan,
        totalInvestmentYuan,
        plannedStart,
        plannedEnd,
        status,
        supportMethodCode: get('supportMethod') || undefined,
        categoryCode: get('category') || undefined,
        catalogItemCode: get('catalogItem') || undefined,
        summary: get('summary') || undefined,
        keywords: get('keywords') ? splitKeywords(get('keywords')) : undefined,
        attributes: Object.keys(attributes).length ? attributes : undefined,
      },
    };
  }
}
