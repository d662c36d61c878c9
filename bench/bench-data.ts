import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import { projectRoot } from '#shared/core/index.js';

const DEPARTMENTS = [
  ['经信委', [1, 2, 3, 4]],
  ['科委', [5, 6, 7]],
  ['张江管委会', [8, 9, 10]],
] as const;
const TOPICS = ['工业机器人精密减速器', '晶圆缺陷检测设备', '车规级功率半导体', '细胞治疗制备工艺', '医学影像探测器', '固态锂电池隔膜', '工业互联网安全平台', '射频前端芯片'];
const KINDS = ['研发及产业化', '关键技术攻关', '产学研联合攻关', '技术中心能力提升', '成果转化与应用', '创新中心建设'];
/** A spread of lifecycle statuses for `withOutcomes`: about half approved or later. */
const STATUSES = ['APPROVED', 'IN_IMPLEMENTATION', 'EXPERT_REVIEW', 'CLOSED', 'REJECTED', 'ACCEPTANCE_PASSED', 'ACCEPTED', 'DRAFT'];
const APPROVED = new Set(['APPROVED', 'IN_IMPLEMENTATION', 'CLOSED', 'ACCEPTANCE_PASSED']);

/**
 * Department records in the benchmark CSV format: the three Shanghai departments' sub-funds, years
 * 2018–2025, real organisations and credit codes from ../shared/bench/orgs/registry.csv (a quarter
 * without the code). With `withOutcomes`, rows also carry a status and, when approved, an amount.
 */
export function benchRows(n: number, opts: { withOutcomes?: boolean } = {}): Record<string, string | number>[] {
  const orgs = parse(readFileSync(join(projectRoot(), '..', 'shared', 'bench', 'orgs', 'registry.csv'), 'utf8'), { columns: true }) as { name: string; uscc: string }[];
  const withCode = orgs.filter((o) => o.uscc.length === 18);
  return Array.from({ length: n }, (_, i) => {
    const [dept, subs] = DEPARTMENTS[i % 3]!;
    const org = withCode[(i * 7919) % withCode.length]!;
    const year = 2018 + (i % 8);
    const requested = 50 + (i % 20) * 25;
    const row: Record<string, string | number> = {
      id: `BENCH-${i}`,
      department: dept,
      subfund: subs[i % subs.length]!,
      year,
      title: `${TOPICS[i % TOPICS.length]}${KINDS[(i >> 3) % KINDS.length]}(${i})`,
      org_name: org.name,
      uscc: i % 4 === 0 ? '' : org.uscc,
      leader: `负责人${i % 5000}`,
      amount_wan: requested,
      total_investment_wan: 400 + (i % 20) * 60,
      start_date: `${year}-03-01`,
      end_date: `${year + 2}-02-28`,
    };
    if (opts.withOutcomes) {
      const status = STATUSES[(i >> 2) % STATUSES.length]!;
      row.status = status;
      row.approved_wan = APPROVED.has(status) ? requested - (i % 5) * 5 : '';
    }
    return row;
  });
}

/** The benchmark's database (BENCH_DATABASE_URL, else DATABASE_URL), dropped and created empty; exits with a hint when neither is set. */
export async function freshBenchDatabase(example: string): Promise<string> {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) {
    console.error(`Set BENCH_DATABASE_URL (or DATABASE_URL), e.g. postgres://postgres@127.0.0.1:5432/${example}`);
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
  return url;
}
