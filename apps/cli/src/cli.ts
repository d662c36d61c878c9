import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { ApiKeyService } from '#identity';
import { DelegationService } from '#registry';
import { ExportService, ImportRepository, LinkageReportService, errorReport, type ImportReport } from '#integration';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ReportService } from '#report';
import { PlatformModule, SeedService } from '#platform';
import { DedupService, type ScanReport } from '#dedup';
import { CreditService } from '#credit';
import { benchDedup } from './bench-dedup.js';
import { ReferenceService } from '#reference';
import { loadConfig, type AppConfig } from '#shared/config/index.js';
import { DomainError, ValidationError } from '#shared/core/index.js';
import { openDatabase, pendingMigrations, type DatabaseConnection } from '#shared/database/index.js';
import { JobName, QueueService, type JobPayload, type JobResult } from '#shared/queue/index.js';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';


export const USAGE = `Usage: npm run cli -- <command> [options]

Commands (for the information center's operators):
  migrate                                   apply pending database migrations
  seed [--demo]                             load reference data (departments, funds, catalog);
                                            --demo also adds demo keys for JXW, KW, ZJ, FGW, CZJ, XXZX
  apikey create --department <code> [--role <role>] [--label <text>]
                                            create a key; prints the key as the last line
                                            (role defaults to the department's own: LEADING,
                                            STAFF, INFORMATION_CENTER or READER)
  apikey revoke <id>                        revoke a key at once
  apikey list [--department <code>]         list keys (never the secrets)
  delegation grant --agency <code> --department <code> [--from <date>] [--until <date>]
                                            let a third-party agency manage a department's projects
  delegation revoke --agency <code> --department <code>
  delegation list
  import <file> [--department <code>] [--format csv|xlsx|jsonl] [--encoding utf-8|gb18030]
         [--all-or-nothing] [--register-missing] [--allow-unverified-uscc] [--report <errors.csv|xlsx>]
                                            import a department system's projects (idempotent by
                                            local ID); rows that fail are reported with row, column, reason
  export --format csv|xlsx|jsonl --out <file> [--department <code>] [--year <yyyy>]
                                            export the registry (or a part) with its data dictionary
  linkage-report [--department <code>]      what a department's imports did, and its unlinked records
  dedup scan [--year <yyyy>] [--department <code>]
                                            scan the registry (or a year's or a department's pairs)
                                            for duplicate funding; alerts are stored once per pair
  dedup check --title <text> --org <name> [--uscc <code>] [--leader <name>] [--year <yyyy>]
                                            check a draft against the whole registry (stores nothing)
  credit daily                              expire credit records whose period ended and re-check the
                                            open applications new records concern (runs daily by itself)
  credit check [--uscc <code>] [--org <name>] [--leader <name>] [--fund <code>] [--as-of <date>]
                                            a credit check (stores nothing)
  report annual --year <yyyy> --out <dir> [--as-of <date>] [--jurisdiction <code>] [--pdf]
                                            compile the annual linkage-management report for a year
                                            as of a day (default today) for a jurisdiction's linkage
                                            (default the one with the most projects) and write its
                                            XLSX and HTML (--pdf: also PDF, printed by the system's
                                            chromium) into the directory
  report list [--year <yyyy>]               the compiled annual reports, newest first
  report download <id> --out <dir>          a compiled report's files, again
  bench dedup --records <file.csv> --out <pairs.csv> [--keep]
                                            the whole pipeline on a benchmark file in a registry of
                                            its own (a fresh schema, or a temporary embedded database):
                                            import, batch scan, alerts as id_a,id_b,score,level
  queue ping [--message <text>]             run a no-op job and wait for it (checks the worker)
  help                                      this text

Environment: DATABASE_URL (else the embedded database in DATA_DIR, default ./data),
REDIS_URL (else jobs run in this process). See .env.example.`;

type Out = (line: string) => void;

/** Thrown for a command line that cannot be run as given. */
export class UsageError extends Error {}

