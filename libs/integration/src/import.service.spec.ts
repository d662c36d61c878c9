import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { HistoryService } from '#history';
import { PlatformModule, SeedService } from '#platform';
import { ReferenceService } from '#reference';
import { RegistryService, type Caller } from '#registry';
import { projectRoot } from '#shared/core/index.js';
import { InProcessRunner, JobName, QueueService } from '#shared/queue/index.js';
import { resetDatabase, testConfig, testConnection, testDbKind } from '#shared/testing/index.js';
import { errorReport } from './error-report.js';
import { ImportRepository } from './import.repository.js';
import { ImportService, type ImportReport } from './import.service.js';

const bench = (...p: string[]) => join(projectRoot(), '..', 'shared', 'bench', ...p);

/** The first `n` data lines of a benchmark CSV, with its header. */
function head(file: string, n: number): Buffer {
  const lines = readFileSync(file, 'utf8').split('\n');
  return Buffer.from(lines.slice(0, n + 1).join('\n') + '\n', 'utf8');
}

describe(`bulk import (${testDbKind()} database)`, () => {
  let app: INestApplicationContext;
  let imports: ImportService;
  let registry: RegistryService;
  let xxzx: Caller;
  let kw: Caller;

  beforeAll(async () => {
    await resetDatabase();
    app = await NestFactory.createApplicationContext(PlatformModule.forRoot({ config: testConfig(), connection: testConnection(), processJobs: false }), { logger: false });
    await app.get(SeedService).seed({ demo: false });
    imports = app.get(ImportService);
    registry = app.get(RegistryService);
    const depts = await app.get(ReferenceService).departments();
    const caller = (code: string, role: Caller['role']): Caller => ({ departmentId: depts.find((d) => d.code === code)!.id, departmentCode: code, role, apiKeyId: null });
    xxzx = caller('XXZX', 'INFORMATION_CENTER');
    kw = caller('KW', 'STAFF');
  });
  afterAll(() => app?.close());

  it('imports the synthetic benchmark format as it is, each row as its department, and a second time changes nothing', async () => {
    const file = { name: 'records.csv', content: head(bench('synthetic', 'records.csv'), 400) };
    const first = await imports.run(xxzx, file, {});
    expect(first).toMatchObject({ format: 'csv', encoding: 'utf-8', total: 400, created: 400, updated: 0, failed: 0 });
    expect(first.columns.mapped).toMatchObject({ id: 'localId', department: 'department', subfund: 'subFund', amount_wan: 'requestedWan' });
    const p = await registry.getByLocalId('张江管委会', 'D070002103');
    expect(p).toMatchObject({ title: '数控机床主轴共性技术创新中心建设', year: 2024, requestedFen: 800_000_000n, totalInvestmentFen: 2_930_000_000n, plannedStart: '2024-04-01', plannedEnd: '2027-12-31' });
    expect(p.code.slice(10, 17)).toBe('ZJ00010');

    const second = await imports.run(xxzx, file, {});
    expect(second).toMatchObject({ created: 0, updated: 0, unchanged: 400, failed: 0 });
  });

  it('updates a changed row and records it in the project\'s history as an import', async () => {
    const text = head(bench('synthetic', 'records.csv'), 3).toString().replace('数控机床主轴共性技术创新中心建设', '数控机床主轴共性技术创新中心建设(调整)');
    const report = await imports.run(xxzx, { name: 'records-v2.csv', content: Buffer.from(text) }, {});
    expect(report).toMatchObject({ created: 0, updated: 1, unchanged: 2 });
    const p = await registry.getByLocalId('ZJ', 'D070002103');
    const last = (await app.get(HistoryService).list('project', p.id)).at(-1)!;
    expect(last).toMatchObject({ action: 'UPDATED', reason: 'import of records-v2.csv', departmentId: xxzx.departmentId });
    expect(last.changes).toEqual({ title: { before: '数控机床主轴共性技术创新中心建设', after: '数控机床主轴共性技术创新中心建设(调整)' } });
  });

  it('stores the good rows of a file with bad ones and reports each bad row with its row, column and reason', async () => {
    const csv = [
      'id,department,subfund,year,title,org_name,uscc,leader,amount_wan,total_investment_wan,start_date,end_date,备注',
      'B-1,科委,6,2024,好的项目一,上海测试科技有限公司,,张三,100,300,2024-01-01,2025-12-31,第一批',
      'B-2,科委,6,2024,金额写错的项目,上海测试科技有限公司,,张三,一百,300,2024-01-01,2025-12-31,',
      'B-3,科委,6,,缺少年度的项目,上海测试科技有限公司,,张三,100,300,2024-01-01,2025-12-31,',
      'B-4,不存在的委员会,6,2024,部门不对的项目,上海测试科技有限公司,,张三,100,300,2024-01-01,2025-12-31,',
      'B-5,科委,6,2024,日期写错的项目,上海测试科技有限公司,,张三,100,300,2024-13-01,2025-12-31,',
      'B-6,科委,6,2024,信用代码写错的项目,上海测试科技有限公司,9131000012345678XX,张三,100,300,2024-01-01,2025-12-31,',
      'B-7,科委,2,2024,子专项不属于科委,上海测试科技有限公司,,张三,100,300,2024-01-01,2025-12-31,',
      'B-1,科委,6,2024,编号重复的项目,上海测试科技有限公司,,张三,100,300,2024-01-01,2025-12-31,',
      'B-8,科委,6,2024,好的项目二,上海测试科技有限公司,,李四,200,600,2024-01-01,2025-12-31,',
    ].join('\n');
    const report = await imports.run(xxzx, { name: 'bad.csv', content: Buffer.from(csv) }, {});
    expect(report).toMatchObject({ total: 9, created: 2, failed: 7 });
    const byRow = Object.fromEntries(report.errors.map((e) => [e.row, `${e.column}: ${e.reason}`]));
    expect(byRow).toEqual({
      3: expect.stringMatching(/^amount_wan: "一百" is not an amount in 万元/),
      4: 'year: is empty',
      5: expect.stringMatching(/^department: "不存在的委员会" is not a known department/),
      6: expect.stringMatching(/^start_date: 2024-13-01 is not a date/),
      7: expect.stringMatching(/^uscc: .*check character/),
      8: expect.stringMatching(/^subfund: sub-fund 2 belongs to another department's fund/),
      9: 'id: repeats local ID "B-1" of row 2',
    });
    expect((await registry.getByLocalId('KW', 'B-1')).attributes).toEqual({ 备注: '第一批' });

    const csvReport = (await errorReport(report, 'csv')).toString('utf8');
    expect(csvReport.startsWith('\uFEFF行号 row,')).toBe(true);
    expect(csvReport).toContain('3,B-2,amount_wan,一百,');
    const xlsx = new ExcelJS.Workbook();
    await xlsx.xlsx.load((await errorReport(report, 'xlsx')) as unknown as ArrayBuffer);
    expect(xlsx.worksheets[0]!.rowCount).toBe(8);
  });

  it('stores nothing from a file with a bad row when asked for all or nothing', async () => {
    const csv = ['id,department,subfund,year,title,org_name', 'A-1,科委,5,2024,全有全无一,上海甲公司', 'A-2,科委,5,2024,,上海乙公司'].join('\n');
    const report = await imports.run(xxzx, { name: 'aon.csv', content: Buffer.from(csv) }, { allOrNothing: true });
    expect(report).toMatchObject({ rejected: true, created: 0, failed: 1, errors: [{ row: 3, column: 'title', reason: 'is empty' }] });
    await expect(registry.getByLocalId('KW', 'A-1')).rejects.toThrow(/does not exist/);

    // A name that only turns out ambiguous given the rows before it is caught before anything is stored.
    const ambiguous = [
      'id,department,subfund,year,title,org_name,uscc',
      'A-3,科委,5,2024,同名一,上海同名科技有限公司,91320191790421052D',
      'A-4,科委,5,2024,同名二,上海同名科技有限公司,91341602MA2UR8R5XX',
      'A-5,科委,5,2024,同名三,上海同名科技有限公司,',
    ].join('\n');
    const r2 = await imports.run(xxzx, { name: 'aon2.csv', content: Buffer.from(ambiguous) }, { allOrNothing: true });
    expect(r2).toMatchObject({ rejected: true, created: 0, failed: 1, errors: [{ row: 4, column: 'uscc', reason: expect.stringMatching(/names 2 organisations/) }] });
    await expect(registry.getByLocalId('KW', 'A-3')).rejects.toThrow(/does not exist/);
  });

  it('imports a GBK-encoded CSV with Chinese headers as Chinese Excel saves it', async () => {
    const csv = [
      '项目编号,项目名称,承担单位,统一社会信用代码,项目负责人,申报年度,资助金额(万元),总投资,起止日期,子专项',
      'GBK-1,高精度减速器成果转化,南京欣网通信科技股份有限公司,91320191790421052D,严竹润,2023,150,600,2023.03-2025.02,6',
    ].join('\r\n');
    const report = await imports.run(kw, { name: '科委导出.csv', content: iconv.encode(csv, 'gbk') }, { department: '科委' });
    expect(report).toMatchObject({ encoding: 'gb18030', created: 1, failed: 0 });
    expect(await registry.getByLocalId('KW', 'GBK-1')).toMatchObject({ title: '高精度减速器成果转化', requestedFen: 150_000_000n, plannedStart: '2023-03-01', plannedEnd: '2025-02-28', organisation: { uscc: '91320191790421052D' } });
  });

  it('imports an XLSX workbook with Chinese headers, and JSON Lines', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('项目');
    sheet.addRow(['编号', '项目名称', '承担单位', '申报年度', '子专项', '资助金额（万元）', '开始日期']);
    sheet.addRow(['X-1', '表格导入的项目', '上海表格科技有限公司', 2025, 7, 88.5, new Date(Date.UTC(2025, 0, 15))]);
    const xlsx = await imports.run(kw, { name: 'projects.xlsx', content: Buffer.from(await wb.xlsx.writeBuffer()) }, { department: 'KW' });
    expect(xlsx).toMatchObject({ format: 'xlsx', created: 1, failed: 0 });
    expect(await registry.getByLocalId('KW', 'X-1')).toMatchObject({ requestedFen: 88_500_000n, plannedStart: '2025-01-15', year: 2025 });

    const jsonl = '{"id":"J-1","title":"逐行JSON的项目","org_name":"上海逐行科技有限公司","year":2025,"subfund":"5","extra":{"a":1}}\n';
    const report = await imports.run(kw, { name: 'projects.jsonl', content: Buffer.from(jsonl) }, { department: 'KW' });
    expect(report).toMatchObject({ format: 'jsonl', created: 1 });
    expect((await registry.getByLocalId('KW', 'J-1')).attributes).toEqual({ extra: '{"a":1}' });
  });

  it('imports the real benchmark records, registering their programmes on request, and reports the rows it cannot store without inventing values', async () => {
    // The first 300 rows, plus real rows without a year and without an organisation.
    const records = parse(readFileSync(bench('real', 'projects.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    const rows = [...records.slice(0, 300), records.find((r) => !r.year)!, records.find((r) => !r.org_name)!];
    const content = Buffer.from(stringify(rows, { header: true }));
    const refused = await imports.run(xxzx, { name: 'real.csv', content }, {});
    expect(refused.errors[0]).toMatchObject({ column: 'department', reason: expect.stringMatching(/"国家社会科学基金" is not a known department.*--register-missing/) });

    const report = await imports.run(xxzx, { name: 'real.csv', content }, { registerMissing: true });
    expect(report.created).toBeGreaterThanOrEqual(299);
    expect(report.created + report.failed).toBe(302);
    expect(report.errors.some((e) => e.column === 'year' && e.reason === 'is empty')).toBe(true);
    expect(report.errors.some((e) => e.column === 'org_name' && e.reason === 'is empty')).toBe(true);
    const dept = await app.get(ReferenceService).resolveDepartment('国家社会科学基金');
    expect(dept).toMatchObject({ linkageRole: 'OTHER' });
    const p = await registry.getByLocalId(dept!.code, 'P000001');
    expect(p).toMatchObject({ title: '中国共产党学习理论的创新发展与体系建构研究', year: 2017, attributes: { grant_no: '17ADJ001', discipline: '党史·党建', province: '湖南' } });
    expect(p.requestedFen).toBeNull();
  });

  it('runs as a job with progress, through the queue facade', async () => {
    const fileId = await app.get(ImportRepository).storeFile('records.csv', head(bench('synthetic', 'records.csv'), 450), xxzx.departmentId);
    const queue = app.get(QueueService);
    const run = await queue.enqueue(JobName.ImportProjects, { fileId, caller: xxzx, options: {} });
    const seen: number[] = [];
    const done = await queue.waitFor(run.id, { timeoutMs: 120_000, intervalMs: 20, onProgress: (r) => seen.push(r.progressDone) });
    await app.get(InProcessRunner).idle();
    expect(done).toMatchObject({ status: 'completed', progressDone: 450, progressTotal: 450 });
    expect(done.result).toMatchObject({ created: 50, unchanged: 400 - 1, updated: 1 });
    expect(Math.max(...seen)).toBe(450);
    const _typed: ImportReport = done.result as ImportReport;
    expect(_typed.failed).toBe(0);
  });
});
