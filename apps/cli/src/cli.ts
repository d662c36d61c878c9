import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { ApiKeyService } from '#identity';
import { DelegationService } from '#registry';
import { PlatformModule, SeedService } from '#platform';
import { ReferenceService } from '#reference';
import { loadConfig, type AppConfig } from '#shared/config/index.js';
import { DomainError, ValidationError } from '#shared/core/index.js';
import { openDatabase, pendingMigrations, type DatabaseConnection } from '#shared/database/index.js';
import { JobName, QueueService } from '#shared/queue/index.js';
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
      from: { type: 'string' },
      until: { type: 'string' },
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
