/**
 * npm run bench:report -- [--rows 100000] [--runs 3] [--out <dir>]
 *
 * Times the annual report (compile the figures, draw the XLSX and the HTML, store them) on the demo
 * data, then again after importing `rows` generated department records (with statuses and approved
 * amounts) through the real ImportService. Target: under 30 s each. Uses BENCH_DATABASE_URL, else
 * DATABASE_URL; the database is dropped and created again.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { stringify } from 'csv-stringify/sync';
import pg from 'pg';
import { ImportService } from '#integration';
import { PlatformModule, SeedService } from '#platform';
import { ReferenceService } from '#reference';
import { ReportService } from '#report';
import { loadConfig } from '#shared/config/index.js';
import { benchRows, freshBenchDatabase } from './bench-data.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, runs: { type: 'string', default: '3' }, out: { type: 'string' }, reuse: { type: 'boolean' } } });
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
// --reuse: time the report on the database a previous run filled (no drop, no import).
const url = values.reuse ? (process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? '') : await freshBenchDatabase('linkage_bench_report');

const config = loadConfig({ DATABASE_URL: url, DB_POOL_SIZE: '4', AUTO_MIGRATE: 'true', LOG_LEVEL: 'error' });
const app = await NestFactory.createApplicationContext(
  PlatformModule.forRoot({ config, connection: { kind: 'postgres', url, poolSize: 4, close: async () => undefined }, processJobs: false }),
  { logger: ['error'] },
);
const reports = app.get(ReportService);

async function time(label: string, year: number): Promise<void> {
  const ms: number[] = [];
  let hash = '';
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    const r = await reports.generate(await reports.parameters(year, null, '310000'), { departmentId: null });
    ms.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (hash && hash !== r.contentHash) throw new Error(`${label}: run ${i + 1} gave other figures (${r.contentHash} ≠ ${hash})`);
    hash = r.contentHash;
    if (values.out && i === 0) {
      mkdirSync(values.out, { recursive: true });
      for (const f of ['xlsx', 'html'] as const) {
        const file = await reports.file(null, r.id, f);
        writeFileSync(join(values.out, `${label}-${file.fileName}`), file.content);
      }
    }
  }
  ms.sort((a, b) => a - b);
  const rss = Math.round(process.memoryUsage().rss / 1048576);
  console.log(`${label.padEnd(14)} year ${year}: ${RUNS} runs, median ${(ms[Math.floor(ms.length / 2)]! / 1000).toFixed(2)} s, max ${(ms[ms.length - 1]! / 1000).toFixed(2)} s, same figures each run (hash ${hash.slice(0, 12)}…), rss ${rss} MB`);
}

async function count(): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const n = Number((await c.query('SELECT count(*) AS n FROM project')).rows[0].n);
  await c.end();
  return n;
}

if (!values.reuse) {
  await app.get(SeedService).seed({ demo: true });
  console.log(`demo data: ${await count()} projects`);
  await time('demo', 2024);
  const xxzx = (await app.get(ReferenceService).departments()).find((d) => d.code === 'XXZX')!;
  const started = Date.now();
  const imported = await app.get(ImportService).run(
    { departmentId: xxzx.id, departmentCode: 'XXZX', role: 'INFORMATION_CENTER', apiKeyId: null },
    { name: 'bench.csv', content: Buffer.from(stringify(benchRows(ROWS, { withOutcomes: true }), { header: true })) },
    {},
    async (done, total) => {
      process.stdout.write(`\rimporting ${done}/${total}   `);
    },
  );
  console.log(`\nimported ${imported.created} of ${imported.total} rows (${imported.failed} failed) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
console.log(`${await count()} projects in all`);
await time('imported', 2024);
await time('imported', 2025);
// The year the import happened: its registrations, credit reviews and import history are that year's activity.
await time('imported', new Date().getUTCFullYear());
await app.close();
process.exit(0);
