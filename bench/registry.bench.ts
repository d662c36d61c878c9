/**
 * npm run bench:registry -- --projects 1000000 [--samples 200] [--keep]
 *
 * Fills a PostgreSQL database with projects (organisations, leaders, unified codes) and measures
 * p50/p95 of a code lookup and three typical filtered queries through the real RegistryService.
 * Uses BENCH_DATABASE_URL, else DATABASE_URL; the database is created when it does not exist.
 * Filling is resumable: a second run with the same target only measures.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { formatProjectCode, orgCodeCheckChar, usccCheckChar } from '#encoding';
import { PlatformModule, SeedService } from '#platform';
import { ReferenceService } from '#reference';
import { RegistryService, type ProjectStatus } from '#registry';
import { loadConfig } from '#shared/config/index.js';

const { values } = parseArgs({ options: { projects: { type: 'string', default: '100000' }, samples: { type: 'string', default: '200' } } });
const TARGET = Number(values.projects);
const SAMPLES = Number(values.samples);
const url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
if (!url) {
  console.error('Set BENCH_DATABASE_URL (or DATABASE_URL) to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/linkage_bench');
  process.exit(2);
}

async function ensureDatabase(): Promise<void> {
  const u = new URL(url!);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: u.toString() });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (!exists.rowCount) await admin.query(`CREATE DATABASE "${name}" ENCODING 'UTF8' TEMPLATE template0`);
  await admin.end();
}

let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const TOPICS = ['工业机器人精密减速器', '晶圆缺陷检测设备', '车规级功率半导体', '细胞治疗制备工艺', '医学影像探测器', '固态锂电池隔膜', '工业互联网安全平台', '射频前端芯片', '手术机器人控制系统', '燃料电池电堆', '可降解高分子材料', '数控机床主轴', '类脑计算芯片', '体外诊断试剂', '无人配送系统', '工业仿真软件', '光刻胶材料', '激光雷达', '基因测序仪', '储能电池管理系统'];
const KINDS = ['研发及产业化', '关键技术攻关', '产学研联合攻关', '技术中心能力提升', '成果转化与应用', '标准研制', '创新中心建设', '首轮流片'];
const STATUSES = ['DRAFT', 'ACCEPTED', 'EXPERT_REVIEW', 'APPROVED', 'IN_IMPLEMENTATION', 'ACCEPTANCE_PASSED', 'CLOSED', 'REJECTED'];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function fill(client: pg.Client, ref: ReferenceService): Promise<void> {
  const have = Number((await client.query('SELECT count(*) FROM project')).rows[0].count);
  if (have >= TARGET) return console.log(`registry holds ${have} projects already`);
  const funds = (await ref.funds()).filter((f) => f.jurisdictionCode === '310000' && f.subFunds.length);
  const departments = new Map((await ref.departments()).map((d) => [d.id, d]));
  // Organisations and leaders, 1 per 20 projects and 1 per 8.
  const orgCount = Math.max(100, Math.ceil(TARGET / 20));
  const haveOrgs = Number((await client.query('SELECT count(*) FROM organisation')).rows[0].count);
  const orgIds: string[] = (await client.query('SELECT id FROM organisation')).rows.map((r) => r.id);
  for (let i = haveOrgs; i < orgCount; i += 5000) {
    const ids: string[] = [], codes: string[] = [], names: string[] = [];
    for (let j = i; j < Math.min(orgCount, i + 5000); j++) {
      const body = `MA${j.toString(36).toUpperCase().replace(/[IOSVZ]/g, 'A').padStart(6, '0')}`;
      const first17 = `91310115${body}${orgCodeCheckChar(body)}`;
      ids.push(randomUUID());
      codes.push(first17 + usccCheckChar(first17));
      names.push(`上海${pick(['申联', '华芯', '博睿', '中科', '瑞铂', '恒拓', '云启', '新昇'])}${j}科技有限公司`);
    }
    const inserted = await client.query(
      `INSERT INTO organisation (id, uscc, uscc_status, name, name_norm)
       SELECT id, uscc, 'valid', name, name FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(id, uscc, name) ON CONFLICT DO NOTHING RETURNING id`,
      [ids, codes, names],
    );
    const insertedIds = inserted.rows.map((r: { id: string }) => r.id);
    await client.query(`INSERT INTO organisation_name (organisation_id, name, name_norm, first_seen_at) SELECT id, name, name_norm, now() FROM organisation WHERE id = ANY($1::uuid[])`, [insertedIds]);
    orgIds.push(...insertedIds);
  }
  const leaderIds: string[] = (await client.query('SELECT id FROM person')).rows.map((r) => r.id);
  for (let i = leaderIds.length; i < Math.ceil(TARGET / 8); i += 10000) {
    const ids: string[] = [], names: string[] = [];
    for (let j = i; j < Math.min(Math.ceil(TARGET / 8), i + 10000); j++) {
      ids.push(randomUUID());
      names.push(`${pick([...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗'])}${pick(['建国', '晓明', '丽华', '志强', '海燕', '文博', '思远', '雨欣'])}${j % 97}`);
    }
    await client.query(`INSERT INTO person (id, name, name_norm) SELECT * FROM unnest($1::uuid[], $2::text[], $2::text[])`, [ids, names]);
    leaderIds.push(...ids);
  }
  // Sequences continue from the counters, so codes stay unique across resumed runs.
  const started = Date.now();
  for (let done = have; done < TARGET; ) {
    const n = Math.min(20000, TARGET - done);
    const cols: unknown[][] = Array.from({ length: 16 }, () => []);
    const groups = new Map<string, { jurisdiction: string; year: number; dept: string; sub: string; count: number }>();
    const rows: { fund: (typeof funds)[number]; sub: (typeof funds)[number]['subFunds'][number]; year: number }[] = [];
    for (let i = 0; i < n; i++) {
      const fund = pick(funds);
      const sub = pick(fund.subFunds);
      const year = 2015 + Math.floor(rand() * 11);
      rows.push({ fund, sub, year });
      const dept = departments.get(fund.departmentId)!;
      const key = `${year}|${dept.code}|${sub.code}`;
      const g = groups.get(key) ?? { jurisdiction: dept.jurisdictionCode, year, dept: dept.code, sub: sub.code, count: 0 };
      g.count++;
      groups.set(key, g);
    }
    const next = new Map<string, number>();
    for (const [key, g] of groups) {
      const r = await client.query(
        `INSERT INTO project_code_sequence VALUES ($1, $2, $3, $4, $5) ON CONFLICT (jurisdiction_code, year, department_seg, sub_fund_seg) DO UPDATE SET last_value = project_code_sequence.last_value + $5 RETURNING last_value`,
        [g.jurisdiction, g.year, g.dept.padEnd(5, '0'), g.sub, g.count],
      );
      next.set(key, r.rows[0].last_value - g.count);
    }
    for (const { fund, sub, year } of rows) {
      const dept = departments.get(fund.departmentId)!;
      const key = `${year}|${dept.code}|${sub.code}`;
      const seq = next.get(key)! + 1;
      next.set(key, seq);
      const requested = (50 + Math.floor(rand() * 950)) * 1_000_000;
      const title = `${pick(TOPICS)}${pick(KINDS)}`;
      const vals = [randomUUID(), formatProjectCode({ jurisdiction: dept.jurisdictionCode, year, department: dept.code, subFund: sub.code, sequence: seq }), dept.id, fund.id, sub.id, sub.categoryCode, year, title, title, pick(orgIds), pick(leaderIds), requested, requested * 3, pick(STATUSES) as ProjectStatus, `${year}-03-01`, `${year + 2}-02-28`];
      vals.forEach((v, i) => cols[i]!.push(v));
    }
    await client.query(
      `INSERT INTO project (id, code, department_id, fund_id, sub_fund_id, category_code, year, title, title_norm, organisation_id, leader_id, requested_fen, total_investment_fen, status, planned_start, planned_end)
       SELECT * FROM unnest($1::uuid[], $2::char(24)[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::int[], $8::text[], $9::text[], $10::uuid[], $11::uuid[], $12::bigint[], $13::bigint[], $14::text[], $15::date[], $16::date[])`,
      cols,
    );
    done += n;
    const rate = Math.round((done - have) / ((Date.now() - started) / 1000));
    process.stdout.write(`\rfilled ${done.toLocaleString()} / ${TARGET.toLocaleString()} projects (${rate} rows/s)   `);
  }
  process.stdout.write('\n');
  await client.query('ANALYZE');
}

async function measure(name: string, run: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 10; i++) await run(i); // warm up
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = process.hrtime.bigint();
    await run(i);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(`${name.padEnd(44)} p50 ${percentile(times, 50).toFixed(1).padStart(7)} ms   p95 ${percentile(times, 95).toFixed(1).padStart(7)} ms`);
}

await ensureDatabase();
const config = loadConfig({ DATABASE_URL: url, DB_POOL_SIZE: '4', AUTO_MIGRATE: 'true', LOG_LEVEL: 'error' });
const app = await NestFactory.createApplicationContext(
  PlatformModule.forRoot({ config, connection: { kind: 'postgres', url, poolSize: 4, close: async () => undefined }, processJobs: false }),
  { logger: ['error'] },
);
await app.get(SeedService).seed({ demo: false });
const client = new pg.Client({ connectionString: url });
await client.connect();
await fill(client, app.get(ReferenceService));

const registry = app.get(RegistryService);
const codes: string[] = (await client.query(`SELECT code FROM project TABLESAMPLE SYSTEM (1) LIMIT $1`, [SAMPLES + 10])).rows.map((r) => r.code);
const usccs: string[] = (await client.query(`SELECT uscc FROM organisation TABLESAMPLE SYSTEM (5) WHERE uscc IS NOT NULL LIMIT $1`, [SAMPLES + 10])).rows.map((r) => r.uscc.trim());
const depts = (await app.get(ReferenceService).departments()).filter((d) => ['JXW', 'KW', 'ZJ'].includes(d.code));
const total = Number((await client.query('SELECT count(*) FROM project')).rows[0].count);
console.log(`\nregistry: ${total.toLocaleString()} projects; ${SAMPLES} samples per query; through RegistryService (page of 20 with totalCount, exact up to 10,000)\n`);
await measure('code lookup', (i) => registry.get(codes[i % codes.length]!));
await measure('department + year + status', (i) => registry.list({ departmentIds: [depts[i % 3]!.id], years: [2015 + (i % 11)], statuses: [STATUSES[i % STATUSES.length] as ProjectStatus] }, 20));
await measure('organisation credit code', (i) => registry.list({ organisation: usccs[i % usccs.length]! }, 20));
await measure('title keyword (3+ characters)', (i) => registry.list({ keyword: TOPICS[i % TOPICS.length]!.slice(0, 4) }, 20));
await client.end();
await app.close();
