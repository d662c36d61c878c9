/**
 * npm run bench:import -- [--rows 100000]
 *
 * Imports a generated file of department records (the benchmark CSV format, real credit codes
 * from ../shared/bench/orgs/registry.csv) into an empty PostgreSQL database through the real
 * ImportService: unified codes minted, organisations matched, history written. Prints rows/s.
 * Uses BENCH_DATABASE_URL, else DATABASE_URL; the database is dropped and created again.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { stringify } from 'csv-stringify/sync';
import pg from 'pg';
import { ImportService } from '#integration';
import { PlatformModule, SeedService } from '#platform';
import { ReferenceService } from '#reference';
import { loadConfig } from '#shared/config/index.js';
import { benchRows, freshBenchDatabase } from './bench-data.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' } } });
const ROWS = Number(values.rows);
const url = await freshBenchDatabase('linkage_bench_import');

const rows = benchRows(ROWS);
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
