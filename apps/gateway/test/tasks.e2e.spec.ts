import { resetDatabase, testConfig, testDbKind } from '#shared/testing/index.js';
import { startGateway, type RunningGateway } from '../src/bootstrap.js';
import { gql } from './graphql-client.js';

const KW = 'demo_kw_demokeykw0000000';
const ZJ = 'demo_zj_demokeyzj0000000';
const JXW = 'demo_jxw_demokeyjxw000000';

describe(`follow-up tasks through GraphQL (${testDbKind()} database)`, () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    await resetDatabase();
    gw = await startGateway(testConfig({ SEED_DEMO_ON_EMPTY: 'true' }), { port: 0 });
  });
  afterAll(() => gw?.close());

  it('loads the 004 tasks as demo data and reports a department\'s overdue ones', async () => {
    const all = await gql(gw.url, '{ tasks { number deadlineText deadlineKind dueDate overdue } }', { key: ZJ });
    expect(all.errors).toBeUndefined();
    expect(all.data!.tasks).toHaveLength(24);
    // Every dated 004 deadline (2017–2019 年底) is long past.
    const overdue = await gql(gw.url, '{ tasks(filter: { department: "KW", overdue: true }) { number lead overdue } }', { key: ZJ });
    expect(overdue.data!.tasks.length).toBeGreaterThan(5);
    expect(overdue.data!.tasks.every((t: { overdue: boolean }) => t.overdue)).toBe(true);
    expect(all.data!.tasks.filter((t: { deadlineKind: string }) => t.deadlineKind === 'ongoing').every((t: { dueDate: string | null; overdue: boolean }) => t.dueDate === null && !t.overdue)).toBe(true);
  });

  it('takes progress from a department involved and refuses one that is not', async () => {
    const list = await gql(gw.url, '{ tasks(filter: { department: "KW" }) { id number leadCodes cooperatingCodes } }', { key: KW });
    const t = list.data!.tasks.find((x: { leadCodes: string[]; cooperatingCodes: string[] }) => x.leadCodes.includes('KW') && !x.cooperatingCodes.includes('ZJ') && !x.leadCodes.includes('ZJ'));
    const record = (key: string) => gql(gw.url, `mutation { recordTaskProgress(id: "${t.id}", note: "已完成阶段性工作") { progress { departmentCode note } } }`, { key });
    expect((await record(KW)).data!.recordTaskProgress.progress).toEqual([{ departmentCode: 'KW', note: '已完成阶段性工作' }]);
    expect((await record(ZJ)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const made = await gql(gw.url, 'mutation { createTask(input: { number: "16", title: "会商跟踪", content: "联合绩效评价", lead: ["JXW"], deadline: "2027 年底" }) { number dueDate deadlineKind } }', { key: JXW });
    expect(made.data!.createTask).toEqual({ number: '16', dueDate: '2027-12-31', deadlineKind: 'year_end' });
    expect((await gql(gw.url, 'mutation { createTask(input: { number: "17", title: "x", content: "y", lead: ["KW"], deadline: "2027 年底" }) { number } }', { key: KW })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
