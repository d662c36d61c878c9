/**
 * npm run bench:import -- [--rows 100000]
 *
 * Imports a generated file of department records (the benchmark CSV format, real credit codes
 * from ../shared/bench/orgs/registry.csv) into an empty PostgreSQL database through the real
 * ImportService: unified codes minted, organisations matched, history written. Prints rows/s.
 * Uses BENCH_DATABASE_URL, else DATABASE_URL; the database is dropped and created again.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import pg from 'pg';
import { ImportService } from '#integration';
import { PlatformModule, SeedService } from '#platform';
import { ReferenceService } from '#reference';
import { loadConfig } from '#shared/config/index.js';
import { projectRoot } from '#shared/core/index.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' } } });
const ROWS = Number(values.rows);
const url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
if (!url) {
  console.error('Set BENCH_DATABASE_URL (or DATABASE_URL), e.g. postgres://postgres@127.0.0.1:5432/linkage_bench_import');
  process.exit(2);
}

const u = new URL(url);
const dbName = u.pathname.slice(1);
u.pathname = '/postgres';
const admin = new pg.Client({ connectionString: u.toString() });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
await admin.query(`CREATE DATABASE "${dbName}" ENCODING 'UTF8' TEMPLATE template0`);
await admin.end();

const orgs = parse(readFileSync(join(projectRoot(), '..', 'shared', 'bench', 'orgs', 'registry.csv'), 'utf8'), { columns: true }) as { name: string; uscc: string }[];
const withCode = orgs.filter((o) => o.uscc.length === 18);
const depts = [
  ['经信委', [1, 2, 3, 4]],
  ['科委', [5, 6, 7]],
  ['张江管委会', [8, 9, 10]],
] as const;
const topics = ['工业机器人精密减速器', '晶圆缺陷检测设备', '车规级功率半导体', '细胞治疗制备工艺', '医学影像探测器', '固态锂电池隔膜', '工业互联网安全平台', '射频前端芯片'];
const kinds = ['研发及产业化', '关键技术攻关', '产学研联合攻关', '技术中心能力提升', '成果转化与应用', '创新中心建设'];
const rows = Array.from({ length: ROWS }, (_, i) => {
  const [dept, subs] = depts[i % 3]!;
  const org = withCode[(i * 7919) % withCode.length]!;
  const year = 2018 + (i % 8);
  return {
    id: `BENCH-${i}`,
    department: dept,
    subfund: subs[i % subs.length],
    year,
    title: `${topics[i % topics.length]}${kinds[(i >> 3) % kinds.length]}(${i})`,
    org_name: org.name,
    uscc: i % 4 === 0 ? '' : org.uscc,
    leader: `负责人${i % 5000}`,
    amount_wan: 50 + (i % 20) * 25,
    total_investment_wan: 400 + (i % 20) * 60,
    start_date: `${year}-03-01`,
    end_date: `${year + 2}-02-28`,
  };
});
const content = Buffer.from(stringify(rows, { header: true }));

const config = loadConfig({ DATABASE_URL: url, DB_POOL_SIZE: '4', AUTO_MIGRATE: 'true', LOG_LEVEL: 'error' });
const app = await NestFactory.createApplicationContext(
  PlatformModule.forRoot({ config, connection: { kind: 'postgres', url, poolSize: 4, close: async () => undefined }, processJobs: false }),
  { logger: ['error'] },
);
await app.get(SeedService).seed({ demo: false });
const xxzx = (await app.get(ReferenceService).departments()).find((d) => d.code === 'XXZX')!;
const started = Date.now();
const report = await app.get(ImportService).run(
  { departmentId: xxzx.id, departmentCode: 'XXZX', role: 'INFORMATION_CENTER', apiKeyId: null },
  { name: 'bench.csv', content },
  {},
  async (done, total) => {
    process.stdout.write(`\r${done}/${total} rows, ${Math.round(done / ((Date.now() - started) / 1000))} rows/s   `);
  },
);
const seconds = (Date.now() - started) / 1000;
console.log(`\nimported ${report.created} of ${report.total} rows (${report.failed} failed) in ${seconds.toFixed(1)} s: ${Math.round(report.total / seconds)} rows/s`);
const check = new pg.Client({ connectionString: url });
await check.connect();
const counts = (await check.query(`SELECT (SELECT count(*) FROM project) AS projects, (SELECT count(*) FROM history_entry) AS history, (SELECT count(*) FROM change_event) AS events`)).rows[0];
console.log(`projects ${counts.projects}, history entries ${counts.history}, change events ${counts.events}`);
await check.end();
await app.close();
