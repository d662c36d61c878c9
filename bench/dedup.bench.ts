/**
 * npm run bench:dedup -- [--projects 1000000] [--samples 200] [--fuse-samples 3] [--skip-pipeline] [--skip-precheck]
 *
 * 1. The whole pipeline on ../shared/bench/real/projects.csv (`bench dedup`: fresh schema, import
 *    through the normal path, normal batch scan, pairs written), with the time of each stage, then
 *    the scorer's verdict on real/ and on synthetic/.
 * 2. The pre-check of one draft against a registry of --projects projects (p50/p95 through
 *    DedupService.check), and the same query as a plain fuse.js search over the same projects.
 *
 * Uses BENCH_DATABASE_URL, else DATABASE_URL (PostgreSQL; part 2 fills a database of its own,
 * <name>_dedup, created when missing and kept, so a second run only measures).
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { parse } from 'csv-parse/sync';
import Fuse from 'fuse.js';
import pg from 'pg';
import { formatProjectCode } from '#encoding';
import { DedupService, MatchIndex, type DuplicateDraft } from '#dedup';
import { PlatformModule, SeedService } from '#platform';
import { ReferenceService } from '#reference';
import { loadConfig } from '#shared/config/index.js';
import { projectRoot } from '#shared/core/index.js';
import { benchDedup } from '../apps/cli/src/bench-dedup.js';

const { values } = parseArgs({
  options: {
    projects: { type: 'string', default: '1000000' },
    samples: { type: 'string', default: '200' },
    'fuse-samples': { type: 'string', default: '3' },
    'skip-pipeline': { type: 'boolean' },
    'skip-precheck': { type: 'boolean' },
  },
});
const TARGET = Number(values.projects);
const SAMPLES = Number(values.samples);
const FUSE_SAMPLES = Number(values['fuse-samples']);
const url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
if (!url) {
  console.error('Set BENCH_DATABASE_URL (or DATABASE_URL) to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/linkage_bench');
  process.exit(2);
}
const bench = (...p: string[]) => join(projectRoot(), '..', 'shared', 'bench', ...p);
type Rec = Record<string, string>;

let seed = 11;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Create a database when it does not exist (through the server's postgres database). */
async function ensureDatabase(dbUrl: string): Promise<void> {
  const u = new URL(dbUrl);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: u.toString() });
  await admin.connect();
  if (!(await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount) await admin.query(`CREATE DATABASE "${name}" ENCODING 'UTF8' TEMPLATE template0`);
  await admin.end();
}
await ensureDatabase(url);

// ---------------------------------------------------------------- 1. the pipeline on real/
if (!values['skip-pipeline']) {
  for (const set of ['real', 'synthetic'] as const) {
    console.log(`\n== bench dedup on ${set}/ (PostgreSQL) ==`);
    const out = `/tmp/bench-dedup-${set}-pairs.csv`;
    await benchDedup({ ...process.env, DATABASE_URL: url }, { records: bench(set, set === 'real' ? 'projects.csv' : 'records.csv'), out, keep: false }, (l) => console.log(l));
    const args = ['--records', bench(set, set === 'real' ? 'projects.csv' : 'records.csv'), '--labels', bench(set, set === 'real' ? 'labels-dev.csv' : 'labels.csv'), '--pairs', out];
    if (set === 'real') args.push('--unknown-rule', 'leader-title');
    console.log(execFileSync('node', [bench('score.mjs'), ...args], { encoding: 'utf8' }).trim());
  }
}

