import { ApiKeyService } from '#identity';
import { resetDatabase, testConfig, testDbKind } from '#shared/testing/index.js';
import { startGateway, type RunningGateway } from '../src/bootstrap.js';
import { gql } from './graphql-client.js';

const KW = 'demo_kw_demokeykw0000000';
const ZJ = 'demo_zj_demokeyzj0000000';
const FGW = 'demo_fgw_demokeyfgw000000';

const REGISTER = `mutation Register($input: RegisterProjectInput!) {
  registerProject(input: $input) {
    code displayCode status year title
    department { code } fund { code } subFund { number } category { name } supportMethod { name }
    organisation { uscc usccStatus name }
    leader { name idNumber }
    requested { fen yuan wan } totalInvestment { wan }
    localIds { departmentCode localId }
  }
}`;

const input = (over: Record<string, unknown> = {}) => ({
  fund: 'CGZHYY',
  subFund: '6',
  year: 2024,
  title: '新型固态锂电池隔膜材料产业化',
  organisation: { uscc: '91320191790421052D', name: '南京欣网通信科技股份有限公司' },
  leader: { name: '顾玉秋', idNumber: '11010519491231002X' },
  supportMethodCode: '无偿资助',
  requestedYuan: '2000000.50',
  selfRaisedYuan: '6000000',
  totalInvestmentYuan: '8000000',
  localId: 'KW-E2E-1',
  ...over,
});

