import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ApiKeyService } from '#identity';
import { ReferenceSeedService, ReferenceService, type ReferenceSeedReport } from '#reference';
import { runMigrations } from '#shared/database/index.js';
import { RegistryService, type Caller } from '#registry';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreditService } from '#credit';
import { DedupService } from '#dedup';
import { TaskService } from '#consultation';
import { NotFoundError, projectRoot } from '#shared/core/index.js';
import { demoCredit, demoProjects } from './demo-data.js';

export interface DemoKey {
  departmentCode: string;
  departmentName: string;
  role: string;
  key: string;
}

export interface SeedReport {
  reference: ReferenceSeedReport;
  demoKeys: DemoKey[];
  /** Demo projects registered by this run (0 when they were there already). */
  demoProjects: number;
}

/** The departments that get a demo key: the three funding departments, the working group readers and the operator. */
const DEMO_KEY_DEPARTMENTS = ['JXW', 'KW', 'ZJ', 'FGW', 'CZJ', 'XXZX'];

/** Migrations and seeding, for `cli migrate`, `cli seed` and the first start of an embedded gateway. */
@Injectable()
export class SeedService {
  private readonly log = new Logger('Seed');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly referenceSeed: ReferenceSeedService,
    private readonly reference: ReferenceService,
    private readonly apiKeys: ApiKeyService,
    private readonly registry: RegistryService,
    private readonly credit: CreditService,
    private readonly tasks: TaskService,
    private readonly dedup: DedupService,
  ) {}

  migrate(): Promise<string[]> {
    return runMigrations(this.ds);
  }

  async seed(opts: { demo: boolean }): Promise<SeedReport> {
    const reference = await this.referenceSeed.seed();
    const texts = JSON.parse(readFileSync(join(projectRoot(), 'seeds', 'credit', 'commitment-texts.json'), 'utf8')) as Parameters<CreditService['seedCommitmentTexts']>[0];
    await this.credit.seedCommitmentTexts(texts);
    const demoKeys: DemoKey[] = [];
    let projects = 0;
    if (opts.demo) {
      for (const code of DEMO_KEY_DEPARTMENTS) {
        const { key, department, role } = await this.apiKeys.ensureDemoKey(code);
        demoKeys.push({ departmentCode: department.code, departmentName: department.name, role, key });
      }
      projects = await this.seedDemoProjects();
      projects += await this.seedDemoCredit();
      // The follow-up tasks of the Shanghai tech-transfer action plan (004), as demo data.
      await this.tasks.load(JSON.parse(readFileSync(join(projectRoot(), 'seeds', 'tasks', '004-tech-transfer-tasks.json'), 'utf8')) as Parameters<TaskService['load']>[0]);
    }
    return { reference, demoKeys, demoProjects: projects };
  }

  /** Register the demo projects that are not there yet (by their local IDs), as their departments. */
  private async seedDemoProjects(): Promise<number> {
    const callers = new Map<string, Caller>();
    for (const d of await this.reference.departments()) {
      callers.set(d.code, { departmentId: d.id, departmentCode: d.code, role: d.linkageRole === 'LEADING' ? 'LEADING' : 'STAFF', apiKeyId: null });
    }
    // As an import does: each department's projects in one batch, then one duplicate check of them all.
    const all = demoProjects();
    const have = await this.registry.linkedLocalIds(all.map((p) => ({ department: p.departmentCode, localId: p.localId })));
    const missing = all.filter((p) => !have.has(`${p.departmentCode}|${p.localId}`));
    const ids: string[] = [];
    for (const code of [...new Set(missing.map((p) => p.departmentCode))]) {
      const mine = missing.filter((p) => p.departmentCode === code);
      const results = await this.registry.registerMany(callers.get(code)!, mine.map((p) => p.input));
      results.forEach((r, n) => {
        if (!r.ok) throw new Error(`demo project ${mine[n]!.localId} was refused: ${(r.error as Error).message}`);
        ids.push(r.id);
      });
    }
    if (ids.length) await this.dedup.precheck(ids);
    if (ids.length) this.log.log(`registered ${ids.length} demo projects`);
    return ids.length;
  }

  /**
   * Dishonesty records decided on the demo's credit cases, then two new applications by those
   * organisations, so that a new user sees a blocked and a warned credit review.
   */
  private async seedDemoCredit(): Promise<number> {
    const depts = new Map((await this.reference.departments()).map((d) => [d.code, d]));
    const caller = (code: string): Caller => ({ departmentId: depts.get(code)!.id, departmentCode: code, role: depts.get(code)!.linkageRole === 'LEADING' ? 'LEADING' : 'STAFF', apiKeyId: null });
    const { records, applications } = demoCredit();
    const existing = new Set((await this.credit.list({ kind: 'department' }, {}, 500)).items.map((r) => r.decisionNumber));
    for (const r of records) if (!existing.has(r.input.decisionNumber)) await this.credit.create(caller(r.departmentCode), r.input);
    let added = 0;
    for (const p of applications) {
      try {
        await this.registry.getByLocalId(p.departmentCode, p.localId);
        continue;
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
      await this.registry.register(caller(p.departmentCode), p.input);
      added++;
    }
    return added;
  }

  /** On an empty database: load reference and demo data. Returns the report, or null when data existed. */
  async seedIfEmpty(demo: boolean): Promise<SeedReport | null> {
    if ((await this.reference.departments()).length > 0) return null;
    this.log.log(`empty database: loading reference${demo ? ' and demo' : ''} data`);
    return this.seed({ demo });
  }
}
