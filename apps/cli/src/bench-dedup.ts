import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify/sync';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { DedupService } from '#dedup';
import { ImportService } from '#integration';
import { PlatformModule, SeedService } from '#platform';
import { ReferenceService } from '#reference';
import { loadConfig } from '#shared/config/index.js';
import { ValidationError } from '#shared/core/index.js';
import { openDatabase } from '#shared/database/index.js';

type Out = (line: string) => void;

/**
 * `bench dedup --records <file.csv> --out <pairs.csv>`: the whole duplicate-detection pipeline on a
 * benchmark file, in a registry of its own — a fresh schema when DATABASE_URL is set (dropped
 * afterwards unless --keep), otherwise a temporary embedded database. The file is imported through
 * the normal import path (registering the departments and funds it names), the normal batch scan
 * runs, and every alert is written as id_a,id_b,score,level with the records' own ids.
 */
export async function benchDedup(env: NodeJS.ProcessEnv, opts: { records: string; out: string; keep: boolean }, out: Out): Promise<number> {
  let content: Buffer;
  try {
    content = readFileSync(opts.records);
  } catch (e) {
    throw new ValidationError([{ field: 'records', reason: `cannot read ${opts.records}: ${(e as Error).message}` }]);
  }
  const started = Date.now();
  let t = started;
  const lap = (what: string) => {
    out(`${what.padEnd(44)} ${((Date.now() - t) / 1000).toFixed(1).padStart(6)} s`);
    t = Date.now();
  };

  const schema = `bench_dedup_${Date.now().toString(36)}_${process.pid}`;
  let benchEnv: NodeJS.ProcessEnv;
  let cleanup: () => Promise<void>;
  if (env.DATABASE_URL) {
    const admin = new pg.Client({ connectionString: env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const url = new URL(env.DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema},public`);
    benchEnv = { ...env, DATABASE_URL: url.toString(), AUTO_MIGRATE: 'false', SEED_DEMO_ON_EMPTY: 'false' };
    cleanup = async () => {
      if (opts.keep) return out(`kept schema ${schema}`);
      const c = new pg.Client({ connectionString: env.DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    };
    out(`registry: schema ${schema} in ${new URL(env.DATABASE_URL).pathname.slice(1)}`);
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'linkage-bench-dedup-'));
    benchEnv = { ...env, DATA_DIR: dir, AUTO_MIGRATE: 'false', SEED_DEMO_ON_EMPTY: 'false' };
    delete benchEnv.DATABASE_URL;
    cleanup = async () => (opts.keep ? out(`kept ${dir}`) : rmSync(dir, { recursive: true, force: true }));
    out(`registry: temporary embedded database in ${dir}`);
  }
  // The pipeline's own jobs run here, not on a shared queue another worker might take them from.
  delete benchEnv.REDIS_URL;

  const config = loadConfig(benchEnv);
  const conn = await openDatabase(config, 'cli');
  try {
    const app = await NestFactory.createApplicationContext(PlatformModule.forRoot({ config, connection: conn, processJobs: false }), { logger: ['error', 'warn'] });
    try {
      await app.get(SeedService).migrate();
      await app.get(SeedService).seed({ demo: false });
      lap('fresh registry (migrations, reference data)');
      const xxzx = (await app.get(ReferenceService).resolveDepartment('XXZX'))!;
      const report = await app.get(ImportService).run(
        { departmentId: xxzx.id, departmentCode: xxzx.code, role: 'INFORMATION_CENTER', apiKeyId: null },
        { name: basename(opts.records), content },
        { registerMissing: true, duplicateScan: false },
      );
      lap(`import: ${report.created} created, ${report.failed} refused of ${report.total}`);
      const scan = await app.get(DedupService).scan({});
      lap(`scan: ${scan.candidatePairs} candidate pairs, ${scan.alerts.likely} likely + ${scan.alerts.possible} possible`);
      out(`  (load ${(scan.millis.load / 1000).toFixed(1)} s, score ${(scan.millis.score / 1000).toFixed(1)} s, store ${(scan.millis.record / 1000).toFixed(1)} s)`);
      const ds = app.get<DataSource>(getDataSourceToken());
      const rows = (await ds.query(
        `SELECT la.local_id AS id_a, lb.local_id AS id_b, a.score::text AS score, a.level
           FROM duplicate_alert a
           JOIN LATERAL (SELECT local_id FROM project_local_id WHERE project_id = a.project_a ORDER BY created_at LIMIT 1) la ON true
           JOIN LATERAL (SELECT local_id FROM project_local_id WHERE project_id = a.project_b ORDER BY created_at LIMIT 1) lb ON true
          ORDER BY a.score DESC, la.local_id, lb.local_id`,
      )) as { id_a: string; id_b: string; score: string; level: string }[];
      writeFileSync(opts.out, stringify(rows, { header: true, columns: ['id_a', 'id_b', 'score', 'level'] }));
      lap(`wrote ${rows.length} alerts to ${opts.out}`);
      out(`${'total'.padEnd(44)} ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s`);
    } finally {
      await app.close();
    }
  } finally {
    await conn.close();
    await cleanup();
  }
  return 0;
}