// ---------------------------------------------------------------- 2. pre-check at scale
if (!values['skip-precheck']) {
  const u = new URL(url);
  const dbName = `${u.pathname.slice(1)}_dedup`;
  u.pathname = `/${dbName}`;
  const dbUrl = u.toString();
  await ensureDatabase(dbUrl);

  const config = loadConfig({ DATABASE_URL: dbUrl, DB_POOL_SIZE: '4', AUTO_MIGRATE: 'true', LOG_LEVEL: 'error' });
  const app = await NestFactory.createApplicationContext(
    PlatformModule.forRoot({ config, connection: { kind: 'postgres', url: dbUrl, poolSize: 4, close: async () => undefined }, processJobs: false }),
    { logger: ['error'] },
  );
  await app.get(SeedService).seed({ demo: false });
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();

  // Real and synthetic records are the base; each further generation takes a base title with one
  // stretch of it replaced by a stretch of another title, and an organisation and a leader of other
  // records — so names, leaders and title words keep the frequencies real data has.
  const base = [
    ...(parse(readFileSync(bench('real', 'projects.csv'), 'utf8'), { columns: true }) as Rec[]),
    ...(parse(readFileSync(bench('synthetic', 'records.csv'), 'utf8'), { columns: true }) as Rec[]),
  ].filter((r) => r.title && r.org_name);
  const have = Number((await client.query('SELECT count(*) FROM project')).rows[0].count);
  if (have < TARGET) {
    const ref = app.get(ReferenceService);
    const funds = (await ref.funds()).filter((f) => f.jurisdictionCode === '310000' && f.subFunds.length);
    const departments = new Map((await ref.departments()).map((d) => [d.id, d]));
    const orgs = new Map<string, string>((await client.query('SELECT name, id FROM organisation')).rows.map((r) => [r.name, r.id]));
    const people = new Map<string, string>((await client.query('SELECT name, id FROM person')).rows.map((r) => [r.name, r.id]));
    const started = Date.now();
    for (let done = have; done < TARGET; ) {
      const n = Math.min(20000, TARGET - done);
      const recs: { title: string; org: string; leader: string; year: number }[] = [];
      for (let i = 0; i < n; i++) {
        const k = done + i;
        const r = base[k % base.length]!;
        if (k < base.length) {
          recs.push({ title: r.title!, org: r.org_name!, leader: r.leader ?? '', year: Number(r.year) || 2020 });
          continue;
        }
        const other = pick(base).title!;
        const cut = Math.floor(rand() * Math.max(1, r.title!.length - 4));
        const from = Math.floor(rand() * Math.max(1, other.length - 4));
        const title = r.title!.slice(0, cut) + other.slice(from, from + 2 + Math.floor(rand() * 4)) + r.title!.slice(cut + 3);
        recs.push({ title, org: pick(base).org_name!, leader: pick(base).leader ?? '', year: 1995 + Math.floor(rand() * 31) });
      }
      const newOrgs = [...new Set(recs.map((r) => r.org).filter((o) => !orgs.has(o)))];
      if (newOrgs.length) {
        const ids = newOrgs.map(() => randomUUID());
        await client.query(`INSERT INTO organisation (id, name, name_norm) SELECT id, n, n FROM unnest($1::uuid[], $2::text[]) AS t(id, n)`, [ids, newOrgs]);
        newOrgs.forEach((o, i) => orgs.set(o, ids[i]!));
      }
      const newPeople = [...new Set(recs.map((r) => r.leader).filter((l) => l && !people.has(l)))];
      if (newPeople.length) {
        const ids = newPeople.map(() => randomUUID());
        await client.query(`INSERT INTO person (id, name, name_norm) SELECT id, n, n FROM unnest($1::uuid[], $2::text[]) AS t(id, n)`, [ids, newPeople]);
        newPeople.forEach((p, i) => people.set(p, ids[i]!));
      }
      const cols: unknown[][] = Array.from({ length: 12 }, () => []);
      const groups = new Map<string, { jurisdiction: string; year: number; dept: string; sub: string; count: number }>();
      const placed = recs.map((r) => {
        const fund = pick(funds);
        const sub = pick(fund.subFunds);
        const dept = departments.get(fund.departmentId)!;
        const key = `${r.year}|${dept.code}|${sub.code}`;
        const g = groups.get(key) ?? { jurisdiction: dept.jurisdictionCode, year: r.year, dept: dept.code, sub: sub.code, count: 0 };
        g.count++;
        groups.set(key, g);
        return { r, fund, sub, dept, key };
      });
      const next = new Map<string, number>();
      for (const [key, g] of groups) {
        const res = await client.query(
          `INSERT INTO project_code_sequence VALUES ($1, $2, $3, $4, $5) ON CONFLICT (jurisdiction_code, year, department_seg, sub_fund_seg) DO UPDATE SET last_value = project_code_sequence.last_value + $5 RETURNING last_value`,
          [g.jurisdiction, g.year, g.dept.padEnd(5, '0'), g.sub, g.count],
        );
        next.set(key, res.rows[0].last_value - g.count);
      }
      for (const { r, fund, sub, dept, key } of placed) {
        const seq = next.get(key)! + 1;
        next.set(key, seq);
        const vals = [randomUUID(), formatProjectCode({ jurisdiction: dept.jurisdictionCode, year: r.year, department: dept.code, subFund: sub.code, sequence: seq }), dept.id, fund.id, sub.id, sub.categoryCode, r.year, r.title, r.title, orgs.get(r.org), r.leader ? people.get(r.leader) : null, 'APPROVED'];
        vals.forEach((v, i) => cols[i]!.push(v));
      }
      await client.query(
        `INSERT INTO project (id, code, department_id, fund_id, sub_fund_id, category_code, year, title, title_norm, organisation_id, leader_id, status)
         SELECT * FROM unnest($1::uuid[], $2::char(24)[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::int[], $8::text[], $9::text[], $10::uuid[], $11::uuid[], $12::text[])`,
        cols,
      );
      done += n;
      process.stdout.write(`\rfilled ${done.toLocaleString()} / ${TARGET.toLocaleString()} projects (${Math.round((done - have) / ((Date.now() - started) / 1000))} rows/s)   `);
    }
    process.stdout.write('\n');
  }
  // The index of normal forms, as registration writes it (resumable: only missing rows).
  const index = app.get(MatchIndex);
  const t0 = Date.now();
  const refreshed = await index.refreshStale(5000, (d) => void process.stdout.write(`\rindexed ${d.toLocaleString()} projects   `));
  if (refreshed) console.log(`\nindexed ${refreshed.toLocaleString()} projects in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  await client.query('ANALYZE');
  const total = await index.count();

  // Probes: real records, reworded a little (a suffix, a dropped character), as a department would type them again.
  const probes: DuplicateDraft[] = [];
  for (let i = 0; i < 2 * SAMPLES + FUSE_SAMPLES; i++) {
    const r = pick(base);
    const drop = Math.floor(rand() * r.title!.length);
    const title = i % 2 ? `${r.title}项目` : r.title!.slice(0, drop) + r.title!.slice(drop + 1);
    probes.push({ title, organisation: { name: r.org_name!, uscc: r.uscc || null }, leader: r.leader || null, year: Number(r.year) || null });
  }
  const dedup = app.get(DedupService);
  // Two passes over different drafts: the first from a cold process, the second once the counts of
  // common bigrams are held in memory, as in a gateway that has been answering for a while.
  const measure = async (from: number): Promise<number[]> => {
    const times: number[] = [];
    let found = 0;
    for (let i = from; i < from + SAMPLES; i++) {
      const t = process.hrtime.bigint();
      const c = await dedup.check(probes[i]!);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (c.length) found++;
    }
    times.sort((a, b) => a - b);
    console.log(`p50 ${percentile(times, 50).toFixed(1)} ms   p95 ${percentile(times, 95).toFixed(1)} ms   max ${times.at(-1)!.toFixed(1)} ms   (${found} of ${SAMPLES} drafts had candidates)`);
    return times;
  };
  console.log(`\n== pre-check against ${total.toLocaleString()} projects (DedupService.check, ${SAMPLES} drafts each pass) ==`);
  process.stdout.write('cold process: ');
  await measure(0);
  process.stdout.write('warm process: ');
  const times = await measure(SAMPLES);

  // The same question as a plain fuse.js search over the same projects.
  const rows = (await client.query(`SELECT title, organisation, leader FROM project_match`)).rows as { title: string; organisation: string; leader: string | null }[];
  let t = Date.now();
  const fuse = new Fuse(rows, { keys: ['title', 'organisation', 'leader'], threshold: 0.4, ignoreLocation: true });
  console.log(`\nfuse.js index over ${rows.length.toLocaleString()} projects built in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const fuseTimes: number[] = [];
  for (let i = 2 * SAMPLES; i < 2 * SAMPLES + FUSE_SAMPLES; i++) {
    t = Date.now();
    fuse.search(probes[i]!.title, { limit: 20 });
    fuseTimes.push(Date.now() - t);
  }
  if (fuseTimes.length) {
    const mean = fuseTimes.reduce((a, b) => a + b, 0) / fuseTimes.length;
    console.log(`plain fuse.js search: ${fuseTimes.map((x) => `${(x / 1000).toFixed(2)} s`).join(', ')} (mean ${(mean / 1000).toFixed(2)} s)`);
    console.log(`ratio: one plain fuse.js search takes ${(mean / percentile(times, 95)).toFixed(0)}× the pre-check's p95 (warm)`);
  }
  await client.end();
  await app.close();
}
