import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HistoryService } from '#history';
import { PlatformModule, SeedService } from '#platform';
import { ReferenceService } from '#reference';
import { ProjectStatus, RegistryService, type Caller, type RegisterProjectInput } from '#registry';
import { FixedClock } from '#shared/core/index.js';
import { rejection, resetDatabase, testConfig, testConnection, testDbKind } from '#shared/testing/index.js';
import { CreditService } from './credit.service.js';
import type { CreditRecordInput } from './credit.types.js';

/** Real organisations and credit codes of ../shared/bench/orgs/registry.csv. */
const ORG_A = { uscc: '91320191790421052D', name: '南京欣网通信科技股份有限公司' };
const ORG_B = { uscc: '91341602MA2UR8R5XX', name: '亳州市明宇信息技术有限公司' };


const record = (over: Partial<CreditRecordInput> = {}): CreditRecordInput => ({
  organisation: ORG_A,
  behaviour: 'MISUSE_OF_FUNDS',
  severity: 'serious',
  decisionNumber: `沪经信审〔2024〕${Math.floor(Math.random() * 1e6)}号`,
  decisionDate: '2024-01-10',
  legalBasis: '沪经信规〔2017〕116号 第五条(六)',
  effectiveDate: '2024-01-15',
  restrictionMonths: 12,
  measures: ['NO_LINKAGE_APPLICATIONS'],
  visibility: 'internal',
  ...over,
});