interface Parsed {
  command: string[];
  values: Record<string, string | boolean | undefined>;
}

function parse(argv: string[]): Parsed {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      demo: { type: 'boolean' },
      department: { type: 'string' },
      role: { type: 'string' },
      label: { type: 'string' },
      message: { type: 'string' },
      agency: { type: 'string' },
      format: { type: 'string' },
      encoding: { type: 'string' },
      'all-or-nothing': { type: 'boolean' },
      'register-missing': { type: 'boolean' },
      'allow-unverified-uscc': { type: 'boolean' },
      report: { type: 'string' },
      as: { type: 'string' },
      out: { type: 'string' },
      year: { type: 'string' },
      from: { type: 'string' },
      until: { type: 'string' },
      records: { type: 'string' },
      keep: { type: 'boolean' },
      title: { type: 'string' },
      org: { type: 'string' },
      uscc: { type: 'string' },
      leader: { type: 'string' },
      fund: { type: 'string' },
      'as-of': { type: 'string' },
      jurisdiction: { type: 'string' },
      pdf: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  return { command: positionals, values };
}

async function withPlatform<T>(config: AppConfig, work: (app: INestApplicationContext, conn: DatabaseConnection) => Promise<T>, opts: { migrateFirst: boolean }): Promise<T> {
  const conn = await openDatabase(config, 'cli');
  let app: INestApplicationContext | undefined;
  try {
    app = await NestFactory.createApplicationContext(
      PlatformModule.forRoot({ config: { ...config, database: { ...config.database, autoMigrate: false } }, connection: conn, processJobs: true }),
      { logger: ['error', 'warn'] },
    );
    if (opts.migrateFirst) {
      const ds = app.get<DataSource>(getDataSourceToken());
      if (await pendingMigrations(ds)) {
        if (conn.kind === 'embedded') await app.get(SeedService).migrate();
        else throw new ValidationError([{ field: 'database', reason: 'the schema is not up to date: run "npm run cli -- migrate" first' }]);
      }
    }
    return await work(app, conn);
  } finally {
    await app?.close();
    await conn.close();
  }
}

