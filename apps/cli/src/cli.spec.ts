import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetDatabase, testDbKind } from '#shared/testing/index.js';
import { runCli } from './cli.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const env = { DATABASE_URL: process.env.DATABASE_URL, DB_POOL_SIZE: process.env.DB_POOL_SIZE, LOG_LEVEL: 'error' };
  const code = await runCli(argv, (l) => out.push(...l.split('\n')), (l) => err.push(...l.split('\n')), env);
  return { code, out, err };
}

describe(`operator CLI (${testDbKind()} database)`, () => {
  beforeAll(() => resetDatabase());

  it('tells an operator to migrate a server database first', async () => {
    const r = await cli('seed');
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(/database: the schema is not up to date: run "npm run cli -- migrate" first/);
  });

  it('migrates, then reports the schema up to date', async () => {
    expect((await cli('migrate')).out[0]).toMatch(/Applied 12 migration/);
    expect((await cli('migrate')).out).toEqual(['The database schema is up to date.']);
  });

  it('seeds idempotently and prints demo keys', async () => {
    const first = await cli('seed', '--demo');
    expect(first.code).toBe(0);
    expect(first.out.join('\n')).toMatch(/departments\s+inserted 14, updated 0, unchanged 0/);
    expect(first.out.join('\n')).toMatch(/KW\s+STAFF\s+demo_kw_demokeykw0000000/);
    expect(first.out.join('\n')).toMatch(/demo projects\s+registered 305/);
    const second = await cli('seed', '--demo');
    expect(second.out.join('\n')).toMatch(/departments\s+inserted 0, updated 0, unchanged 14/);
    expect(second.out.join('\n')).toMatch(/demo projects\s+registered 0/);
  });

  it('creates a key with the department\'s own role, printing the key last, and revokes it', async () => {
    const created = await cli('apikey', 'create', '--department', 'JXW', '--label', '经信委业务系统');
    expect(created.code).toBe(0);
    const key = created.out[created.out.length - 1]!;
    expect(key).toMatch(/^lk_[A-Za-z0-9_-]{32}$/);
    expect(created.out[0]).toMatch(/for JXW with role LEADING/);
    const id = /Created key ([0-9a-f-]{36})/.exec(created.out[0]!)![1]!;

    const listed = await cli('apikey', 'list', '--department', 'JXW');
    expect(listed.out.join('\n')).toMatch(new RegExp(`${id}\\s+JXW\\s+LEADING\\s+lk_\\S+…\\s+active`));
    expect(listed.out.join('\n')).not.toContain(key);

    const revoked = await cli('apikey', 'revoke', id);
    expect(revoked.code).toBe(0);
    expect(revoked.out[0]).toMatch(`Revoked key ${id} (JXW, LEADING)`);
    expect((await cli('apikey', 'list', '--department', 'JXW')).out.join('\n')).toMatch(new RegExp(`${id}.*revoked`));
  });

  it.each([
    [['apikey', 'create'], 2, /apikey create needs --department <code>/],
    [['apikey', 'create', '--department', 'NOPE'], 1, /department: "NOPE" is not a known department \(known: .*KW/],
    [['apikey', 'create', '--department', 'KW', '--role', 'LEADING'], 1, /role: KW \(PARTICIPATING\) cannot hold role LEADING; allowed: STAFF, READER/],
    [['apikey', 'create', '--department', 'KW', '--role', 'boss'], 1, /role: "boss" is not a role/],
    [['apikey', 'revoke', 'abc'], 1, /id: "abc" is not a key id/],
    [['apikey', 'revoke', '00000000-0000-4000-8000-000000000000'], 1, /API key "00000000-0000-4000-8000-000000000000" does not exist/],
    [['seed', '--bogus'], 2, /Unknown option '--bogus'/],
    [['frobnicate'], 2, /unknown command "frobnicate"/],
  ])('refuses %j with a clear message', async (argv, code, message) => {
    const r = await cli(...(argv as string[]));
    expect(r.code).toBe(code);
    expect(r.err.join('\n')).toMatch(message as RegExp);
  });

  it('grants, lists and revokes a delegation to a third-party agency', async () => {
    const granted = await cli('delegation', 'grant', '--agency', 'DSF', '--department', '科委', '--from', '2026-01-01', '--until', '2027-12-31');
    expect(granted.code).toBe(0);
    expect(granted.out[0]).toBe('DSF now acts for KW from 2026-01-01 until 2027-12-31.');
    expect((await cli('delegation', 'list')).out[0]).toMatch(/^DSF\s+→ KW\s+2026-01-01 – 2027-12-31\s+active/);
    expect((await cli('delegation', 'revoke', '--agency', 'DSF', '--department', 'KW')).code).toBe(0);
    expect((await cli('delegation', 'list')).out[0]).toMatch(/revoked/);
    const again = await cli('delegation', 'revoke', '--agency', 'DSF', '--department', 'KW');
    expect(again.err.join('\n')).toMatch(/active delegation "DSF → KW" does not exist/);
    expect((await cli('delegation', 'grant', '--agency', 'DSF')).err.join('\n')).toMatch(/delegation grant needs --department <code>/);
    expect((await cli('delegation', 'grant', '--agency', 'DSF', '--department', 'KW', '--until', 'soon')).err.join('\n')).toMatch(/until: "soon" is not a date/);
  });

  it('imports a file with a progress report and writes the failed rows to a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-import-'));
    const file = join(dir, '张江.csv');
    writeFileSync(file, ['id,title,org_name,year,subfund,amount_wan', 'C-1,命令行导入,上海命令行科技有限公司,2025,8,50', 'C-2,,上海命令行科技有限公司,2025,8,50'].join('\n'));
    const r = await cli('import', file, '--department', 'ZJ', '--report', join(dir, 'errors.xlsx'));
    expect(r.code).toBe(3);
    expect(r.out.join('\n')).toMatch(/created 1, updated 0, unchanged 0, failed 1/);
    expect(r.out.join('\n')).toMatch(/row 3 \[title\] is empty/);
    expect(readFileSync(join(dir, 'errors.xlsx')).subarray(0, 2).toString()).toBe('PK');
    const again = await cli('import', file, '--department', 'ZJ');
    expect(again.out.join('\n')).toMatch(/created 0, updated 0, unchanged 1, failed 1/);
    expect((await cli('import', join(dir, 'missing.csv'))).err.join('\n')).toMatch(/file: cannot read/);
    expect((await cli('import', file, '--format', 'pdf')).err.join('\n')).toMatch(/--format must be csv, xlsx or jsonl/);
  });

  it('exports the registry with its data dictionary and prints a department\'s linkage report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-export-'));
    const xlsx = await cli('export', '--format', 'xlsx', '--department', 'ZJ', '--out', join(dir, 'zj.xlsx'));
    expect(xlsx.out[0]).toMatch(/^exported \d+ project\(s\) to .*zj.xlsx \(with a data dictionary sheet\)$/);
    const jsonl = await cli('export', '--format', 'jsonl', '--department', 'ZJ', '--year', '2025', '--out', join(dir, 'zj.jsonl'));
    expect(jsonl.code).toBe(0);
    const records = readFileSync(join(dir, 'zj.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { department: string; year: number; title: string });
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.department === 'ZJ' && r.year === 2025)).toBe(true);
    expect((await cli('export', '--format', 'pdf', '--out', 'x')).err.join('\n')).toMatch(/export needs --format csv, xlsx or jsonl/);
    const report = await cli('linkage-report', '--department', 'ZJ');
    expect(report.out[0]).toMatch(/^ZJ: 2 import\(s\)/);
    expect(report.out[1]).toBe('rows created 1, updated 0, unchanged 1, failed 2');
  });

  it('checks credit, runs the daily credit job, and scans for duplicates', async () => {
    // The demo's misused-funds record blocks its organisation (seeded above with --demo).
    const list = await cli('credit', 'check', '--org', '无此单位测试有限公司');
    expect(list.out[0]).toMatch(/^pass \(as of \d{4}-\d{2}-\d{2}\)$/);
    const bad = await cli('credit', 'check', '--uscc', '12345');
    expect(bad.code).toBe(1);
    expect(bad.err.join('\n')).toMatch(/organisationCode: must be 18 characters/);
    const daily = await cli('credit', 'daily');
    expect(daily.out[0]).toMatch(/^expired \d+ record\(s\); re-checked \d+ open application\(s\)/);
    const scan = await cli('dedup', 'scan', '--year', '2024');
    expect(scan.code).toBe(0);
    expect(scan.out.join('\n')).toMatch(/candidate pairs: \d+ likely, \d+ possible/);
    const check = await cli('dedup', 'check', '--title', '工业机器人精密减速器研发及产业化', '--org', '上海测试科技有限公司');
    expect(check.code).toBe(0);
    expect((await cli('credit', 'nope')).code).toBe(2);
  });

  it('compiles the annual report into a directory, and names a bad parameter', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-report-'));
    const r = await cli('report', 'annual', '--year', '2024', '--out', dir, '--as-of', new Date().toISOString().slice(0, 10));
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const html = r.out.find((l) => l.endsWith('.html') || /\.html \(/.test(l));
    expect(html).toMatch(/wrote .*annual-report-310000-2024-as-of-\d{4}-\d{2}-\d{2}\.html \(\d+ bytes\)/);
    expect(r.out.join('\n')).toMatch(/content hash [0-9a-f]{64}/);
    const file = /wrote (.*\.html)/.exec(html!)![1]!;
    expect(readFileSync(file, 'utf8')).toContain('上海市2024年度科技专项资金部门联动管理工作报告');
    const bad = await cli('report', 'annual', '--year', '2024', '--out', dir, '--as-of', '2023-12-31');
    expect(bad.code).toBe(1);
    expect(bad.err.join('\n')).toMatch(/asOf: 2023-12-31 is before the year 2024 begins/);
    expect((await cli('report', 'annual', '--out', dir)).err.join('\n')).toMatch(/report annual needs --year/);
    // Listed, and downloaded again later.
    const id = /report ([0-9a-f-]{36}), content hash/.exec(r.out.join('\n'))![1]!;
    const listed = await cli('report', 'list', '--year', '2024');
    expect(listed.out.join('\n')).toMatch(new RegExp(`${id}  310000  2024  as of \\d{4}-\\d{2}-\\d{2} \\(provisional\\)`));
    const again = mkdtempSync(join(tmpdir(), 'cli-report-again-'));
    const downloaded = await cli('report', 'download', id, '--out', again);
    expect(downloaded.code).toBe(0);
    expect(readFileSync(join(again, /wrote .*\/([^/]+\.html)/.exec(downloaded.out.join('\n'))![1]!), 'utf8')).toBe(readFileSync(file, 'utf8'));
  });

  it('runs a job through the queue', async () => {
    const r = await cli('queue', 'ping', '--message', 'hello');
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/completed: \{"echo":"hello"/);
  });

  it('names a bad environment variable', async () => {
    const err: string[] = [];
    expect(await runCli(['migrate'], () => undefined, (l) => err.push(l), { PORT: 'x' })).toBe(1);
    expect(err.join('\n')).toMatch(/PORT: must be a whole number/);
  });
});
