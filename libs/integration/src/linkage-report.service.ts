import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ReferenceService } from '#reference';
import { RegistryService, type Caller, type UnlinkedRecord } from '#registry';
import { JobName } from '#shared/queue/index.js';

export interface LinkageReport {
  departmentCode: string;
  imports: number;
  lastImportAt: Date | null;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  unlinked: UnlinkedRecord[];
}

/**
 * Per department, what its systems' imports did (rows created, updated, unchanged, failed) and
 * which of its records could not be linked to exactly one project, so it can fix its side
 * (after USAspending's unlinked-award files).
 */
@Injectable()
export class LinkageReportService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly reference: ReferenceService,
    private readonly registry: RegistryService,
  ) {}

  async report(caller: Caller, department?: string, since?: Date): Promise<LinkageReport> {
    const dept = department ? await this.reference.requireDepartment('department', department) : (await this.reference.departmentById(caller.departmentId))!;
    const rows = (await this.ds.query(
      `SELECT finished_at, result -> 'byDepartment' -> $2 AS t FROM job_run
        WHERE name = $1 AND status = 'completed' AND result -> 'byDepartment' ? $2 AND ($3::timestamptz IS NULL OR finished_at >= $3)
        ORDER BY finished_at`,
      [JobName.ImportProjects, dept.code, since ?? null],
    )) as { finished_at: Date; t: { created: number; updated: number; unchanged: number; failed: number } }[];
    const sum = (k: 'created' | 'updated' | 'unchanged' | 'failed') => rows.reduce((n, r) => n + (r.t[k] ?? 0), 0);
    return {
      departmentCode: dept.code,
      imports: rows.length,
      lastImportAt: rows.length ? rows[rows.length - 1]!.finished_at : null,
      created: sum('created'),
      updated: sum('updated'),
      unchanged: sum('unchanged'),
      failed: sum('failed'),
      unlinked: await this.registry.unlinkedRecords(caller, dept.code),
    };
  }
}
