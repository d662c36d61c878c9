import { resetDatabase, testConfig, testDbKind } from '#shared/testing/index.js';
import { startGateway, type RunningGateway } from '../src/bootstrap.js';
import { finished, gql } from './graphql-client.js';

const KW = 'demo_kw_demokeykw0000000';
const JXW = 'demo_jxw_demokeyjxw000000';

describe(`the annual report through GraphQL (${testDbKind()} database)`, () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    await resetDatabase();
    gw = await startGateway(testConfig({ SEED_DEMO_ON_EMPTY: 'true' }), { port: 0 });
  });
  afterAll(() => gw?.close());

  it('is compiled by the leading department as a job, read by every department, and downloads as XLSX and HTML', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const started = await gql(gw.url, `mutation { generateAnnualReport(year: 2024, asOf: "${today}") { id status } }`, { key: JXW });
    expect(started.errors).toBeUndefined();
    const job = await finished(gw, started.data!.generateAnnualReport.id, JXW);
    expect(job.status).toBe('completed');
    expect(job.progressDone).toBe(job.progressTotal);
    const reportId = job.result.reportId as string;

    const list = await gql(gw.url, '{ annualReports(year: 2024) { id year asOf jurisdiction contentHash generatedBy sections { number title } } }', { key: KW });
    expect(list.errors).toBeUndefined();
    expect(list.data!.annualReports).toEqual([
      { id: reportId, year: 2024, asOf: today, jurisdiction: '310000', contentHash: job.result.contentHash, generatedBy: 'JXW', sections: expect.arrayContaining([{ number: 7, title: '数据质量' }]) },
    ]);

    const html = await gql(gw.url, `{ annualReportFile(id: "${reportId}", format: HTML) { fileName mediaType contentBase64 } }`, { key: KW });
    expect(html.data!.annualReportFile).toMatchObject({ fileName: `annual-report-310000-2024-as-of-${today}.html`, mediaType: 'text/html; charset=utf-8' });
    const doc = Buffer.from(html.data!.annualReportFile.contentBase64, 'base64').toString('utf8');
    expect(doc).toContain('<title>上海市2024年度科技专项资金部门联动管理工作报告</title>');
    for (const key of ['overview', 'projects', 'duplicates', 'credit', 'consultation', 'tasks', 'quality']) expect(doc).toContain(`data-section="${key}"`);
    // The demo's 2024 projects: some approved, by three departments; the 004 tasks, all of them due years ago.
    expect(doc).toMatch(/<svg [^>]*data-chart="departmentMoney"/);
    expect(doc).toMatch(/<svg [^>]*data-chart="tasksByDepartment"/);

    const xlsx = await gql(gw.url, `{ annualReportFile(id: "${reportId}", format: XLSX) { fileName contentBase64 } }`, { key: KW });
    expect(Buffer.from(xlsx.data!.annualReportFile.contentBase64, 'base64').subarray(0, 2).toString()).toBe('PK');

    // Compiled again for the same year and day: the same figures.
    const again = await finished(gw, (await gql(gw.url, `mutation { generateAnnualReport(year: 2024, asOf: "${today}") { id } }`, { key: JXW })).data!.generateAnnualReport.id, JXW);
    expect(again.result.contentHash).toBe(job.result.contentHash);
    expect(again.result.reportId).not.toBe(reportId);
  });

  it('refuses other departments, callers without a key, and bad parameters by name', async () => {
    const byKw = await gql(gw.url, 'mutation { generateAnnualReport(year: 2024) { id } }', { key: KW });
    expect(byKw.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await gql(gw.url, '{ annualReports { id } }');
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const bad = await gql(gw.url, 'mutation { generateAnnualReport(year: 2024, asOf: "2024-13-01", jurisdiction: "12") { id } }', { key: JXW });
    expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(bad.errors?.[0]?.extensions?.problems).toEqual([
      { field: 'asOf', reason: 'must be a date YYYY-MM-DD, not "2024-13-01"' },
      { field: 'jurisdiction', reason: '"12" is not a known jurisdiction code (six digits, e.g. 310000)' },
    ]);
    const missing = await gql(gw.url, '{ annualReport(id: "00000000-0000-4000-8000-000000000000") { id } }', { key: KW });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
