import { resetDatabase, testConfig, testDbKind } from '#shared/testing/index.js';
import { startGateway, type RunningGateway } from '../src/bootstrap.js';
import { finished, gql } from './graphql-client.js';

const KW = 'demo_kw_demokeykw0000000';
const ZJ = 'demo_zj_demokeyzj0000000';
const JXW = 'demo_jxw_demokeyjxw000000';

const ALERT = `id level score status statusReason decidedBy evidence { field weight detail }
  projectA { code departmentCode title organisation leader } projectB { code departmentCode title organisation leader }`;

describe(`duplicate detection through GraphQL (${testDbKind()} database)`, () => {
  let gw: RunningGateway;
  let earlier: { code: string; title: string; organisation: { name: string; uscc: string | null }; leader: { name: string } | null };

  beforeAll(async () => {
    await resetDatabase();
    gw = await startGateway(testConfig({ SEED_DEMO_ON_EMPTY: 'true' }), { port: 0 });
    const list = await gql(gw.url, '{ projects(first: 1, filter: { departments: ["JXW"] }) { edges { node { code title organisation { name uscc } leader { name } } } } }', { key: KW });
    earlier = list.data!.projects.edges[0].node;
  });
  afterAll(() => gw?.close());

  it('pre-checks a registration against the whole registry and answers with the alerts and their reasons', async () => {
    const res = await gql(
      gw.url,
      `mutation($input: RegisterProjectInput!) { registerProject(input: $input) { code duplicateAlerts { ${ALERT} } } }`,
      {
        key: KW,
        variables: {
          input: {
            fund: 'CGZHYY',
            subFund: '6',
            year: 2025,
            title: `${earlier.title}项目`,
            organisation: { name: earlier.organisation.name },
            leader: earlier.leader ? { name: earlier.leader.name } : null,
            requestedYuan: '500000',
          },
        },
      },
    );
    expect(res.errors).toBeUndefined();
    const alerts = res.data!.registerProject.duplicateAlerts;
    const pair = alerts.find((a: any) => [a.projectA.code, a.projectB.code].includes(earlier.code));
    expect(pair).toMatchObject({ status: 'open', level: 'likely' });
    // Registered by name only, the organisation is the earlier project's, so its credit code agrees.
    expect(pair.evidence.map((e: any) => e.field)).toEqual(expect.arrayContaining(['uscc', 'title']));
  });

  it('checks a draft without registering it', async () => {
    const res = await gql(gw.url, 'query($i: DuplicateCheckInput!) { duplicateCheck(input: $i) { score level project { code title } evidence { field detail } } }', {
      key: ZJ,
      variables: { i: { title: earlier.title, organisation: { name: earlier.organisation.name, uscc: earlier.organisation.uscc }, leader: earlier.leader?.name, year: 2025 } },
    });
    expect(res.errors).toBeUndefined();
    // The demo project and the look-alike registered above, strongest first.
    const found = res.data!.duplicateCheck;
    expect(found.find((c: any) => c.project.code === earlier.code)).toMatchObject({ level: 'likely', project: { title: earlier.title } });
    expect(found.map((c: any) => c.score)).toEqual([...found.map((c: any) => c.score)].sort((x: number, y: number) => y - x));
    const bad = await gql(gw.url, 'query { duplicateCheck(input: { title: "", organisation: { name: "x", uscc: "123" } }) { score } }', { key: ZJ });
    expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(bad.errors?.[0]?.message).toMatch(/title: is required.*organisation\.uscc/);
    const anon = await gql(gw.url, 'query { duplicateCheck(input: { title: "x", organisation: { name: "y" } }) { score } }');
    expect(anon.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('scans the registry as a job with progress; the whole registry is the leading department\'s', async () => {
    const refused = await gql(gw.url, 'mutation { scanDuplicates { id } }', { key: KW });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const own = await gql(gw.url, 'mutation { scanDuplicates(department: "KW") { id } }', { key: KW });
    expect(own.errors).toBeUndefined();
    expect((await finished(gw, own.data!.scanDuplicates.id, KW)).status).toBe('completed');

    const started = await gql(gw.url, 'mutation { scanDuplicates { id status } }', { key: JXW });
    expect(started.errors).toBeUndefined();
    const job = await finished(gw, started.data!.scanDuplicates.id, JXW);
    expect(job.status).toBe('completed');
    expect(job.progressDone).toBe(job.progressTotal);
    expect(job.result.alerts.likely + job.result.alerts.possible).toBeGreaterThan(0);
    // The demo data's planted look-alikes between departments are raised.
    const list = await gql(gw.url, `{ duplicateAlerts(filter: { status: [open], betweenDepartments: ["JXW", "KW", "ZJ"] }, first: 2) { totalCount edges { cursor node { ${ALERT} } } pageInfo { hasNextPage endCursor } } }`, { key: ZJ });
    expect(list.errors).toBeUndefined();
    const page = list.data!.duplicateAlerts;
    expect(page.totalCount).toBeGreaterThan(2);
    expect(page.edges).toHaveLength(2);
    expect(page.edges[0].node.score).toBeGreaterThanOrEqual(page.edges[1].node.score);
    const next = await gql(gw.url, `{ duplicateAlerts(filter: { status: [open], betweenDepartments: ["JXW", "KW", "ZJ"] }, first: 2, after: "${page.pageInfo.endCursor}") { edges { node { id score } } } }`, { key: ZJ });
    expect(next.data!.duplicateAlerts.edges[0].node.id).not.toBe(page.edges[1].node.id);
    expect(next.data!.duplicateAlerts.edges[0].node.score).toBeLessThanOrEqual(page.edges[1].node.score);
  });

  it('lets a department of either project review an alert, with a reason, recorded in history', async () => {
    const list = await gql(gw.url, `{ duplicateAlerts(filter: { status: [open], department: "KW" }, first: 50) { edges { node { ${ALERT} } } } }`, { key: KW });
    const alert = list.data!.duplicateAlerts.edges.map((e: any) => e.node).find((a: any) => a.projectA.departmentCode !== 'ZJ' && a.projectB.departmentCode !== 'ZJ');
    expect(alert).toBeDefined();
    const review = `mutation($id: ID!, $s: DuplicateAlertStatus!, $r: String!) { reviewDuplicateAlert(id: $id, status: $s, reason: $r) { status statusReason decidedBy } }`;
    const outsider = await gql(gw.url, review, { key: ZJ, variables: { id: alert.id, s: 'confirmed', r: '确认为重复申报' } });
    expect(outsider.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const noReason = await gql(gw.url, review, { key: KW, variables: { id: alert.id, s: 'confirmed', r: ' ' } });
    expect(noReason.errors?.[0]?.message).toMatch(/reason/);
    const ok = await gql(gw.url, review, { key: KW, variables: { id: alert.id, s: 'confirmed', r: '同一单位同一内容,已在经信委立项,确认为重复申报' } });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.reviewDuplicateAlert).toEqual({ status: 'confirmed', statusReason: '同一单位同一内容,已在经信委立项,确认为重复申报', decidedBy: 'KW' });
    const history = await gql(gw.url, `{ duplicateAlertHistory(id: "${alert.id}") { action reason departmentCode } }`, { key: ZJ });
    expect(history.data!.duplicateAlertHistory.map((h: any) => h.action)).toEqual(['RAISED', 'REVIEWED']);
    expect(history.data!.duplicateAlertHistory[1]).toMatchObject({ departmentCode: 'KW', reason: '同一单位同一内容,已在经信委立项,确认为重复申报' });
    const confirmed = await gql(gw.url, '{ duplicateAlerts(filter: { status: [confirmed] }) { totalCount } }', { key: ZJ });
    expect(confirmed.data!.duplicateAlerts.totalCount).toBe(1);
    const unknown = await gql(gw.url, '{ duplicateAlert(id: "not-an-id") { id } }', { key: ZJ });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
  });

  it('checks a proposed fund against the existing funds', async () => {
    const res = await gql(gw.url, '{ fundOverlap(name: "软件产业发展专项资金", direction: "支持软件和集成电路企业的产业化项目") { kind fundCode level sharedTerms } }', { key: JXW });
    expect(res.errors).toBeUndefined();
    expect(res.data!.fundOverlap[0]).toMatchObject({ fundCode: 'RJJCDL', level: 'overlap' });
  });
});
