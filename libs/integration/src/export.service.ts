import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { DataSource } from 'typeorm';
import { displayProjectCode } from '#encoding';
import { ReferenceService } from '#reference';
import { fenToYuan, RegistryService, type ProjectFilter, type ProjectView } from '#registry';
import { NotFoundError } from '#shared/core/index.js';
import { HandlesJob, JobName, type JobContext, type JobHandler, type JobPayload, type JobResult } from '#shared/queue/index.js';

/** Every exported column: its name, its Chinese name, its type and what it means. */
export const DATA_DICTIONARY = [
  { field: 'code', name: '统一项目编码', type: 'text(24)', meaning: 'Unified project code: jurisdiction, year, department, sub-fund, sequence, check character (docs/project-code.md)' },
  { field: 'display_code', name: '统一项目编码(带分隔符)', type: 'text', meaning: 'The same code with hyphens' },
  { field: 'department', name: '主管部门代码', type: 'text', meaning: 'Owning department code' },
  { field: 'department_name', name: '主管部门', type: 'text', meaning: 'Owning department' },
  { field: 'local_ids', name: '部门自有编号', type: 'text', meaning: 'Departments\' own IDs, "CODE:ID" separated by ";"' },
  { field: 'fund', name: '专项代码', type: 'text', meaning: 'Fund code' },
  { field: 'fund_name', name: '专项', type: 'text', meaning: 'Fund' },
  { field: 'sub_fund', name: '子专项序号', type: 'integer', meaning: 'Sub-fund number in the classification table' },
  { field: 'sub_fund_name', name: '子专项', type: 'text', meaning: 'Sub-fund' },
  { field: 'category', name: '分类', type: 'text', meaning: 'Category of the classification table' },
  { field: 'support_method', name: '支持方式', type: 'text', meaning: 'Support method' },
  { field: 'catalog_item', name: '关键技术目录条目', type: 'text', meaning: 'Key-technology catalog item code' },
  { field: 'year', name: '申报年度', type: 'integer', meaning: 'Application year' },
  { field: 'title', name: '项目名称', type: 'text', meaning: 'Title' },
  { field: 'organisation', name: '承担单位', type: 'text', meaning: 'Applicant organisation (canonical name)' },
  { field: 'uscc', name: '统一社会信用代码', type: 'text(18)', meaning: 'Organisation\'s credit code, if known' },
  { field: 'uscc_status', name: '信用代码状态', type: 'text', meaning: 'valid, or unverified (check character fails)' },
  { field: 'leader', name: '项目负责人', type: 'text', meaning: 'Leader\'s name' },
  { field: 'requested_yuan', name: '申请财政资金(元)', type: 'decimal(2)', meaning: 'Fiscal money requested, yuan' },
  { field: 'approved_yuan', name: '核定金额(元)', type: 'decimal(2)', meaning: 'Amount approved, yuan' },
  { field: 'self_raised_yuan', name: '自筹资金(元)', type: 'decimal(2)', meaning: 'Self-raised money, yuan' },
  { field: 'total_investment_yuan', name: '总投资(元)', type: 'decimal(2)', meaning: 'Total investment, yuan' },
  { field: 'planned_start', name: '计划开始日期', type: 'date', meaning: 'Planned start' },
  { field: 'planned_end', name: '计划结束日期', type: 'date', meaning: 'Planned end, extension included' },
  { field: 'extension_months', name: '延期月数', type: 'integer', meaning: 'Months of the one extension, if any' },
  { field: 'status', name: '状态', type: 'text', meaning: 'Lifecycle status (DRAFT … CLOSED, REJECTED, WITHDRAWN, TERMINATED)' },
  { field: 'updated_at', name: '最后修改时间', type: 'timestamp', meaning: 'Last change' },
] as const;

type Row = Record<(typeof DATA_DICTIONARY)[number]['field'], string | number | null>;

