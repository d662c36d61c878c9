import { resetDatabase, testConfig, testDbKind } from '#shared/testing/index.js';
import { startGateway, type RunningGateway } from '../src/bootstrap.js';
import { gql } from './graphql-client.js';

const KW = 'demo_kw_demokeykw0000000';
const ZJ = 'demo_zj_demokeyzj0000000';
const JXW = 'demo_jxw_demokeyjxw000000';
const FGW = 'demo_fgw_demokeyfgw000000';

const RECORD = `id organisation { uscc name } person { name idNumber } behaviour behaviourName severity departmentCode decisionNumber
  effectiveDate restrictionMonths indefinite restrictionEnd measures visibility evidence { name ref } status statusNote version`;

describe(`credit through GraphQL (${testDbKind()} database)`, () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    await resetDatabase();
    gw = await startGateway(testConfig({ SEED_DEMO_ON_EMPTY: 'true' }), { port: 0 });
  });
  afterAll(() => gw?.close());

  it('shows a new user a blocked and a warned application from the demo data', async () => {
    const blocked = await gql(gw.url, '{ projectByLocalId(department: "KW", localId: "DEMO-KW-CREDIT-APPLY-1") { code creditReview { outcome trigger findings { outcome rule matchedBy detail } } } }', { key: ZJ });
    expect(blocked.errors).toBeUndefined();
    expect(blocked.data!.projectByLocalId.creditReview).toMatchObject({ outcome: 'block', trigger: 'registration', findings: [{ outcome: 'block', rule: 'RESTRICTION_IN_FORCE' }] });
    const warned = await gql(gw.url, '{ projectByLocalId(department: "JXW", localId: "DEMO-JXW-CREDIT-APPLY-2") { creditReview { outcome findings { outcome rule } } } }', { key: ZJ });
    expect(warned.data!.projectByLocalId.creditReview).toMatchObject({ outcome: 'warn', findings: [{ outcome: 'warn', rule: 'RECORD_IN_FORCE' }] });
  });

  it('shares internal records among the linkage departments and shows the public only published ones, masked', async () => {
    const internal = await gql(gw.url, `{ creditRecords { totalCount items { ${RECORD} } } }`, { key: FGW });
    expect(internal.errors).toBeUndefined();
    expect(internal.data!.creditRecords.totalCount).toBe(2);
    const pub = await gql(gw.url, `{ creditRecords { totalCount items { ${RECORD} } } }`);
    expect(pub.errors).toBeUndefined();
    expect(pub.data!.creditRecords.totalCount).toBe(1);
    expect(pub.data!.creditRecords.items[0]).toMatchObject({ visibility: 'public', evidence: [], behaviour: 'MISUSE_OF_FUNDS', behaviourName: '截留、挪用、违规使用资金', restrictionEnd: '2027-05-31' });
    const lists = await gql(gw.url, '{ creditBehaviours { code name nameEn } creditMeasures { code name } }');
    expect(lists.data!.creditBehaviours.map((b: { code: string }) => b.code)).toContain('TAX_VIOLATION');
  });

  it('records a decision, lets only its department change it, and keeps its history', async () => {
    const create = `mutation($i: CreditRecordInput!) { createCreditRecord(input: $i) { ${RECORD} } }`;
    const input = {
      organisation: { uscc: '91320191790421052D', name: '南京欣网通信科技股份有限公司' },
      person: { name: '严竹润', idNumber: '11010519491231002X' },
      behaviour: 'DUPLICATE_APPLICATION',
      severity: 'general',
      decisionNumber: '沪科信〔2026〕8号',
      decisionDate: '2026-03-02',
      legalBasis: '沪经信规〔2017〕116号 第五条(六)',
      effectiveDate: '2026-03-02',
      restrictionMonths: 12,
      measures: ['NO_LINKAGE_APPLICATIONS'],
    };
    const made = await gql(gw.url, create, { key: KW, variables: { i: input } });
    expect(made.errors).toBeUndefined();
    const r = made.data!.createCreditRecord;
    expect(r).toMatchObject({ departmentCode: 'KW', status: 'active', restrictionEnd: '2027-03-01', person: { name: '严竹润', idNumber: '1101**********002X' } });
    const bad = await gql(gw.url, create, { key: KW, variables: { i: { ...input, behaviour: 'LATE', restrictionMonths: null } } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(bad.errors?.[0]?.message).toMatch(/behaviour: must be one of.*restrictionMonths/);

    const revoke = `mutation($id: ID!, $r: String!) { revokeCreditRecord(id: $id, reason: $r) { status statusNote } }`;
    const foreign = await gql(gw.url, revoke, { key: ZJ, variables: { id: r.id, r: '撤销' } });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const check = await gql(gw.url, '{ creditCheck(organisationCode: "91320191790421052D", fund: "CGZHYY") { outcome findings { rule matchedBy } } }', { key: ZJ });
    expect(check.data!.creditCheck).toMatchObject({ outcome: 'block', findings: [{ rule: 'RESTRICTION_IN_FORCE', matchedBy: 'credit code 91320191790421052D' }] });
    const anon = await gql(gw.url, '{ creditCheck(organisationCode: "91320191790421052D") { outcome } }');
    expect(anon.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const objected = await gql(gw.url, 'mutation($id: ID!) { objectToCreditRecord(id: $id, reason: "当事人提出异议") { status } }', { key: KW, variables: { id: r.id } });
    expect(objected.data!.objectToCreditRecord.status).toBe('under_objection');
    const upheld = await gql(gw.url, 'mutation($id: ID!) { resolveCreditObjection(id: $id, upheld: true, reason: "异议成立,系两个不同项目") { status statusNote } }', { key: KW, variables: { id: r.id } });
    expect(upheld.data!.resolveCreditObjection).toEqual({ status: 'revoked', statusNote: '异议成立,系两个不同项目' });
    const history = await gql(gw.url, `{ creditRecordHistory(id: "${r.id}") { action reason departmentCode } }`, { key: ZJ });
    expect(history.data!.creditRecordHistory.map((h: { action: string }) => h.action)).toEqual(['CREATED', 'OBJECTED', 'OBJECTION_UPHELD']);
  });

  it('blocks approval of a blocked application until the leading department overrides it with a reason', async () => {
    const p = await gql(gw.url, '{ projectByLocalId(department: "KW", localId: "DEMO-KW-CREDIT-APPLY-1") { code } }', { key: KW });
    const code = p.data!.projectByLocalId.code;
    const move = (to: string, key = KW) => gql(gw.url, `mutation { transitionProject(code: "${code}", to: ${to}) { status } }`, { key });
    for (const to of ['ACCEPTED', 'PRELIMINARY_CHECK', 'EXPERT_REVIEW']) expect((await move(to)).errors).toBeUndefined();
    const refused = await move('APPROVED');
    expect(refused.errors?.[0]?.extensions?.code).toBe('RULE_VIOLATION');
    expect(refused.errors?.[0]?.message).toMatch(/credit review blocks approval/);
    const notLeading = await gql(gw.url, `mutation { overrideCreditBlock(projectCode: "${code}", reason: "特批") { outcome } }`, { key: KW });
    expect(notLeading.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const over = await gql(gw.url, `mutation { overrideCreditBlock(projectCode: "${code}", reason: "领导小组一事一议同意") { outcome override { departmentCode reason } } }`, { key: JXW });
    expect(over.data!.overrideCreditBlock).toMatchObject({ outcome: 'block', override: { departmentCode: 'JXW', reason: '领导小组一事一议同意' } });
    expect((await move('APPROVED')).data?.transitionProject.status).toBe('APPROVED');
    // The override holds for payments while the same record blocks; each payment is reviewed again first.
    const pay = await gql(gw.url, `mutation { recordPayment(code: "${code}", stage: "APPROVAL", amountYuan: "900000", paidOn: "2026-07-15") { stage amount { yuan } paidOn } }`, { key: KW });
    expect(pay.errors).toBeUndefined();
    expect(pay.data!.recordPayment).toEqual([{ stage: 'APPROVAL', amount: { yuan: '900000.00' }, paidOn: '2026-07-15' }]);
    const shown = await gql(gw.url, `{ project(code: "${code}") { payments { stage } creditReview { trigger outcome override { departmentCode } } } }`, { key: ZJ });
    expect(shown.data!.project).toMatchObject({ payments: [{ stage: 'APPROVAL' }], creditReview: { trigger: 'payment', outcome: 'block', override: { departmentCode: 'JXW' } } });
  });

  it('records an integrity commitment on an application', async () => {
    const p = await gql(gw.url, '{ projectByLocalId(department: "JXW", localId: "DEMO-JXW-CREDIT-APPLY-2") { code } }', { key: JXW });
    const code = p.data!.projectByLocalId.code;
    const made = await gql(gw.url, `mutation { recordCommitment(projectCode: "${code}", signedBy: "法定代表人 周文博", signedAt: "2026-06-30T09:00:00+08:00") { fundCode textVersion text signedBy } }`, { key: JXW });
    expect(made.errors).toBeUndefined();
    expect(made.data!.recordCommitment).toMatchObject({ fundCode: 'CYJSCX', textVersion: 1, signedBy: '法定代表人 周文博' });
    const shown = await gql(gw.url, `{ project(code: "${code}") { commitments { textVersion signedBy } } }`, { key: ZJ });
    expect(shown.data!.project.commitments).toEqual([{ textVersion: 1, signedBy: '法定代表人 周文博' }]);
  });
});
