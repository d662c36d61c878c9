import { ApiKeyService } from '#identity';
import { resetDatabase, testConfig, testDbKind } from '#shared/testing/index.js';
import { startGateway, type RunningGateway } from '../src/bootstrap.js';
import { gql } from './graphql-client.js';

const KW_DEMO = 'demo_kw_demokeykw0000000';

describe(`gateway end to end (${testDbKind()} database)`, () => {
  let gw: RunningGateway;

  beforeAll(async () => {
    await resetDatabase();
    gw = await startGateway(testConfig({ SEED_DEMO_ON_EMPTY: 'true', GRAPHQL_MAX_DEPTH: '2', GRAPHQL_MAX_COMPLEXITY: '300' }), { port: 0 });
  });
  afterAll(() => gw?.close());

  it('migrates and seeds an empty database, printing the demo keys', () => {
    expect(gw.seeded?.demoKeys.map((k) => k.departmentCode)).toEqual(['JXW', 'KW', 'ZJ', 'FGW', 'CZJ', 'XXZX']);
    expect(gw.seeded?.demoKeys.find((k) => k.departmentCode === 'KW')?.key).toBe(KW_DEMO);
    expect(gw.seeded?.demoProjects).toBe(305);
  });

  it('lets a first-time user see demo projects of the three departments, planted near-duplicates included', async () => {
    const res = await gql(gw.url, '{ jxw: projects(filter: { departments: ["JXW"] }, first: 1) { totalCount } kw: projects(filter: { departments: ["KW"] }, first: 1) { totalCount } zj: projects(filter: { departments: ["ZJ"] }, first: 1) { totalCount } }', { key: KW_DEMO });
    expect(res.errors).toBeUndefined();
    for (const d of ['jxw', 'kw', 'zj']) expect(res.data![d].totalCount).toBeGreaterThan(50);
    const copy = await gql(gw.url, '{ projectByLocalId(department: "KW", localId: "DEMO-KW-0004") { title organisation { name } } }', { key: KW_DEMO });
    expect(copy.errors).toBeUndefined();
    expect(copy.data!.projectByLocalId.title).toBeTruthy();
    const terminated = await gql(gw.url, '{ projects(filter: { statuses: [TERMINATED] }, first: 5) { totalCount } }', { key: KW_DEMO });
    expect(terminated.data!.projects.totalCount).toBeGreaterThanOrEqual(1);
  });

  it('answers departments with a demo key and tells who is asking', async () => {
    const res = await gql(gw.url, '{ departments { code name } me { authenticated role department { code name } } }', { key: KW_DEMO });
    expect(res.errors).toBeUndefined();
    expect(res.data!.departments).toEqual(expect.arrayContaining([{ code: 'KW', name: '上海市科学技术委员会' }, { code: 'JXW', name: '上海市经济和信息化委员会' }]));
    expect(res.data!.me).toEqual({ authenticated: true, role: 'STAFF', department: { code: 'KW', name: '上海市科学技术委员会' } });
  });

  it('serves reference data without a key', async () => {
    const res = await gql(gw.url, '{ funds { code subFunds { number name } } catalog { items { number } } me { authenticated role department { code } } }');
    expect(res.errors).toBeUndefined();
    const numbers = res.data!.funds.flatMap((f: { subFunds: { number: number }[] }) => f.subFunds.map((s) => s.number));
    expect(numbers).toEqual(expect.arrayContaining([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    expect(res.data!.catalog[0].items).toHaveLength(18);
    expect(res.data!.me).toEqual({ authenticated: false, role: 'PUBLIC', department: null });
  });

  it('refuses a mutation without a key as UNAUTHENTICATED', async () => {
    const res = await gql(gw.url, 'mutation { pingQueue(message: "x") { id } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.status).toBe(401);
    expect(res.data?.pingQueue).toBeUndefined();
  });

  it('runs a mutation with a key and lets its department follow the job', async () => {
    const res = await gql(gw.url, 'mutation { pingQueue(message: "联动") { id status } }', { key: KW_DEMO });
    expect(res.errors).toBeUndefined();
    const id = res.data!.pingQueue.id as string;
    let status = '';
    for (let i = 0; i < 100 && status !== 'completed'; i++) {
      const job = await gql(gw.url, `{ job(id: "${id}") { status progressDone progressTotal result } }`, { key: KW_DEMO });
      status = job.data?.job.status;
      if (status === 'completed') expect(job.data!.job).toMatchObject({ progressDone: 3, progressTotal: 3, result: { echo: '联动' } });
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe('completed');
    const other = await gql(gw.url, `{ job(id: "${id}") { status } }`, { key: 'demo_zj_demokeyzj0000000' });
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses unknown, malformed and revoked keys as UNAUTHENTICATED', async () => {
    const keys = gw.app.get(ApiKeyService);
    const created = await keys.create({ departmentCode: 'ZJ' });
    const ok = await gql(gw.url, '{ me { department { code } } }', { key: created.key });
    expect(ok.data!.me.department.code).toBe('ZJ');

    await keys.revoke(created.id);
    const revoked = await gql(gw.url, '{ me { department { code } } }', { key: created.key });
    expect(revoked.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(revoked.errors?.[0]?.message).toMatch(/revoked/);

    const unknown = await gql(gw.url, '{ me { role } }', { key: 'lk_' + 'x'.repeat(32) });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const malformed = await gql(gw.url, '{ me { role } }', { key: 'not a key' });
    expect(malformed.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('bounds query depth and complexity', async () => {
    const deep = await gql(gw.url, '{ funds { department { code } subFunds { number } } }');
    expect(deep.errors).toBeUndefined();
    const tooDeep = await gql(gw.url, '{ funds { department { jurisdiction { name } } } }');
    expect(tooDeep.errors?.[0]?.message).toMatch(/exceeds maximum operation depth/);
    const aliases = Array.from({ length: 120 }, (_, i) => `d${i}: departments { code name }`).join(' ');
    const tooComplex = await gql(gw.url, `{ ${aliases} }`);
    expect(tooComplex.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses a request body over the size limit', async () => {
    const res = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ me { role } } #${'x'.repeat(1_100_000)}` }) });
    expect(res.status).toBe(413);
  });

  it('names the field and the reason for bad arguments', async () => {
    const res = await gql(gw.url, 'mutation { pingQueue(message: "") { id } }', { key: KW_DEMO });
    expect(res.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(res.errors?.[0]?.message).toMatch(/message: must be 1 to 200 characters/);
    const unknownDept = await gql(gw.url, '{ department(code: "NOPE") { code } }');
    expect(unknownDept.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('reports liveness and readiness', async () => {
    const live = await fetch(`${gw.url}/health/live`);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${gw.url}/health`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: { database: { status: 'up' }, queue: { status: 'up', mode: 'in-process' } } });
  });
});