/** Export the registry, or a filtered part, as CSV, XLSX or JSON Lines, with the data dictionary. */
@Injectable()
export class ExportService {
  constructor(
    private readonly registry: RegistryService,
    private readonly reference: ReferenceService,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  async export(filter: ProjectFilter, format: 'csv' | 'xlsx' | 'jsonl', progress: (done: number, total: number) => Promise<void> = async () => undefined): Promise<{ content: Buffer; rows: number }> {
    const [departments, funds, methods] = await Promise.all([this.reference.departments(), this.reference.funds(), this.reference.supportMethods()]);
    const code = (id: string) => departments.find((d) => d.id === id)?.code ?? '';
    const toRow = (p: ProjectView): Row => {
      const fund = funds.find((f) => f.id === p.fundId);
      const sub = fund?.subFunds.find((s) => s.id === p.subFundId);
      const yuan = (v: bigint | null) => (v === null ? null : fenToYuan(v));
      return {
        code: p.code,
        display_code: displayProjectCode(p.code),
        department: code(p.departmentId),
        department_name: departments.find((d) => d.id === p.departmentId)?.name ?? '',
        local_ids: p.localIds.map((l) => `${code(l.departmentId)}:${l.localId}`).join(';'),
        fund: fund?.code ?? '',
        fund_name: fund?.name ?? '',
        sub_fund: sub?.number ?? null,
        sub_fund_name: sub?.name ?? null,
        category: p.categoryCode,
        support_method: methods.find((m) => m.code === p.supportMethodCode)?.name ?? null,
        catalog_item: p.catalogItemCode,
        year: p.year,
        title: p.title,
        organisation: p.organisation.name,
        uscc: p.organisation.uscc,
        uscc_status: p.organisation.usccStatus,
        leader: p.leader?.name ?? null,
        requested_yuan: yuan(p.requestedFen),
        approved_yuan: yuan(p.approvedFen),
        self_raised_yuan: yuan(p.selfRaisedFen),
        total_investment_yuan: yuan(p.totalInvestmentFen),
        planned_start: p.plannedStart,
        planned_end: p.plannedEnd,
        extension_months: p.extensionMonths,
        status: p.status,
        updated_at: p.updatedAt.toISOString(),
      };
    };
    const rows: Row[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.registry.list(filter, 200, after);
      rows.push(...page.items.map(toRow));
      await progress(rows.length, page.countExact ? page.totalCount : rows.length);
      if (!page.hasNext) break;
      after = page.items[page.items.length - 1]!.code;
    }
    const fields = DATA_DICTIONARY.map((d) => d.field);
    if (format === 'jsonl') return { content: Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '')), rows: rows.length };
    if (format === 'csv') return { content: Buffer.from('\uFEFF' + stringify(rows, { header: true, columns: fields })), rows: rows.length };
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('项目');
    sheet.addRow(DATA_DICTIONARY.map((d) => d.name)).font = { bold: true };
    // Money stays exact text in the file; a spreadsheet's floating point must not round a fen.
    for (const r of rows) sheet.addRow(fields.map((f) => r[f]));
    const dict = wb.addWorksheet('数据字典');
    dict.addRow(['字段 field', '中文名称', '类型 type', '含义 meaning']).font = { bold: true };
    for (const d of DATA_DICTIONARY) dict.addRow([d.field, d.name, d.type, d.meaning]);
    return { content: Buffer.from(await wb.xlsx.writeBuffer()), rows: rows.length };
  }

  async store(departmentId: string | null, fileName: string, content: Buffer, rows: number): Promise<string> {
    const id = randomUUID();
    await this.ds.query(`INSERT INTO export_file (id, department_id, file_name, content, rows) VALUES ($1, $2, $3, $4, $5)`, [id, departmentId, fileName, content, rows]);
    return id;
  }

  async file(id: string): Promise<{ fileName: string; content: Buffer; departmentId: string | null }> {
    const [row] = (await this.ds.query(`SELECT file_name, content, department_id FROM export_file WHERE id = $1`, [id])) as { file_name: string; content: Buffer; department_id: string | null }[];
    if (!row) throw new NotFoundError('export file', id);
    return { fileName: row.file_name, content: row.content, departmentId: row.department_id };
  }
}

/** Filters travel in job payloads as JSON: amounts as fen strings. */
export function filterToJson(f: ProjectFilter): Record<string, unknown> {
  return { ...f, amountMinFen: f.amountMinFen?.toString(), amountMaxFen: f.amountMaxFen?.toString() };
}

export function filterFromJson(j: Record<string, unknown>): ProjectFilter {
  const f = { ...j } as ProjectFilter & { amountMinFen?: unknown; amountMaxFen?: unknown };
  return { ...f, amountMinFen: typeof j.amountMinFen === 'string' ? BigInt(j.amountMinFen) : undefined, amountMaxFen: typeof j.amountMaxFen === 'string' ? BigInt(j.amountMaxFen) : undefined };
}

@Injectable()
@HandlesJob(JobName.ExportProjects)
export class ExportProjectsHandler implements JobHandler<JobName.ExportProjects> {
  constructor(private readonly exports: ExportService) {}

  async handle(payload: JobPayload<JobName.ExportProjects>, ctx: JobContext): Promise<JobResult<JobName.ExportProjects>> {
    const { content, rows } = await this.exports.export(filterFromJson(payload.filter), payload.format, (d, t) => ctx.progress(d, t));
    const fileName = `projects-${new Date().toISOString().slice(0, 10)}.${payload.format}`;
    const fileId = await this.exports.store(payload.caller.departmentId, fileName, content, rows);
    return { fileId, fileName, rows };
  }
}
