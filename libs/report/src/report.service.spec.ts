import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import ExcelJS from 'exceljs';
import type { DataSource } from 'typeorm';
import { MeetingService, TaskService } from '#consultation';
import { CreditService } from '#credit';
import { DedupService } from '#dedup';
import { PlatformModule, SeedService } from '#platform';
import { ReferenceService } from '#reference';
import { ProjectStatus, RegistryService, type Caller } from '#registry';
import { FixedClock } from '#shared/core/index.js';
import { rejection, resetDatabase, testConfig, testConnection, testDbKind } from '#shared/testing/index.js';
import { findChromium, pdfPageCount, screenshot } from './chromium.js';
import { renderHtml } from './render-html.js';
import { ReportCompiler } from './report-compiler.js';
import { ReportService } from './report.service.js';
import { SECTION_KEYS, type AnnualReportData, type Cell, type Section, type Table } from './report.types.js';

/** Real organisations and credit codes of ../shared/bench/orgs/registry.csv. */
const ORG_A = { uscc: '91320191790421052D', name: '南京欣网通信科技股份有限公司' };
const ORG_B = { uscc: '91341602MA2UR8R5XX', name: '亳州市明宇信息技术有限公司' };

const at = (iso: string) => new Date(`${iso}T02:00:00.000Z`);

function section(data: AnnualReportData, key: Section['key']): Section {
  const s = data.sections.find((x) => x.key === key);
  if (!s) throw new Error(`no section ${key}`);
  return s;
}
function table(data: AnnualReportData, key: Section['key'], id: string): Table {
  const t = section(data, key).tables.find((x) => x.id === id);
  if (!t) throw new Error(`no table ${key}/${id}`);
  return t;
}
/** A table as { first cell → the rest }, for comparing with hand-computed rows. */
function rows(t: Table): Record<string, Cell[]> {
  return Object.fromEntries(t.rows.map((r) => [String(r[0]), r.slice(1)]));
}

/**
 * A small year of linkage work, every figure of which is computed by hand below:
 * 2023: P0 (科委, 100 万元 requested).
 * 2024: P1 经信委 200 万元 → approved 180 万元 in May, 54 万元 paid in June;
 *       P2 科委 150 万元 and P3 张江 80 万元, the same company's same project → one alert, confirmed in July;
 *       a credit record (经信委, serious) on ORG_B, then P4 经信委 50 万元 for ORG_B → blocked at registration;
 *       one project consultation (held in August, one item approved); three tasks (done on time, overdue, ongoing).
 * 2025: P2 approved and paid, task 2 done late, another credit record — none of which a report as of 2024-12-31 may see.
 */