describe(`credit (${testDbKind()} database, frozen clock)`, () => {
  let app: INestApplicationContext;
  let credit: CreditService;
  let registry: RegistryService;
  const clock = new FixedClock(new Date('2024-06-01T02:00:00Z'));
  const callers: Record<string, Caller> = {};
  const ids: string[] = [];

  beforeAll(async () => {
    await resetDatabase();
    app = await NestFactory.createApplicationContext(PlatformModule.forRoot({ config: testConfig(), connection: testConnection(), processJobs: false, clock }), { logger: false });
    await app.get(SeedService).seed({ demo: false });
    credit = app.get(CreditService);
    registry = app.get(RegistryService);
    const roles: Record<string, Caller['role']> = { KW: 'STAFF', JXW: 'LEADING', ZJ: 'STAFF', FGW: 'READER', MHKW: 'STAFF' };
    for (const d of await app.get(ReferenceService).departments()) if (roles[d.code]) callers[d.code] = { departmentId: d.id, departmentCode: d.code, role: roles[d.code]!, apiKeyId: null };
  });
  afterEach(async () => {
    // Each scenario leaves no record in force for the next one.
    clock.set(new Date('2024-06-01T02:00:00Z'));
    for (const id of ids.splice(0)) {
      const r = await credit.get({ kind: 'department' }, id);
      if (r.status !== 'revoked') await credit.revoke(callers[r.departmentId === callers.JXW!.departmentId ? 'JXW' : r.departmentId === callers.KW!.departmentId ? 'KW' : 'ZJ']!, id, '测试清理');
    }
  });
  afterAll(() => app?.close());

  const create = async (caller: Caller, input: CreditRecordInput) => {
    const r = await credit.create(caller, input);
    ids.push(r.id);
    return r;
  };

  it('restricts until the last day of its period, then expires (the daily job writes it, with history)', async () => {
    const r = await create(callers.JXW!, record());
    expect((await credit.check({ organisationUscc: ORG_A.uscc, asOf: '2025-01-14' })).outcome).toBe('block');
    const after = await credit.check({ organisationUscc: ORG_A.uscc, asOf: '2025-01-15' });
    expect(after).toEqual({ outcome: 'pass', asOf: '2025-01-15', findings: [] });
    clock.set(new Date('2025-01-15T01:00:00Z'));
    expect((await credit.get({ kind: 'department' }, r.id)).status).toBe('active');
    const daily = await credit.daily();
    expect(daily.expired).toBe(1);
    expect((await credit.get({ kind: 'department' }, r.id)).status).toBe('expired');
    const history = await app.get(HistoryService).list('credit_record', r.id);
    expect(history.map((h) => h.action)).toEqual(['CREATED', 'EXPIRED']);
    // As of a day within its period it was in force, written expired or not (an application deadline in the past).
    expect((await credit.check({ organisationUscc: ORG_A.uscc, asOf: '2024-12-31' })).outcome).toBe('block');
  });

  it('re-checks the open applications a new record concerns, with a notice in their history', async () => {
    const org = { name: '上海日检测试科技有限公司' };
    const open = await registry.register(callers.KW!, { fund: 'CGZHYY', subFund: '6', year: 2024, title: '日检测试项目', organisation: org });
    expect((await credit.latestReview(open.id))!.outcome).toBe('pass');
    await create(callers.ZJ!, record({ organisation: org, behaviour: 'FALSE_APPLICATION' }));
    const daily = await credit.daily();
    expect(daily.rechecked).toBeGreaterThanOrEqual(1);
    expect(daily.changed).toBe(1);
    expect(await credit.latestReview(open.id)).toMatchObject({ outcome: 'block', trigger: 'daily' });
    const notice = (await app.get(HistoryService).list('project', open.id)).at(-1)!;
    expect(notice).toMatchObject({ action: 'CREDIT_REVIEWED', reason: 'daily', changes: { credit: { before: 'pass', after: 'block' } } });
    // Run again: nothing new to say.
    expect((await credit.daily()).changed).toBe(0);
  });

  it('keeps an indefinite record in force', async () => {
    await create(callers.JXW!, record({ restrictionMonths: null, indefinite: true, behaviour: 'DATA_FABRICATION' }));
    const far = await credit.check({ organisationUscc: ORG_A.uscc, asOf: '2040-01-01' });
    expect(far.outcome).toBe('block');
    expect(far.findings[0]).toMatchObject({ rule: 'RESTRICTION_IN_FORCE', matchedBy: `credit code ${ORG_A.uscc}` });
    expect(far.findings[0]!.detail).toMatch(/indefinitely/);
    const both = await rejection(credit.create(callers.JXW!, record({ restrictionMonths: 6, indefinite: true })));
    expect(both.message).toMatch(/restrictionMonths: give months or indefinite, not both/);
  });

  it('lifts a repaired record, keeping the repair decision', async () => {
    const r = await create(callers.JXW!, record());
    expect((await credit.check({ organisationUscc: ORG_A.uscc })).outcome).toBe('block');
    expect((await rejection(credit.repair(callers.JXW!, r.id, { decisionNumber: '', decisionDate: '2024-05-30' }, '已整改')))).toMatchObject({ code: 'VALIDATION_FAILED' });
    const repaired = await credit.repair(callers.JXW!, r.id, { decisionNumber: '沪经信信修〔2024〕2号', decisionDate: '2024-05-30' }, '已退回资金并完成整改');
    expect(repaired).toMatchObject({ status: 'repaired', repair: { decisionNumber: '沪经信信修〔2024〕2号', decisionDate: '2024-05-30' }, statusNote: '已退回资金并完成整改' });
    expect((await credit.check({ organisationUscc: ORG_A.uscc })).outcome).toBe('pass');
    expect(await rejection(credit.object(callers.JXW!, r.id, '当事人提出异议'))).toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  it("applies Minhang's rule to the day: no violation in the two years before the application deadline", async () => {
    // A tax violation with no restriction on applying, long expired: only the fund's own rule still sees it.
    await create(callers.JXW!, record({ organisation: ORG_B, behaviour: 'TAX_VIOLATION', severity: 'general', decisionDate: '2023-03-10', effectiveDate: '2023-03-10', restrictionMonths: 6, measures: ['PUBLIC_NOTICE'] }));
    const onTheDay = await credit.check({ organisationUscc: ORG_B.uscc, fund: 'MHGJHX', asOf: '2025-03-10' });
    expect(onTheDay.outcome).toBe('block');
    expect(onTheDay.findings).toEqual([expect.objectContaining({ rule: 'FUND_NO_VIOLATION_YEARS', outcome: 'block' })]);
    expect(onTheDay.findings[0]!.detail).toMatch(/since 2023-03-10/);
    expect((await credit.check({ organisationUscc: ORG_B.uscc, fund: 'MHGJHX', asOf: '2025-03-11' })).outcome).toBe('pass');
    // Under objection it is not settled: a warning, not a block.
    const tax = (await credit.list({ kind: 'department' }, { organisation: ORG_B.uscc })).items[0]!;
    await credit.object(callers.JXW!, tax.id, '当事人申请复议');
    expect((await credit.check({ organisationUscc: ORG_B.uscc, fund: 'MHGJHX', asOf: '2025-03-10' })).outcome).toBe('warn');
    // Another fund has no such rule.
    expect((await credit.check({ organisationUscc: ORG_B.uscc, fund: 'CGZHYY', asOf: '2025-03-10' })).outcome).toBe('pass');
    expect(await rejection(credit.check({ organisationUscc: ORG_B.uscc, fund: 'NOPE' }))).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('finds a record under a name variant with no credit code, and warns rather than blocks on it', async () => {
    await create(callers.ZJ!, record({ organisation: { name: '合肥讯腾电子科技有限公司' }, person: { name: '姜华澄' }, behaviour: 'FALSE_APPLICATION' }));
    const variant = await credit.check({ organisationName: '讯腾电子科技（合肥）有限责任公司' });
    expect(variant.outcome).toBe('warn');
    expect(variant.findings[0]!.matchedBy).toMatch(/name variant.*讯腾/);
    expect((await credit.check({ organisationName: '合肥讯腾电子科技有限公司' })).outcome).toBe('block');
    // Another company of the same trade and region is not the same organisation.
    expect((await credit.check({ organisationName: '合肥讯达电子科技有限公司' })).outcome).toBe('pass');
  });

  it('asks for the diligence judgement when acceptance fails, and records nobody when the team was diligent', async () => {
    const base: RegisterProjectInput = {
      fund: 'CGZHYY',
      subFund: '6',
      year: 2023,
      title: '智能巡检机器人高新技术成果转化与应用',
      organisation: { uscc: '91310115MA1K4EXA2X', name: '上海巡检测试科技有限公司' },
      leader: { name: '孙海燕' },
      supportMethodCode: 'GRANT',
      requestedYuan: '1000000',
      selfRaisedYuan: '2000000',
      totalInvestmentYuan: '3000000',
      status: ProjectStatus.IN_IMPLEMENTATION,
    };
    const diligent = await registry.register(callers.KW!, { ...base, organisation: ORG_B, localId: 'KW-ACC-1' });
    const careless = await registry.register(callers.KW!, { ...base, organisation: ORG_B, title: '巡检机器人二期', localId: 'KW-ACC-2' });
    expect(await rejection(registry.transition(callers.KW!, diligent.code, ProjectStatus.ACCEPTANCE_FAILED))).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/diligent/) });
    await registry.transition(callers.KW!, diligent.code, ProjectStatus.ACCEPTANCE_FAILED, { diligent: true, reason: '指标未完成,但项目组勤勉尽责' });
    await registry.transition(callers.KW!, careless.code, ProjectStatus.ACCEPTANCE_FAILED, { diligent: false, reason: '未勤勉尽责' });
    const exempt = await rejection(credit.create(callers.KW!, record({ organisation: ORG_B, projectCode: diligent.code, behaviour: 'ACCEPTANCE_FAILED_NOT_DILIGENT' })));
    expect(exempt).toMatchObject({ code: 'RULE_VIOLATION', details: { rule: 'DILIGENCE_EXEMPTION' } });
    const recorded = await create(callers.KW!, record({ organisation: ORG_B, projectCode: careless.code, behaviour: 'ACCEPTANCE_FAILED_NOT_DILIGENT', severity: 'general' }));
    expect(recorded.projectId).toBe(careless.id);
    const history = await app.get(HistoryService).list('project', diligent.id);
    expect(history.find((h) => h.action === 'TRANSITION' && h.changes.acceptanceDiligent === true)).toBeDefined();
  });

  it('lets only the deciding department change its record, and holds an objection as a warning', async () => {
    const r = await create(callers.JXW!, record());
    expect(await rejection(credit.revise(callers.KW!, r.id, record(), '更正'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await rejection(credit.revoke(callers.ZJ!, r.id, '撤销'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await rejection(credit.create(callers.FGW!, record()))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await rejection(credit.revoke(callers.JXW!, r.id, ''))).toMatchObject({ code: 'VALIDATION_FAILED' });
    const revised = await credit.revise(callers.JXW!, r.id, record({ decisionNumber: r.decisionNumber, restrictionMonths: 24 }), '更正限制期');
    expect(revised).toMatchObject({ restrictionMonths: 24, version: 2 });
    await credit.object(callers.JXW!, r.id, '当事人提出异议,称资金已按规定使用');
    expect((await credit.check({ organisationUscc: ORG_A.uscc })).findings).toEqual([expect.objectContaining({ outcome: 'warn', rule: 'UNDER_OBJECTION' })]);
    await credit.resolveObjection(callers.JXW!, r.id, false, '异议不成立');
    expect((await credit.check({ organisationUscc: ORG_A.uscc })).outcome).toBe('block');
    const history = await app.get(HistoryService).list('credit_record', r.id);
    expect(history.map((h) => h.action)).toEqual(['CREATED', 'REVISED', 'OBJECTED', 'OBJECTION_REJECTED']);
    expect(history[1]!.changes).toMatchObject({ restrictionMonths: { before: 12, after: 24 } });
  });

  it('shows the public only records published by decision, with personal data masked', async () => {
    await create(callers.JXW!, record({ person: { name: '钱立新', idNumber: '11010519491231002X' }, visibility: 'public', evidence: [{ name: '审计报告', ref: 'doc://audit/1' }] }));
    await create(callers.ZJ!, record({ organisation: ORG_B, person: { name: '周文博' }, visibility: 'internal' }));
    const publicView = await credit.list({ kind: 'public' }, {});
    expect(publicView.items).toHaveLength(1);
    expect(publicView.items[0]).toMatchObject({ personName: '钱**', personIdNumber: null, evidence: [], organisationUscc: ORG_A.uscc });
    const internal = await credit.list({ kind: 'department' }, { status: ['active'] });
    expect(internal.totalCount).toBe(2);
    expect(internal.items.map((r) => r.personName).sort()).toEqual(['周文博', '钱立新']);
    expect(await rejection(credit.get({ kind: 'public' }, internal.items.find((r) => r.visibility === 'internal')!.id))).toMatchObject({ code: 'NOT_FOUND' });
    // A name cannot be looked up without a key, and the history never holds the whole ID number.
    expect(await rejection(credit.list({ kind: 'public' }, { person: '钱立新' }))).toMatchObject({ code: 'VALIDATION_FAILED' });
    const published = publicView.items[0]!;
    const created = (await app.get(HistoryService).list('credit_record', published.id))[0]!;
    expect(JSON.stringify(created.changes)).not.toContain('11010519491231002X');
    expect(created.changes.personIdNumber).toBe('1101**********002X');
    // A revoked record leaves the public view.
    await credit.revoke(callers.JXW!, published.id, '复议撤销');
    expect((await credit.list({ kind: 'public' }, {})).totalCount).toBe(0);
  });

  it('reviews a registration, stores the result on the project, and stops approval unless the leading department overrides', async () => {
    await create(callers.JXW!, record());
    const p = await registry.register(callers.KW!, {
      fund: 'CGZHYY',
      subFund: '6',
      year: 2024,
      title: '通信芯片高新技术成果转化与应用',
      organisation: ORG_A,
      leader: { name: '严竹润' },
      supportMethodCode: 'GRANT',
      requestedYuan: '1000000',
      selfRaisedYuan: '2000000',
      totalInvestmentYuan: '3000000',
      status: ProjectStatus.EXPERT_REVIEW,
    });
    const review = await credit.latestReview(p.id);
    expect(review).toMatchObject({ outcome: 'block', trigger: 'registration' });
    const blocked = await rejection(registry.transition(callers.KW!, p.code, ProjectStatus.APPROVED));
    expect(blocked).toMatchObject({ code: 'RULE_VIOLATION', details: { rule: 'CREDIT_BLOCK' } });
    expect(await rejection(credit.override(callers.KW!, p.id, '特殊情况'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await rejection(credit.override(callers.JXW!, p.id, ''))).toMatchObject({ code: 'VALIDATION_FAILED' });
    const overridden = await credit.override(callers.JXW!, p.id, '领导小组一事一议同意继续立项');
    expect(overridden.override).toMatchObject({ departmentId: callers.JXW!.departmentId, reason: '领导小组一事一议同意继续立项' });
    const approved = await registry.transition(callers.KW!, p.code, ProjectStatus.APPROVED);
    expect(approved.status).toBe(ProjectStatus.APPROVED);
    const actions = (await app.get(HistoryService).list('project', p.id)).map((h) => h.action);
    expect(actions).toEqual(expect.arrayContaining(['REGISTERED', 'CREDIT_REVIEWED', 'CREDIT_BLOCK_OVERRIDDEN', 'TRANSITION']));
  });

  it('reviews again before each payment: a record decided after approval stops the next payment', async () => {
    const org = { name: '上海拨付测试科技有限公司' };
    const p = await registry.register(callers.KW!, { fund: 'CGZHYY', subFund: '6', year: 2024, title: '拨付测试项目', organisation: org, requestedYuan: '1000000', selfRaisedYuan: '1000000', totalInvestmentYuan: '2000000', status: ProjectStatus.EXPERT_REVIEW });
    await registry.transition(callers.KW!, p.code, ProjectStatus.APPROVED);
    const paid = await registry.recordPayment(callers.KW!, p.code, { stage: 'APPROVAL', amountYuan: '300000', paidOn: '2024-06-01' });
    expect(paid).toEqual([{ stage: 'APPROVAL', amountFen: 30_000_000n, paidOn: '2024-06-01', reason: '' }]);
    expect(await rejection(registry.recordPayment(callers.KW!, p.code, { stage: 'ACCEPTANCE', amountYuan: '100', paidOn: '2024-06-01' }))).toMatchObject({ code: 'INVALID_TRANSITION' });
    expect(await rejection(registry.recordPayment(callers.KW!, p.code, { stage: 'APPROVAL', amountYuan: '800000', paidOn: '2024-06-02' }))).toMatchObject({ code: 'RULE_VIOLATION', details: { rule: 'PAYMENT_PLAN' } });
    expect(await rejection(registry.recordPayment(callers.KW!, p.code, { stage: 'LATER', amountYuan: '-1', paidOn: '2024-6-2' }))).toMatchObject({ code: 'VALIDATION_FAILED' });
    await create(callers.JXW!, record({ organisation: org, behaviour: 'REFUSED_INSPECTION', severity: 'general' }));
    const stopped = await rejection(registry.recordPayment(callers.KW!, p.code, { stage: 'APPROVAL', amountYuan: '100000', paidOn: '2024-06-10' }));
    expect(stopped).toMatchObject({ code: 'RULE_VIOLATION', details: { rule: 'CREDIT_BLOCK' } });
    expect((await credit.latestReview(p.id))).toMatchObject({ outcome: 'block', trigger: 'payment' });
    expect(await registry.payments(p.id)).toHaveLength(1);
  });

  it('records an integrity commitment against the fund\'s text and version', async () => {
    const p = await registry.register(callers.KW!, { fund: 'CGZHYY', subFund: '5', year: 2024, title: '承诺测试项目', organisation: { name: '上海承诺测试科技有限公司' } });
    const c = await credit.recordCommitment(callers.KW!, p.id, { signedBy: '上海承诺测试科技有限公司 法定代表人 李明', signedAt: '2024-05-31T10:00:00+08:00' });
    expect(c).toMatchObject({ fundCode: 'CGZHYY', textVersion: 1 });
    expect(c.text).toMatch(/郑重承诺/);
    expect(await credit.commitments(p.id)).toHaveLength(1);
    expect(await rejection(credit.recordCommitment(callers.ZJ!, p.id, { signedBy: 'x', signedAt: '2024-05-31' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await rejection(credit.recordCommitment(callers.KW!, p.id, { signedBy: '', signedAt: 'yesterday', textVersion: 9 }))).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('names every bad field of a record at once', async () => {
    const bad = await rejection(credit.create(callers.JXW!, { organisation: { uscc: '9132019179042105' }, behaviour: 'LATE', severity: 'grave', decisionNumber: '', decisionDate: '2024-13-01', legalBasis: '', effectiveDate: '2024-01-01', measures: ['BAN'] } as CreditRecordInput));
    expect(bad.code).toBe('VALIDATION_FAILED');
    for (const f of ['organisation.uscc', 'behaviour', 'severity', 'decisionNumber', 'decisionDate', 'legalBasis', 'restrictionMonths', 'measures']) expect(bad.message).toContain(f);
  });
});
