import { resetDatabase, testConfig, testDbKind } from '#shared/testing/index.js';
import { startGateway, type RunningGateway } from '../src/bootstrap.js';
import { finished, gql } from './graphql-client.js';

const KW = 'demo_kw_demokeykw0000000';
const ZJ = 'demo_zj_demokeyzj0000000';

describe(`imports through GraphQL (${testDbKind()} database)`, () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    await resetDatabase();
    gw = await startGateway(testConfig({ SEED_DEMO_ON_EMPTY: 'true' }), { port: 0 });
  });
  afterAll(() => gw?.close());

  it('imports a department\'s file as a job and offers the failed rows as a file to download', async () => {
    const csv = ['项目编号,项目名称,承担单位,申报年度,子专项,资助金额(万元)', 'G-1,网关导入项目,上海网关科技有限公司,2025,6,120', 'G-2,金额有误的项目,上海网关科技有限公司,2025,6,abc'].join('\n');
    const started = await gql(gw.url, 'mutation($c: String!) { importProjects(fileName: "科委.csv", contentBase64: $c) { id status } }', { key: KW, variables: { c: Buffer.from(csv).toString('base64') } });
    expect(started.errors).toBeUndefined();
    const job = await finished(gw, started.data!.importProjects.id, KW);
    expect(job).toMatchObject({ status: 'completed', progressDone: 2, progressTotal: 2, result: { created: 1, failed: 1, errors: [{ row: 3, column: '资助金额(万元)', value: 'abc' }] } });

    const report = await gql(gw.url, `{ importErrorReport(jobId: "${started.data!.importProjects.id}", format: CSV) }`, { key: KW });
    expect(Buffer.from(report.data!.importErrorReport, 'base64').toString('utf8')).toContain('3,G-2,资助金额(万元),abc,');
    const foreign = await gql(gw.url, `{ importErrorReport(jobId: "${started.data!.importProjects.id}") }`, { key: ZJ });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const p = await gql(gw.url, '{ projectByLocalId(department: "KW", localId: "G-1") { title requested { wan } } }', { key: ZJ });
    expect(p.data!.projectByLocalId).toEqual({ title: '网关导入项目', requested: { wan: '120.0000' } });
  });

  it('uses a department\'s saved column mapping', async () => {
    const save = 'mutation($m: JSON!) { saveImportMapping(mapping: $m) }';
    const bad = await gql(gw.url, save, { key: KW, variables: { m: { 课题编码: 'localKey' } } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(bad.errors?.[0]?.message).toMatch(/mapping.课题编码: "localKey" is not a field/);
    const saved = await gql(gw.url, save, { key: KW, variables: { m: { 课题编码: 'localId', 课题名称: 'title', 依托单位名称: 'orgName' } } });
    expect(saved.errors).toBeUndefined();
    const csv = ['课题编码,课题名称,依托单位名称,年度,子专项', 'M-1,映射导入的课题,上海映射科技有限公司,2025,5'].join('\n');
    const started = await gql(gw.url, 'mutation($c: String!) { importProjects(fileName: "m.csv", contentBase64: $c, options: { department: "KW" }) { id } }', { key: KW, variables: { c: Buffer.from(csv).toString('base64') } });
    expect((await finished(gw, started.data!.importProjects.id, KW)).result).toMatchObject({ created: 1, failed: 0 });
  });

  it('registers a webhook, shows its secret once, and lists its delivery state', async () => {
    const reg = await gql(gw.url, 'mutation { registerWebhook(url: "http://127.0.0.1:9/hook") { id url secret } }', { key: KW });
    expect(reg.errors).toBeUndefined();
    expect(reg.data!.registerWebhook.secret).toMatch(/^[0-9a-f]{64}$/);
    const list = await gql(gw.url, '{ webhooks { id url active failures recent { status } } }', { key: KW });
    expect(list.data!.webhooks).toEqual([{ id: reg.data!.registerWebhook.id, url: 'http://127.0.0.1:9/hook', active: true, failures: 0, recent: [] }]);
    expect((await gql(gw.url, '{ webhooks { id } }', { key: ZJ })).data!.webhooks).toEqual([]);
    const bad = await gql(gw.url, 'mutation { registerWebhook(url: "mailto:x@y") { id } }', { key: KW });
    expect(bad.errors?.[0]?.message).toMatch(/url: must be http/);
    expect((await gql(gw.url, `mutation { deleteWebhook(id: "${reg.data!.registerWebhook.id}") }`, { key: ZJ })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await gql(gw.url, `mutation { deleteWebhook(id: "${reg.data!.registerWebhook.id}") }`, { key: KW })).data!.deleteWebhook).toBe(true);
  });

  it('exports a filtered part of the registry as a job, with a data dictionary, and reports each department\'s linkage', async () => {
    const started = await gql(gw.url, 'mutation { exportProjects(format: CSV, filter: { departments: ["KW"], years: [2025] }) { id } }', { key: ZJ });
    expect(started.errors).toBeUndefined();
    const job = await finished(gw, started.data!.exportProjects.id, ZJ);
    expect(job.status).toBe('completed');
    const file = await gql(gw.url, `{ exportFile(jobId: "${started.data!.exportProjects.id}") { fileName contentBase64 } }`, { key: ZJ });
    const text = Buffer.from(file.data!.exportFile.contentBase64, 'base64').toString('utf8');
    const [header, ...lines] = text.replace(/^\uFEFF/, '').trim().split('\n');
    expect(header!.split(',').slice(0, 4)).toEqual(['code', 'display_code', 'department', 'department_name']);
    expect(lines.length).toBe(job.result.rows);
    expect(lines.some((l) => l.includes('网关导入项目') && l.includes(',1200000.00,'))).toBe(true);
    expect(lines.every((l) => l.includes(',KW,'))).toBe(true);
    expect((await gql(gw.url, `{ exportFile(jobId: "${started.data!.exportProjects.id}") { fileName } }`, { key: KW })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const dict = await gql(gw.url, '{ dataDictionary { field name type } }', { key: ZJ });
    expect(dict.data!.dataDictionary).toEqual(expect.arrayContaining([{ field: 'requested_yuan', name: '申请财政资金(元)', type: 'decimal(2)' }]));

    const linkage = await gql(gw.url, '{ linkageReport { departmentCode imports created failed unlinked { localId } } }', { key: KW });
    expect(linkage.data!.linkageReport).toMatchObject({ departmentCode: 'KW', imports: 2, created: 2, failed: 1 });
  });

  it('leaves registering new departments and funds to the information center, and refuses bad files clearly', async () => {
    const r = await gql(gw.url, 'mutation { importProjects(fileName: "x.csv", contentBase64: "YQ==", options: { registerMissing: true }) { id } }', { key: KW });
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const name = await gql(gw.url, 'mutation { importProjects(fileName: "x.pdf", contentBase64: "YQ==") { id } }', { key: KW });
    expect(name.errors?.[0]?.message).toMatch(/fileName: must end in .csv, .xlsx or .jsonl/);
    const noColumns = await gql(gw.url, 'mutation($c: String!) { importProjects(fileName: "x.csv", contentBase64: $c) { id } }', { key: KW, variables: { c: Buffer.from('a,b\n1,2\n').toString('base64') } });
    const job = await finished(gw, noColumns.data!.importProjects.id, KW);
    expect(job).toMatchObject({ status: 'failed', error: expect.stringMatching(/has no column for localId and title/) });
  });
});