/** Run one CLI command; returns the exit code. Output goes through `out`, errors through `err`. */
export async function runCli(argv: string[], out: Out = console.log, err: Out = console.error, env = process.env): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (e) {
    err(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [cmd, sub, ...rest] = parsed.command;
  const v = parsed.values;
  if (!cmd || cmd === 'help' || v.help) {
    out(USAGE);
    return cmd || v.help ? 0 : 2;
  }
  try {
    const config = loadConfig(env);
    switch (cmd) {
      case 'migrate': {
        noExtra(sub === undefined ? [] : [sub, ...rest]);
        return await withPlatform(config, async (app) => {
          const applied = await app.get(SeedService).migrate();
          out(applied.length ? `Applied ${applied.length} migration(s):\n  ${applied.join('\n  ')}` : 'The database schema is up to date.');
          return 0;
        }, { migrateFirst: false });
      }
      case 'seed': {
        noExtra(sub === undefined ? [] : [sub, ...rest]);
        return await withPlatform(config, async (app) => {
          const report = await app.get(SeedService).seed({ demo: v.demo === true });
          for (const [what, c] of Object.entries(report.reference)) {
            out(`${what.padEnd(15)} inserted ${c.inserted}, updated ${c.updated}, unchanged ${c.unchanged}`);
          }
          if (v.demo === true) out(`demo projects   registered ${report.demoProjects}`);
          if (report.demoKeys.length) {
            out('Demo keys (send as "Authorization: Bearer <key>"):');
            for (const k of report.demoKeys) out(`  ${k.departmentCode.padEnd(5)} ${k.role.padEnd(18)} ${k.key}`);
          }
          return 0;
        }, { migrateFirst: true });
      }
      case 'apikey':
        return await apikey(config, sub, rest, v, out);
      case 'delegation':
        return await delegation(config, sub, rest, v, out);
      case 'import':
        return await importFile(config, sub, rest, v, out, err);
      case 'export':
        noExtra(sub === undefined ? [] : [sub, ...rest]);
        return await exportFile(config, v, out);
      case 'linkage-report':
        noExtra(sub === undefined ? [] : [sub, ...rest]);
        return await linkageReport(config, v, out);
      case 'dedup':
        return await dedupCommand(config, sub, rest, v, out);
      case 'credit':
        noExtra(rest);
        if (sub === 'daily')
          return await withPlatform(config, async (app) => {
            const r = await runJob(app, config, JobName.CreditDaily, {}, { field: 'credit', failed: 'the daily job failed', timeoutMs: 3600_000 });
            out(`expired ${r.expired} record(s); re-checked ${r.rechecked} open application(s), ${r.changed} changed`);
            return 0;
          }, { migrateFirst: true });
        if (sub === 'check')
          return await withPlatform(config, async (app) => {
            const r = await app.get(CreditService).check({ organisationUscc: (v.uscc as string) ?? null, organisationName: (v.org as string) ?? null, leader: (v.leader as string) ?? null, fund: (v.fund as string) ?? null, asOf: (v['as-of'] as string) ?? null });
            out(`${r.outcome} (as of ${r.asOf})`);
            for (const f of r.findings) out(`  ${f.outcome.padEnd(5)} ${f.rule}: ${f.detail}`);
            return 0;
          }, { migrateFirst: true });
        throw new UsageError(`unknown command "credit ${sub ?? ''}"`);
      case 'report':
        return await reportCommand(config, sub, rest, v, out);
      case 'bench': {
        if (sub !== 'dedup') throw new UsageError(`unknown command "bench ${sub ?? ''}"`);
        noExtra(rest);
        if (typeof v.records !== 'string') throw new UsageError('bench dedup needs --records <file.csv>');
        if (typeof v.out !== 'string') throw new UsageError('bench dedup needs --out <pairs.csv>');
        return await benchDedup(env, { records: v.records, out: v.out, keep: v.keep === true }, out);
      }
      case 'queue': {
        if (sub !== 'ping') throw new UsageError(`unknown command "queue ${sub ?? ''}"`);
        noExtra(rest);
        return await withPlatform(config, async (app) => {
          const queue = app.get(QueueService);
          const run = await queue.enqueue(JobName.SystemPing, { message: String(v.message ?? 'ping'), steps: 3 }, { attempts: 1 });
          out(`queued ${run.id} (${config.queue.mode === 'redis' ? 'a worker process must be running' : 'running in this process'})`);
          const done = await queue.waitFor(run.id, { timeoutMs: 30_000 });
          out(`${done.status}: ${JSON.stringify(done.result ?? done.error)}`);
          return done.status === 'completed' ? 0 : 1;
        }, { migrateFirst: true });
      }
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${e.message}\n\n${USAGE}`);
      return 2;
    }
    err(e instanceof DomainError || (e as Error).name === 'ConfigError' ? `Error: ${(e as Error).message}` : String((e as Error).stack ?? e));
    return 1;
  }
}

async function dedupCommand(config: AppConfig, sub: string | undefined, rest: string[], v: Parsed['values'], out: Out): Promise<number> {
  noExtra(rest);
  const year = yearOption(v);
  switch (sub) {
    case 'scan':
      return await withPlatform(config, async (app) => {
        const department = v.department ? (await app.get(ReferenceService).requireDepartment('department', v.department as string)).code : undefined;
        const r = (await runJob(app, config, JobName.ScanDuplicates, { scope: { year, department } }, {
          field: 'scan', failed: 'the scan failed', timeoutMs: 24 * 3600_000, announce: (id, where) => out(`scan job ${id} (${where})`),
        })) as unknown as ScanReport;
        out(`${r.indexed} projects, ${r.candidatePairs} candidate pairs: ${r.alerts.likely} likely, ${r.alerts.possible} possible`);
        out(`alerts raised ${r.outcome.raised}, re-scored ${r.outcome.rescored}, reopened ${r.outcome.reopened}, kept as decided ${r.outcome.keptDecided}`);
        return 0;
      }, { migrateFirst: true });
    case 'check': {
      if (typeof v.title !== 'string' || typeof v.org !== 'string') throw new UsageError('dedup check needs --title and --org');
      return await withPlatform(config, async (app) => {
        const found = await app.get(DedupService).check({ title: v.title as string, organisation: { name: v.org as string, uscc: (v.uscc as string) ?? null }, leader: (v.leader as string) ?? null, year: year ?? null });
        if (!found.length) out('no candidates');
        for (const c of found) {
          out(`${c.level.padEnd(8)} ${c.score.toFixed(2).padStart(6)}  ${c.project.code}  ${c.project.department}  ${c.project.year ?? ''}  ${c.project.title}  ${c.project.organisation}  ${c.project.leader ?? ''}`);
          for (const e of c.evidence) out(`           ${e.weight >= 0 ? '+' : ''}${e.weight.toFixed(1).padStart(5)}  ${e.field}: ${e.detail}`);
        }
        return 0;
      }, { migrateFirst: true });
    }
    default:
      throw new UsageError(`unknown command "dedup ${sub ?? ''}"`);
  }
}

async function reportCommand(config: AppConfig, sub: string | undefined, rest: string[], v: Parsed['values'], out: Out): Promise<number> {
  if (sub === 'list') {
    noExtra(rest);
    const year = yearOption(v);
    return await withPlatform(config, async (app) => {
      const list = await app.get(ReportService).list(null, year);
      if (!list.length) out('no annual reports yet');
      for (const r of list)
        out(`${r.id}  ${r.jurisdiction}  ${r.year}  as of ${r.asOf}${r.provisional ? ' (provisional)' : ''}  ${r.generatedAt.toISOString()}  ${r.generatedBy ?? 'cli'}  ${r.contentHash.slice(0, 12)}  ${r.hasPdf ? 'xlsx html pdf' : 'xlsx html'}`);
      return 0;
    }, { migrateFirst: true });
  }
  if (sub === 'download') {
    const [id, ...extra] = rest;
    noExtra(extra);
    if (!id) throw new UsageError('report download needs the report id (see report list)');
    if (typeof v.out !== 'string') throw new UsageError('report download needs --out <dir>');
    const dir = v.out;
    return await withPlatform(config, async (app) => {
      const reports = app.get(ReportService);
      await writeReportFiles(reports, id, (await reports.get(null, id)).hasPdf, dir, out);
      return 0;
    }, { migrateFirst: true });
  }
  noExtra(rest);
  if (sub !== 'annual') throw new UsageError(`unknown command "report ${sub ?? ''}"`);
  if (typeof v.year !== 'string') throw new UsageError('report annual needs --year <yyyy>');
  if (typeof v.out !== 'string') throw new UsageError('report annual needs --out <dir>');
  const dir = v.out;
  return await withPlatform(config, async (app) => {
    const reports = app.get(ReportService);
    const p = await reports.parameters(v.year, (v['as-of'] as string) ?? null, (v.jurisdiction as string) ?? null);
    const r = await runJob(app, config, JobName.CompileAnnualReport, { ...p, departmentId: null }, {
      field: 'report', failed: 'the report failed', timeoutMs: 3600_000,
      announce: (id, where) => out(`report job ${id}: ${p.year} as of ${p.asOf}, jurisdiction ${p.jurisdiction} (${where})`),
    });
    const pdf = v.pdf === true;
    if (pdf && !(await reports.get(null, r.reportId)).hasPdf) throw new ValidationError([{ field: 'pdf', reason: 'no headless browser here to print the PDF (Debian package chromium, or CHROMIUM_PATH)' }]);
    await writeReportFiles(reports, r.reportId, pdf, dir, out);
    out(`report ${r.reportId}, content hash ${r.contentHash}, compiled in ${(r.durationMs / 1000).toFixed(1)} s`);
    return 0;
  }, { migrateFirst: true });
}

/** A compiled report's XLSX and HTML (and its PDF) written into a directory. */
async function writeReportFiles(reports: ReportService, id: string, pdf: boolean, dir: string, out: Out): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const format of pdf ? (['xlsx', 'html', 'pdf'] as const) : (['xlsx', 'html'] as const)) {
    const f = await reports.file(null, id, format);
    writeFileSync(join(dir, f.fileName), f.content);
    out(`wrote ${join(dir, f.fileName)} (${f.content.length} bytes)`);
  }
}

/**
 * Run a job to its end (in this process without Redis, by a worker with it) and return its result;
 * a failed job is an error naming `field`.
 */
async function runJob<N extends JobName>(
  app: INestApplicationContext,
  config: AppConfig,
  name: N,
  payload: JobPayload<N>,
  opts: { field: string; failed: string; timeoutMs: number; announce?: (runId: string, where: string) => void },
): Promise<JobResult<N>> {
  const queue = app.get(QueueService);
  const run = await queue.enqueue(name, payload, { attempts: 1 });
  opts.announce?.(run.id, config.queue.mode === 'redis' ? 'a worker process must be running' : 'running in this process');
  const done = await queue.waitFor(run.id, { timeoutMs: opts.timeoutMs, intervalMs: 250 });
  if (done.status !== 'completed') throw new ValidationError([{ field: opts.field, reason: `${opts.failed}: ${done.error}` }]);
  return done.result as JobResult<N>;
}

/** --year as a four-digit year, if given. */
function yearOption(v: Parsed['values']): number | undefined {
  if (v.year === undefined) return undefined;
  if (!/^\d{4}$/.test(String(v.year))) throw new UsageError(`--year must be a year, not "${v.year}"`);
  return Number(v.year);
}

function noExtra(extra: string[]): void {
  if (extra.length) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);
}

async function apikey(config: AppConfig, sub: string | undefined, rest: string[], v: Parsed['values'], out: Out): Promise<number> {
  switch (sub) {
    case 'create':
      noExtra(rest);
      if (typeof v.department !== 'string') throw new UsageError('apikey create needs --department <code>');
      return withPlatform(config, async (app) => {
        const key = await app.get(ApiKeyService).create({ departmentCode: v.department as string, role: v.role as string | undefined, label: v.label as string | undefined });
        out(`Created key ${key.id} for ${key.departmentCode} with role ${key.role}. It is shown only now; store it safely:`);
        out(key.key);
        return 0;
      }, { migrateFirst: true });
    case 'revoke': {
      if (rest.length !== 1) throw new UsageError('apikey revoke needs exactly one key id');
      return withPlatform(config, async (app) => {
        const info = await app.get(ApiKeyService).revoke(rest[0]!);
        out(`Revoked key ${info.id} (${info.departmentCode}, ${info.role}) at ${info.revokedAt?.toISOString()}.`);
        return 0;
      }, { migrateFirst: true });
    }
    case 'list':
      noExtra(rest);
      return withPlatform(config, async (app) => {
        const keys = await app.get(ApiKeyService).list(v.department as string | undefined);
        if (!keys.length) out('No keys.');
        for (const k of keys) {
          out(`${k.id}  ${k.departmentCode.padEnd(5)} ${k.role.padEnd(18)} ${k.keyPrefix}…  ${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active'}  ${k.label}`);
        }
        return 0;
      }, { migrateFirst: true });
    default:
      throw new UsageError(`unknown command "apikey ${sub ?? ''}"`);
  }
}