describe(`annual report (${testDbKind()} database, frozen clock)`, () => {
  let app: INestApplicationContext;
  let reports: ReportService;
  let compiler: ReportCompiler;
  const clock = new FixedClock(at('2023-03-01'));
  const callers: Record<string, Caller> = {};
  const codes: Record<string, string> = {};

  beforeAll(async () => {
    await resetDatabase();
    app = await NestFactory.createApplicationContext(PlatformModule.forRoot({ config: testConfig(), connection: testConnection(), processJobs: false, clock }), { logger: false });
    await app.get(SeedService).seed({ demo: false });
    reports = app.get(ReportService);
    compiler = app.get(ReportCompiler);
    const registry = app.get(RegistryService);
    const credit = app.get(CreditService);
    const meetings = app.get(MeetingService);
    const tasks = app.get(TaskService);
    const roles: Record<string, Caller['role']> = { KW: 'STAFF', JXW: 'LEADING', ZJ: 'STAFF', MHKW: 'LEADING', DSF: 'STAFF' };
    for (const d of await app.get(ReferenceService).departments()) if (roles[d.code]) callers[d.code] = { departmentId: d.id, departmentCode: d.code, role: roles[d.code]!, apiKeyId: null };
    const money = (requested: string) => ({ requestedYuan: requested, selfRaisedYuan: requested, totalInvestmentYuan: String(Number(requested) * 2) });

    codes.P0 = (await registry.register(callers.KW!, { fund: 'CGZHYY', subFund: '5', year: 2023, title: '前一年度小巨人培育项目', organisation: { name: '上海前年测试科技有限公司' }, ...money('1000000') })).code;
    // A record whose twelve months end on 31 December 2024: it expired in 2024.
    clock.set(at('2024-01-05'));
    await credit.create(callers.JXW!, {
      organisation: { name: '上海年初失信测试有限公司' }, behaviour: 'MISUSE_OF_FUNDS', severity: 'general', decisionNumber: '沪经信审〔2023〕99号', decisionDate: '2023-12-20',
      legalBasis: '沪经信规〔2017〕116号', effectiveDate: '2024-01-01', restrictionMonths: 12, measures: ['NO_LINKAGE_APPLICATIONS'], visibility: 'internal',
    });
    clock.set(at('2024-02-10'));
    codes.P1 = (await registry.register(callers.JXW!, { fund: 'CYJSCX', subFund: '1', year: 2024, title: '工业机器人精密减速器产学研联合攻关', supportMethodCode: 'GRANT', organisation: { name: '上海海晟科技机器人有限公司' }, status: ProjectStatus.EXPERT_REVIEW, ...money('2000000') })).code;
    clock.set(new Date('2024-02-10T03:00:00Z'));
    codes.P2 = (await registry.register(callers.KW!, { fund: 'CGZHYY', subFund: '6', year: 2024, title: '面向5G基站的高可靠通信模组研发及产业化', supportMethodCode: 'GRANT', organisation: ORG_A, leader: { name: '张伟' }, status: ProjectStatus.EXPERT_REVIEW, ...money('1500000') })).code;
    clock.set(at('2024-02-11'));
    codes.P3 = (await registry.register(callers.ZJ!, { fund: 'ZJZZCX', subFund: '8', year: 2024, title: '面向5G基站的高可靠通信模组研发及产业化', supportMethodCode: 'POST_SUBSIDY', organisation: ORG_A, leader: { name: '张伟' }, ...money('800000') })).code;
    clock.set(at('2024-02-12'));
    const p1 = await registry.get(codes.P1!);
    await credit.recordCommitment(callers.JXW!, p1.id, { signedBy: '上海海晟科技机器人有限公司 法定代表人', signedAt: '2024-02-12T10:00:00+08:00' });
    clock.set(at('2024-03-01'));
    await credit.create(callers.JXW!, {
      organisation: ORG_B, behaviour: 'MISUSE_OF_FUNDS', severity: 'serious', decisionNumber: '沪经信审〔2024〕7号', decisionDate: '2024-02-20',
      legalBasis: '沪经信规〔2017〕116号 第五条(六)', effectiveDate: '2024-03-01', restrictionMonths: 24, measures: ['NO_LINKAGE_APPLICATIONS'], visibility: 'internal',
    });
    clock.set(at('2024-03-05'));
    codes.P4 = (await registry.register(callers.JXW!, { fund: 'RJJCDL', subFund: '3', year: 2024, title: '车规级芯片首轮流片', organisation: ORG_B, ...money('500000') })).code;
    clock.set(at('2024-04-01'));
    const t1 = await tasks.create(callers.JXW!, { number: '1', title: '技术转移服务平台', content: '建设技术转移服务平台', lead: ['市科委'], deadline: '2024-06-30' });
    const t2 = await tasks.create(callers.JXW!, { number: '2', title: '成果转化统计', content: '建立成果转化统计制度', lead: ['市经信委'], deadline: '2024-09-30' });
    await tasks.create(callers.JXW!, { number: '3', title: '人才激励', content: '落实科技人才激励政策', lead: ['张江高新区管委会'], deadline: '持续推进' });
    clock.set(at('2024-05-20'));
    await registry.transition(callers.JXW!, codes.P1!, ProjectStatus.APPROVED, { approvedYuan: '1800000' });
    clock.set(at('2024-06-01'));
    await registry.recordPayment(callers.JXW!, codes.P1!, { stage: 'APPROVAL', amountYuan: '540000', paidOn: '2024-06-01' });
    clock.set(at('2024-06-15'));
    await tasks.close(callers.KW!, t1.id, 'done', '平台已上线');
    clock.set(at('2024-07-01'));
    const ds = app.get<DataSource>(getDataSourceToken());
    const [alert] = (await ds.query(`SELECT id FROM duplicate_alert`)) as { id: string }[];
    await app.get(DedupService).review(callers.KW!, alert!.id, 'confirmed', '同一单位同一项目向两个部门申报');
    clock.set(at('2024-08-01'));
    let m = await meetings.convene(callers.JXW!, { kind: 'project', title: '2024年第一次项目会商', startsAt: '2024-08-10T09:00:00+08:00', place: '市经信委会议室', participants: ['KW', 'ZJ'] });
    m = await meetings.addItem(callers.JXW!, m.id, { kind: 'project', projectCode: codes.P2, title: '通信模组项目的支持部门', reason: '跨部门重复申报' });
    await meetings.freezeAgenda(callers.JXW!, m.id);
    clock.set(at('2024-08-10'));
    await meetings.hold(callers.JXW!, m.id);
    await meetings.decide(callers.JXW!, m.id, m.agenda[0]!.id, { decision: 'approve', rationale: '由科委支持,张江不再支持' });
    clock.set(at('2024-08-15'));
    await meetings.approveMinutes(callers.JXW!, m.id, '会议同意由科委支持该项目。');
    // Registered in 2024 for an application year outside the five years held: a September registration all the same.
    clock.set(at('2024-09-01'));
    await registry.register(callers.KW!, { fund: 'CGZHYY', subFund: '7', year: 2019, title: '补录的二〇一九年度生物医药转化项目', organisation: { name: '上海补录测试生物科技有限公司' }, ...money('600000') });
    // Minhang's project and payment belong to Minhang's report, not Shanghai's.
    clock.set(at('2024-09-02'));
    const mh = await registry.register(callers.MHKW!, {
      fund: 'MHGJHX', subFund: '01', catalogItemCode: 'MH05', year: 2024, title: '闵行区关键核心技术攻关测试项目', organisation: { name: '上海闵行测试科技有限公司' },
      status: ProjectStatus.APPROVED, requestedYuan: '1000000', approvedYuan: '1000000', selfRaisedYuan: '1000000', totalInvestmentYuan: '2000000',
    });
    clock.set(at('2024-09-10'));
    await registry.recordPayment(callers.MHKW!, mh.code, { stage: 'APPROVAL', amountYuan: '300000', paidOn: '2024-09-10' });
    // A progress note that starts like a closing is still a note: task 2 stays open.
    clock.set(at('2024-09-15'));
    await tasks.recordProgress(callers.JXW!, t2.id, '[done] 上半年工作已完成');

    // 2025: changes a report as of 2024-12-31 must not see.
    clock.set(at('2025-02-01'));
    await registry.transition(callers.KW!, codes.P2!, ProjectStatus.APPROVED);
    await registry.recordPayment(callers.KW!, codes.P2!, { stage: 'APPROVAL', amountYuan: '450000', paidOn: '2025-02-01' });
    await tasks.close(callers.JXW!, t2.id, 'done', '制度已印发');
    await credit.create(callers.JXW!, {
      organisation: { name: '上海次年失信测试有限公司' }, behaviour: 'MISUSE_OF_FUNDS', severity: 'general', decisionNumber: '沪经信审〔2025〕1号', decisionDate: '2025-01-20',
      legalBasis: '沪经信规〔2017〕116号', effectiveDate: '2025-02-01', restrictionMonths: 12, measures: ['NO_LINKAGE_APPLICATIONS'], visibility: 'internal',
    });
    clock.set(at('2025-03-01'));
  });
  afterAll(() => app?.close());

  it('counts projects and money by department, sub-fund, category, support method and month, as hand-computed', async () => {
    const data = await compiler.compile(2024, '2024-12-31', '310000');
    expect(data.title).toBe('上海市2024年度科技专项资金部门联动管理工作报告');
    expect(data.sections.map((s) => s.key)).toEqual([...SECTION_KEYS]);
    // [applications, approved, requested 万元, approved 万元, paid 万元]
    const byDept = table(data, 'projects', 'byDepartment');
    expect(rows(byDept)).toEqual({
      上海市经济和信息化委员会: [2, 1, 250, 180, 54],
      上海市科学技术委员会: [1, 0, 150, 0, 0],
      上海市张江高新技术产业开发区管理委员会: [1, 0, 80, 0, 0],
    });
    expect(byDept.total).toEqual(['合计', 4, 1, 480, 180, 54]);
    const bySub = rows(table(data, 'projects', 'bySubFund'));
    expect(bySub['1. 产业技术创新专项—引进技术吸收创新、产业创新联盟、产学研']).toEqual([1, 1, 200, 180, 54]);
    expect(bySub['3. 软件集成电路发展专项—产业化项目、首轮流片']).toEqual([1, 0, 50, 0, 0]);
    expect(bySub['5. 成果转化与应用资金—科技小巨人']).toEqual([0, 0, 0, 0, 0]);
    expect(Object.keys(bySub)).toHaveLength(10);
    // The category comes from the sub-fund: 1 and 8 are 产业技术创新体系, 3 科技成果转化和产业化, 6 产业科技攻关.
    const byCategory = rows(table(data, 'projects', 'byCategory'));
    expect(byCategory['产业技术创新体系']).toEqual([2, 1, 280, 180, 54]);
    expect(byCategory['科技成果转化和产业化']).toEqual([1, 0, 50, 0, 0]);
    expect(byCategory['产业科技攻关']).toEqual([1, 0, 150, 0, 0]);
    expect(byCategory['技术创新载体建设']).toEqual([0, 0, 0, 0, 0]);
    const byMethod = rows(table(data, 'projects', 'bySupportMethod'));
    expect(byMethod['无偿资助']).toEqual([2, 1, 350, 180, 54]);
    expect(byMethod['后补助']).toEqual([1, 0, 80, 0, 0]);
    expect(byMethod['未填报']).toEqual([1, 0, 50, 0, 0]);
    // Shanghai's funds use no key-technology catalog: every project is "未填报".
    expect(rows(table(data, 'projects', 'byField'))['未填报']).toEqual([4, 1, 480, 180, 54]);
    // [registered, approved, paid 万元] by month of 2024 (P0 was registered in 2023).
    const byMonth = rows(table(data, 'projects', 'byMonth'));
    expect(byMonth['2月']).toEqual([3, 0, 0]);
    expect(byMonth['3月']).toEqual([1, 0, 0]);
    expect(byMonth['5月']).toEqual([0, 1, 0]);
    expect(byMonth['6月']).toEqual([0, 0, 54]);
    // The 2019 application registered in September; Minhang's September payment is not Shanghai's.
    expect(byMonth['9月']).toEqual([1, 0, 0]);
    expect(table(data, 'projects', 'byMonth').total).toEqual(['合计', 5, 1, 54]);
    const classification = table(data, 'projects', 'classification');
    expect(classification.rows[0]).toEqual([1, '产业技术创新专项—引进技术吸收创新、产业创新联盟、产学研', '产业技术创新体系', '经信委', 1, 1, 180]);
    expect(classification.rows[7]).toEqual([8, '张江国家自主创新专项—打造创新产业集群(新兴产业龙头企业牵头构建技术创新联盟)', '产业技术创新体系', '张江管委会', 1, 0, 0]);
  });

  it('gives the overview with the change from the previous year', async () => {
    const data = await compiler.compile(2024, '2024-12-31', '310000');
    // [2023, 2024, change, change %]
    expect(rows(table(data, 'overview', 'headline'))).toEqual({
      '申报项目(项)': [1, 4, 3, 300],
      '立项项目(项)': [0, 1, 1, null],
      '查重预警(条)': [0, 1, 1, null],
      '确认重复(条)': [0, 1, 1, null],
      '新增失信记录(条)': [0, 2, 2, null],
      '召开会商会议(次)': [0, 1, 1, null],
    });
    expect(rows(table(data, 'overview', 'headlineMoney'))).toEqual({
      申请财政资金: [100, 480, 380, 380],
      立项金额: [0, 180, 180, null],
      已拨付金额: [0, 54, 54, null],
    });
    const funds = table(data, 'overview', 'funds');
    expect(funds.rows).toHaveLength(5);
    expect(funds.total).toEqual(['合计', null, 10, 4]);
    expect(section(data, 'projects').charts.find((c) => c.id === 'departmentMoney')!.labels).toEqual(['经信委', '科委', '张江管委会']);
    const trend = section(data, 'overview').charts[0]!;
    expect(trend.labels).toEqual(['2020', '2021', '2022', '2023', '2024']);
    expect(trend.series.map((s) => s.values)).toEqual([[0, 0, 0, 1, 4], [0, 0, 0, 0, 1]]);
  });

  it('counts duplicate checks, alerts, decisions and the money confirmed duplicates concerned', async () => {
    const data = await compiler.compile(2024, '2024-12-31', '310000');
    expect(rows(table(data, 'duplicates', 'summary'))).toMatchObject({
      '登记时查重的项目(项)': [4],
      '批量查重扫描(次)': [0],
      '预警总数(条)': [1],
      '确认重复(条)': [1],
      '待核查(条)': [0],
      '关联但不重复(条)': [0],
      '确认重复涉及项目(项)': [1],
      // P3, the later application of the confirmed pair: 80 万元 requested.
      '确认重复涉及金额(万元)': [80],
    });
    expect(rows(table(data, 'duplicates', 'byDepartmentPair'))).toEqual({ '上海市张江高新技术产业开发区管理委员会 — 上海市科学技术委员会': [1, 1, 1] });
    expect(rows(table(data, 'duplicates', 'byDepartment'))['上海市科学技术委员会']).toEqual([1, 1, 1, 1, 0]);
    // As of the day before the review, the alert was still open.
    const before = await compiler.compile(2024, '2024-06-30', '310000');
    expect(rows(table(before, 'duplicates', 'summary'))['待核查(条)']).toEqual([1]);
    expect(rows(table(before, 'duplicates', 'summary'))['确认重复(条)']).toEqual([0]);
  });

  it('counts commitments, reviews by outcome, records and blocked applications', async () => {
    const data = await compiler.compile(2024, '2024-12-31', '310000');
    // Reviews: registration of P1, P2, P3, the 2019 project (pass) and P4 (block); before approving P1; before paying P1. Not Minhang's.
    expect(rows(table(data, 'credit', 'summary'))).toEqual({
      '签署信用承诺(份)': [1],
      '信用审查(次)': [7],
      '其中:通过': [6],
      '其中:提示': [0],
      '其中:阻止': [1],
      '被阻止的申报项目(项)': [1],
      '其中:经牵头部门决定放行(项)': [0],
      '新增失信记录(条)': [2],
      '其中:严重失信': [1],
      // The record whose restriction ended on 2024-12-31.
      '期满失效(条)': [1],
      '信用修复(条)': [0],
      '撤销(条)': [0],
    });
    expect(rows(table(data, 'credit', 'reviewsByTrigger'))).toEqual({ 申报登记: [4, 0, 1, 5], 立项前: [1, 0, 0, 1], 拨付前: [1, 0, 0, 1] });
    // As of the day before it ended, it had not expired.
    expect(rows(table(await compiler.compile(2024, '2024-12-30', '310000'), 'credit', 'summary'))['期满失效(条)']).toEqual([0]);
  });

  it('counts meetings by kind, decisions by outcome, and tasks on time, overdue and done', async () => {
    const data = await compiler.compile(2024, '2024-12-31', '310000');
    // [convened, held, minutes approved, items decided]
    expect(rows(table(data, 'consultation', 'meetingsByKind'))['项目会商']).toEqual([1, 1, 1, 1]);
    expect(table(data, 'consultation', 'meetingsByKind').total).toEqual(['合计', 1, 1, 1, 1]);
    expect(rows(table(data, 'consultation', 'itemsByDecision'))['同意']).toEqual([1, 0, 0, 0, 0, 0, 1]);
    // [tasks, done on time, done late, not yet due, ongoing, overdue, cancelled]
    expect(rows(table(data, 'tasks', 'byDepartment'))).toEqual({
      上海市经济和信息化委员会: [1, 0, 0, 0, 0, 1, 0],
      上海市科学技术委员会: [1, 1, 0, 0, 0, 0, 0],
      上海市张江高新技术产业开发区管理委员会: [1, 0, 0, 0, 1, 0, 0],
    });
    // Task 2 was done in 2025, after its deadline: late as of a day in 2025.
    const later = await compiler.compile(2024, '2025-02-28', '310000');
    expect(rows(table(later, 'tasks', 'byDepartment'))['上海市经济和信息化委员会']).toEqual([1, 0, 1, 0, 0, 0, 0]);
    const quality = rows(table(data, 'quality', 'byDepartment'));
    // [imports, created, updated, unchanged, failed, unlinked, projects, unverified code, no code, approved without amount]
    expect(quality['上海市经济和信息化委员会']).toEqual([0, 0, 0, 0, 0, 0, 2, 0, 1, 0]);
  });

  it('gives the same figures for the same year and day whatever happened since, and the later figures as of a later day', async () => {
    const a = await reports.generate({ year: 2024, asOf: '2024-12-31', jurisdiction: '310000' }, { departmentId: callers.JXW!.departmentId });
    clock.set(at('2025-03-02'));
    await app.get(RegistryService).transition(callers.JXW!, codes.P4!, ProjectStatus.WITHDRAWN, { reason: '申请单位撤回' });
    const b = await reports.generate({ year: 2024, asOf: '2024-12-31', jurisdiction: '310000' }, { departmentId: callers.JXW!.departmentId });
    expect(b.contentHash).toBe(a.contentHash);
    expect(b.id).not.toBe(a.id);
    const later = await compiler.compile(2024, '2025-02-28', '310000');
    expect(table(later, 'projects', 'byDepartment').total).toEqual(['合计', 4, 2, 480, 330, 99]);
    expect((await reports.list(null, 2024)).map((r) => r.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(a).toMatchObject({ year: 2024, asOf: '2024-12-31', jurisdiction: '310000', generatedBy: 'JXW', provisional: false, hasPdf: Boolean(findChromium()) });
    // Compiled on its own day, a report is provisional: what is recorded later that day would change it.
    expect(await reports.generate({ year: 2025, asOf: '2025-03-02', jurisdiction: '310000' }, { departmentId: null })).toMatchObject({ provisional: true });
    expect(a.sections.map((s) => s.title)).toEqual(['总体情况', '项目与资金', '重复支持核查', '信用管理', '会商协调', '督办任务', '数据质量']);
  });

  it('writes a workbook with a Chinese sheet per section, numbers as numbers and money in 万元 with two decimals', async () => {
    const r = await reports.generate({ year: 2024, asOf: '2024-12-31', jurisdiction: '310000' }, { departmentId: null });
    const f = await reports.file(null, r.id, 'xlsx');
    expect(f.fileName).toBe('annual-report-310000-2024-as-of-2024-12-31.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(f.content as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['封面', '一、总体情况', '二、项目与资金', '三、重复支持核查', '四、信用管理', '五、会商协调', '六、督办任务', '七、数据质量']);
    const ws = wb.getWorksheet('二、项目与资金')!;
    let found = false;
    ws.eachRow((row) => {
      if (row.getCell(1).value === '上海市经济和信息化委员会' && !found) {
        found = true;
        expect([2, 3, 4, 5, 6].map((c) => row.getCell(c).value)).toEqual([2, 1, 250, 180, 54]);
        expect(row.getCell(5).numFmt).toBe('#,##0.00');
        expect(row.getCell(2).numFmt).toBe('#,##0');
      }
    });
    expect(found).toBe(true);
  });

  it('prints to PDF with the system\'s headless browser, one page break per section, or says that it cannot', async () => {
    const r = await reports.generate({ year: 2024, asOf: '2024-12-31', jurisdiction: '310000' }, { departmentId: null });
    if (findChromium()) {
      const pdf = await reports.file(null, r.id, 'pdf');
      expect(pdf.mediaType).toBe('application/pdf');
      expect(pdf.content.subarray(0, 5).toString()).toBe('%PDF-');
      // Cover, contents, and each of the seven sections on pages of its own.
      expect(pdfPageCount(pdf.content)).toBeGreaterThanOrEqual(9);
      // And drawn as an image of the screen (1000 × 1400 px PNG), the way an official first sees it.
      const png = await screenshot(findChromium()!, (await reports.file(null, r.id, 'html')).content.toString('utf8'), 1000, 1400);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1000, 1400]);
    } else {
      expect(await rejection(reports.file(null, r.id, 'pdf'))).toMatchObject({ code: 'VALIDATION_FAILED', details: { problems: [{ field: 'format', reason: expect.stringMatching(/headless browser/) }] } });
    }
  });

  it('renders a printable document with every section, table and chart', async () => {
    const data = await compiler.compile(2024, '2024-12-31', '310000');
    const html = renderHtml(data, { compiledBy: '上海市经济和信息化委员会(牵头部门)编制' });
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('@page { size: A4;');
    for (const s of data.sections) {
      expect(html).toContain(`<section id="${s.key}" data-section="${s.key}">`);
      for (const t of s.tables) expect(html).toContain(`data-table="${t.id}"`);
      // Each chart is an inline SVG, or says that the year has no data for it.
      for (const c of s.charts) expect(html).toMatch(new RegExp(`<figure class="chart" data-chart="${c.id}"><figcaption>图\\d-\\d [^<]+</figcaption>(<svg [^>]*data-chart="${c.id}"|<p class="empty")`));
      expect(s.charts.length).toBeGreaterThan(0);
    }
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(8);
    expect(html).toContain('一、总体情况');
    expect(html).toContain('七、数据质量');
    // The same figures draw the same document.
    expect(renderHtml(data, { compiledBy: '上海市经济和信息化委员会(牵头部门)编制' })).toBe(html);
  });

  it('is compiled by the leading department only, for a past day, and names each bad parameter', async () => {
    expect(() => reports.assertMayGenerate(callers.KW!)).toThrow(/leading department/);
    expect(() => reports.assertMayGenerate(callers.JXW!)).not.toThrow();
    expect(await rejection(reports.parameters('20x4', '2024-02-30', '999999'))).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { problems: [{ field: 'year' }, { field: 'asOf' }, { field: 'jurisdiction' }] },
    });
    expect(await rejection(reports.parameters(2024, '2023-12-31'))).toMatchObject({ details: { problems: [{ field: 'asOf', reason: expect.stringMatching(/before the year 2024 begins/) }] } });
    expect(await rejection(reports.parameters(2024, '2025-03-03'))).toMatchObject({ details: { problems: [{ field: 'asOf', reason: expect.stringMatching(/future/) }] } });
    expect(await reports.parameters(2024, null, null, callers.KW!.departmentId)).toEqual({ year: 2024, asOf: '2025-03-02', jurisdiction: '310000' });
    expect(await rejection(reports.file(null, 'not-an-id', 'html'))).toMatchObject({ code: 'VALIDATION_FAILED', details: { problems: [{ field: 'id' }] } });
    expect(await rejection(reports.file(null, '00000000-0000-4000-8000-000000000000', 'html'))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('is read by the linkage departments of its own jurisdiction only, and compiled by its own leading department', async () => {
    const [r] = await reports.list(null, 2024);
    expect((await reports.list(callers.KW!, 2024)).map((x) => x.id)).toContain(r!.id);
    expect((await reports.file(callers.ZJ!, r!.id, 'html')).content.toString('utf8')).toContain('<html lang="zh-CN">');
    // Minhang's leading department sees no Shanghai report, and cannot compile one.
    expect(await reports.list(callers.MHKW!, 2024)).toEqual([]);
    expect(await rejection(reports.get(callers.MHKW!, r!.id))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(reports.assertOwnJurisdiction(callers.MHKW!, '310000'))).toMatchObject({ code: 'FORBIDDEN' });
    await reports.assertOwnJurisdiction(callers.JXW!, '310000');
    // A third-party agency is no linkage department.
    expect(await rejection(reports.list(callers.DSF!, 2024))).toMatchObject({ code: 'FORBIDDEN' });
  });
});