describe(`registry through GraphQL (${testDbKind()} database)`, () => {
  let gw: RunningGateway;
  let code: string;

  beforeAll(async () => {
    await resetDatabase();
    gw = await startGateway(testConfig({ SEED_DEMO_ON_EMPTY: 'true' }), { port: 0 });
  });
  afterAll(() => gw?.close());

  it('registers a project and answers with its unified code and exact money', async () => {
    const res = await gql(gw.url, REGISTER, { key: KW, variables: { input: input() } });
    expect(res.errors).toBeUndefined();
    const p = res.data!.registerProject;
    code = p.code;
    expect(p).toMatchObject({
      status: 'DRAFT',
      department: { code: 'KW' },
      fund: { code: 'CGZHYY' },
      subFund: { number: 6 },
      category: { name: '产业科技攻关' },
      supportMethod: { name: '无偿资助' },
      organisation: { uscc: '91320191790421052D', usccStatus: 'valid' },
      leader: { name: '顾玉秋', idNumber: '11010519491231002X' },
      requested: { fen: '200000050', yuan: '2000000.50', wan: '200.0001' },
      totalInvestment: { wan: '800.0000' },
      localIds: [{ departmentCode: 'KW', localId: 'KW-E2E-1' }],
    });
    // The demo data set holds projects too, so the sequence is whatever came next.
    expect(p.displayCode).toMatch(/^310000-2024-KW000-06-\d{6}-[0-9A-Z]$/);
  });

  it('finds it by code however typed, by local ID, and masks the ID number for other departments', async () => {
    const typed = (await gql(gw.url, '{ p: project(code: $c) { code } }'.replace('$c', JSON.stringify(code.toLowerCase().replace(/(.{6})(.{4})/, '$1-$2-'))), { key: ZJ })).data?.p;
    expect(typed).toEqual({ code });
    const other = await gql(gw.url, `{ projectByLocalId(department: "科委", localId: "KW-E2E-1") { code leader { idNumber } } }`, { key: ZJ });
    expect(other.data!.projectByLocalId).toEqual({ code, leader: { idNumber: '1101**********002X' } });
    const reader = await gql(gw.url, `{ project(code: "${code}") { title } }`, { key: FGW });
    expect(reader.data!.project.title).toBe('新型固态锂电池隔膜材料产业化');
  });

  it('explains a code and refuses a mistyped one as INVALID_CODE', async () => {
    const parsed = await gql(gw.url, `{ parseProjectCode(code: "${code}") { jurisdictionName year department departmentName subFund sequence } }`, { key: KW });
    expect(parsed.data!.parseProjectCode).toEqual({ jurisdictionName: '上海市', year: 2024, department: 'KW', departmentName: '上海市科学技术委员会', subFund: '06', sequence: Number(code.slice(17, 23)) });
    const typo = code.slice(0, 10) + 'ZJ000' + code.slice(15);
    const res = await gql(gw.url, `{ project(code: "${typo}") { code } }`, { key: KW });
    expect(res.errors?.[0]?.extensions?.code).toBe('INVALID_CODE');
    expect(res.errors?.[0]?.message).toMatch(/mistyped/);
  });

  it('keeps the registry from the public', async () => {
    const res = await gql(gw.url, `{ project(code: "${code}") { code } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a write by another department, and a forbidden transition with the allowed ones', async () => {
    const foreign = await gql(gw.url, `mutation { updateProject(code: "${code}", input: { title: "x" }) { code } }`, { key: ZJ });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const jump = await gql(gw.url, `mutation { transitionProject(code: "${code}", to: CLOSED) { status } }`, { key: KW });
    expect(jump.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', current: 'DRAFT', requested: 'CLOSED', allowed: ['ACCEPTED', 'REJECTED', 'WITHDRAWN'] });
    const ok = await gql(gw.url, `mutation { transitionProject(code: "${code}", to: ACCEPTED, reason: "材料齐全") { status version } }`, { key: KW });
    expect(ok.data!.transitionProject).toEqual({ status: 'ACCEPTED', version: 2 });
  });

  it('reports bad input field by field', async () => {
    const res = await gql(gw.url, REGISTER, { key: KW, variables: { input: input({ localId: 'KW-E2E-2', requestedYuan: '1.001', plannedEnd: 'soon', organisation: { name: '某公司', uscc: 'ABC' } }) } });
    expect(res.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const fields = (res.errors![0]!.extensions!.problems as { field: string }[]).map((p) => p.field).sort();
    expect(fields).toEqual(['organisation.uscc', 'plannedEnd', 'requestedYuan']);
  });

  it('lists with filters, pages and totalCount, and shows the history with a verified chain', async () => {
    for (let i = 2; i <= 5; i++) {
      const r = await gql(gw.url, REGISTER, { key: KW, variables: { input: input({ localId: `KW-E2E-${i}0`, title: `储能电池管理系统研发 ${i}` }) } });
      expect(r.errors).toBeUndefined();
    }
    const q = `query($after: String) { projects(filter: { keyword: "电池", departments: ["KW"], years: [2024] }, first: 3, after: $after) { totalCount edges { cursor node { code title } } pageInfo { hasNextPage endCursor } } }`;
    const first = await gql(gw.url, q, { key: ZJ });
    expect(first.data!.projects.totalCount).toBe(5);
    expect(first.data!.projects.pageInfo.hasNextPage).toBe(true);
    const second = await gql(gw.url, q, { key: ZJ, variables: { after: first.data!.projects.pageInfo.endCursor } });
    expect(second.data!.projects.edges).toHaveLength(2);
    expect(second.data!.projects.pageInfo.hasNextPage).toBe(false);

    const history = await gql(gw.url, `{ projectHistory(code: "${code}") { seq action departmentCode reason changes } verifyHistory(code: "${code}") { ok entries } }`, { key: FGW });
    expect(history.data!.projectHistory.map((h: { action: string }) => h.action)).toEqual(['REGISTERED', 'LOCAL_ID_LINKED', 'TRANSITION']);
    expect(history.data!.projectHistory[2]).toMatchObject({ departmentCode: 'KW', reason: '材料齐全', changes: { status: { before: 'DRAFT', after: 'ACCEPTED' } } });
    expect(history.data!.verifyHistory).toEqual({ ok: true, entries: 3 });
  });

  it('links a department record or lists it as unlinked for that department', async () => {
    const linked = await gql(gw.url, `mutation { linkRecord(input: { localId: "OLD-9", title: "新型固态锂电池隔膜材料产业化", year: 2024, organisation: { uscc: "91320191790421052D" } }) { linked reason project { code } } }`, { key: KW });
    expect(linked.data!.linkRecord).toEqual({ linked: true, reason: null, project: { code } });
    const unmatched = await gql(gw.url, `mutation { linkRecord(input: { localId: "OLD-10", title: "不存在", year: 2024, organisation: { name: "无名公司" } }) { linked reason candidates } }`, { key: KW });
    expect(unmatched.data!.linkRecord).toEqual({ linked: false, reason: 'NO_MATCH', candidates: [] });
    const list = await gql(gw.url, '{ unlinkedRecords { departmentCode localId reason record } }', { key: KW });
    expect(list.data!.unlinkedRecords).toEqual([{ departmentCode: 'KW', localId: 'OLD-10', reason: 'NO_MATCH', record: expect.objectContaining({ title: '不存在' }) }]);
  });

  it('shows the fund\'s payment plan for an approved project (Minhang: 30% on approval, 70% after acceptance)', async () => {
    const { key } = await gw.app.get(ApiKeyService).create({ departmentCode: 'MHKW' });
    const res = await gql(gw.url, REGISTER.replace('localIds { departmentCode localId }', 'localIds { localId } paymentPlan { stage share amount { yuan } }'), {
      key,
      variables: { input: input({ fund: 'MHGJHX', subFund: '01', catalogItemCode: 'MH05', localId: 'MH-1', status: 'APPROVED', approvedYuan: '3333333.33', requestedYuan: '3333333.33', selfRaisedYuan: '4000000', totalInvestmentYuan: '8000000' }) },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.registerProject.paymentPlan).toEqual([
      { stage: 'APPROVAL', share: 0.3, amount: { yuan: '999999.99' } },
      { stage: 'ACCEPTANCE', share: 0.7, amount: { yuan: '2333333.34' } },
    ]);
  });

  it('serves the change feed with a cursor a department system keeps', async () => {
    const q = 'query($after: String) { changes(after: $after, first: 3) { edges { node { id action projectCode departmentCode } } pageInfo { hasNextPage endCursor } } }';
    const first = await gql(gw.url, q, { key: FGW });
    expect(first.errors).toBeUndefined();
    expect(first.data!.changes.edges).toHaveLength(3);
    expect(first.data!.changes.pageInfo.hasNextPage).toBe(true);
    const next = await gql(gw.url, q, { key: FGW, variables: { after: first.data!.changes.pageInfo.endCursor } });
    const ids = [...first.data!.changes.edges, ...next.data!.changes.edges].map((e: { node: { id: string } }) => Number(e.node.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(6);
    const bad = await gql(gw.url, '{ changes(after: "nonsense") { pageInfo { endCursor } } }', { key: FGW });
    expect(bad.errors?.[0]?.message).toMatch(/after: is not a cursor of the change feed/);
  });

  it('finds an organisation by code or name', async () => {
    const res = await gql(gw.url, `{ a: organisation(code: "91320191790421052D") { name names { name departmentCode } } b: organisation(code: "南京欣网通信科技股份有限公司") { uscc } }`, { key: ZJ });
    expect(res.data!.a.names).toEqual([{ name: '南京欣网通信科技股份有限公司', departmentCode: 'KW' }]);
    expect(res.data!.b.uscc).toBe('91320191790421052D');
  });
});