async function delegation(config: AppConfig, sub: string | undefined, rest: string[], v: Parsed['values'], out: Out): Promise<number> {
  noExtra(rest);
  const need = (name: 'agency' | 'department') => {
    if (typeof v[name] !== 'string') throw new UsageError(`delegation ${sub} needs --${name} <code>`);
    return v[name] as string;
  };
  switch (sub) {
    case 'grant': {
      const agency = need('agency');
      const department = need('department');
      return withPlatform(config, async (app) => {
        const d = await app.get(DelegationService).grant({ agency, department, from: v.from as string | undefined, until: v.until as string | undefined });
        out(`${d.agencyCode} now acts for ${d.departmentCode} from ${d.validFrom}${d.validUntil ? ` until ${d.validUntil}` : ''}.`);
        return 0;
      }, { migrateFirst: true });
    }
    case 'revoke': {
      const agency = need('agency');
      const department = need('department');
      return withPlatform(config, async (app) => {
        await app.get(DelegationService).revoke({ agency, department });
        out(`${agency} no longer acts for ${department}.`);
        return 0;
      }, { migrateFirst: true });
    }
    case 'list':
      return withPlatform(config, async (app) => {
        const [list, departments] = [await app.get(DelegationService).list(), await app.get(ReferenceService).departments()];
        const code = (id: string) => departments.find((d) => d.id === id)?.code ?? id;
        if (!list.length) out('No delegations.');
        for (const d of list) out(`${code(d.agencyDepartmentId).padEnd(6)} → ${code(d.principalDepartmentId).padEnd(6)} ${d.validFrom} – ${d.validUntil ?? 'open'}  ${d.revokedAt ? `revoked ${d.revokedAt.toISOString()}` : 'active'}`);
        return 0;
      }, { migrateFirst: true });
    default:
      throw new UsageError(`unknown command "delegation ${sub ?? ''}"`);
  }
}

/** The operator imports as the information center (or as --as <department>), which may act for every department. */
async function importFile(config: AppConfig, file: string | undefined, rest: string[], v: Parsed['values'], out: Out, err: Out): Promise<number> {
  if (!file) throw new UsageError('import needs a file');
  noExtra(rest);
  if (v.format !== undefined && !['csv', 'xlsx', 'jsonl'].includes(v.format as string)) throw new UsageError(`--format must be csv, xlsx or jsonl, not "${v.format}"`);
  if (v.encoding !== undefined && !['utf-8', 'gb18030'].includes(v.encoding as string)) throw new UsageError(`--encoding must be utf-8 or gb18030 (GBK files read as gb18030), not "${v.encoding}"`);
  if (typeof v.report === 'string' && !/\.(csv|xlsx)$/i.test(v.report)) throw new UsageError('--report must name a .csv or .xlsx file');
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (e) {
    throw new ValidationError([{ field: 'file', reason: `cannot read ${file}: ${(e as Error).message}` }]);
  }
  return await withPlatform(config, async (app) => {
    const asCode = (v.as as string | undefined) ?? 'XXZX';
    const dept = await app.get(ReferenceService).requireDepartment('as', asCode);
    const fileId = await app.get(ImportRepository).storeFile(basename(file), content, dept.id);
    const queue = app.get(QueueService);
    const run = await queue.enqueue(
      JobName.ImportProjects,
      {
        fileId,
        caller: { departmentId: dept.id, departmentCode: dept.code, role: dept.linkageRole === 'INFORMATION_CENTER' ? 'INFORMATION_CENTER' : 'STAFF', apiKeyId: null },
        options: {
          department: v.department as string | undefined,
          format: v.format as 'csv' | 'xlsx' | 'jsonl' | undefined,
          encoding: v.encoding as 'utf-8' | 'gb18030' | undefined,
          allOrNothing: v['all-or-nothing'] === true,
          registerMissing: v['register-missing'] === true,
          allowUnverifiedUscc: v['allow-unverified-uscc'] === true,
        },
      },
      { attempts: 3, requestedBy: dept.id },
    );
    out(`import job ${run.id}`);
    const tty = process.stderr.isTTY;
    let last = '';
    const done = await queue.waitFor(run.id, {
      timeoutMs: 24 * 3600_000,
      intervalMs: 250,
      onProgress: (r) => {
        if (!r.progressTotal) return;
        const pct = Math.floor((100 * r.progressDone) / r.progressTotal);
        const bar = `[${'#'.repeat(Math.floor(pct / 4)).padEnd(25, '.')}] ${pct}% ${r.progressDone}/${r.progressTotal} rows`;
        if (bar !== last) (tty ? process.stderr.write(`\r${bar}`) : undefined, (last = bar));
      },
    });
    if (tty) process.stderr.write('\n');
    if (done.status !== 'completed') {
      err(`Error: the import failed: ${done.error}`);
      return 1;
    }
    const report = done.result as ImportReport;
    out(`${report.fileName} (${report.format}${report.encoding ? `, ${report.encoding}` : ''}): ${report.total} rows`);
    if (report.rejected) out(`all-or-nothing: ${report.failed} row(s) failed, so nothing was stored`);
    else out(`created ${report.created}, updated ${report.updated}, unchanged ${report.unchanged}, failed ${report.failed}`);
    for (const e of report.errors.slice(0, 20)) out(`  row ${e.row} [${e.column}] ${e.reason}`);
    if (report.errors.length > 20) out(`  … ${report.errors.length - 20} more`);
    if (typeof v.report === 'string') {
      writeFileSync(v.report, await errorReport(report, v.report.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv'));
      out(`error report: ${v.report}`);
    }
    return report.failed > 0 ? 3 : 0;
  }, { migrateFirst: true });
}

async function exportFile(config: AppConfig, v: Parsed['values'], out: Out): Promise<number> {
  const format = v.format as string | undefined;
  if (!format || !['csv', 'xlsx', 'jsonl'].includes(format)) throw new UsageError('export needs --format csv, xlsx or jsonl');
  if (typeof v.out !== 'string') throw new UsageError('export needs --out <file>');
  const year = yearOption(v);
  return await withPlatform(config, async (app) => {
    const filter: { departmentIds?: string[]; years?: number[] } = {};
    if (typeof v.department === 'string') {
      filter.departmentIds = [(await app.get(ReferenceService).requireDepartment('department', v.department)).id];
    }
    if (year !== undefined) filter.years = [year];
    const { content, rows } = await app.get(ExportService).export(filter, format as 'csv' | 'xlsx' | 'jsonl');
    writeFileSync(v.out as string, content);
    out(`exported ${rows} project(s) to ${v.out}${format === 'xlsx' ? ' (with a data dictionary sheet)' : ''}`);
    return 0;
  }, { migrateFirst: true });
}

async function linkageReport(config: AppConfig, v: Parsed['values'], out: Out): Promise<number> {
  return await withPlatform(config, async (app) => {
    const xxzx = (await app.get(ReferenceService).departments()).find((d) => d.linkageRole === 'INFORMATION_CENTER');
    if (!xxzx) throw new ValidationError([{ field: 'department', reason: 'no information center department: run "npm run cli -- seed" first' }]);
    const r = await app.get(LinkageReportService).report(
      { departmentId: xxzx.id, departmentCode: xxzx.code, role: 'INFORMATION_CENTER', apiKeyId: null },
      (v.department as string | undefined) ?? xxzx.code,
    );
    out(`${r.departmentCode}: ${r.imports} import(s)${r.lastImportAt ? `, last ${r.lastImportAt.toISOString()}` : ''}`);
    out(`rows created ${r.created}, updated ${r.updated}, unchanged ${r.unchanged}, failed ${r.failed}`);
    out(`records not linked to exactly one project: ${r.unlinked.length}`);
    for (const u of r.unlinked.slice(0, 50)) out(`  ${u.localId}  ${u.reason}${u.candidates.length ? `  candidates ${u.candidates.join(', ')}` : ''}`);
    return 0;
  }, { migrateFirst: true });
}
