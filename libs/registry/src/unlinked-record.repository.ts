import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

export type UnlinkedReason = 'NO_MATCH' | 'AMBIGUOUS' | 'LOCAL_ID_TAKEN';

export interface UnlinkedRecord {
  departmentId: string;
  localId: string;
  reason: UnlinkedReason;
  /** Codes of the projects it could be (for AMBIGUOUS and LOCAL_ID_TAKEN). */
  candidates: string[];
  record: Record<string, unknown>;
  reportedAt: Date;
}

/** The only place unlinked_record is queried: a department's records the registry could not link to exactly one project. */
@Injectable()
export class UnlinkedRecordRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Report a record unlinked; reported again while still open, it keeps the day it was first reported (it has been unlinked since). */
  async report(r: UnlinkedRecord, em: EntityManager = this.ds.manager): Promise<void> {
    await em.query(
      `INSERT INTO unlinked_record (department_id, local_id, reason, candidates, record, reported_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (department_id, local_id) DO UPDATE SET reason = EXCLUDED.reason, candidates = EXCLUDED.candidates,
         record = EXCLUDED.record, reported_at = CASE WHEN unlinked_record.resolved_at IS NULL THEN unlinked_record.reported_at ELSE EXCLUDED.reported_at END,
         resolved_at = NULL`,
      [r.departmentId, r.localId, r.reason, r.candidates, JSON.stringify(r.record), r.reportedAt],
    );
  }

  async resolve(em: EntityManager, departmentId: string, localId: string, at: Date): Promise<void> {
    await em.query(`UPDATE unlinked_record SET resolved_at = $3 WHERE department_id = $1 AND local_id = $2 AND resolved_at IS NULL`, [departmentId, localId, at]);
  }

  async open(departmentId: string): Promise<UnlinkedRecord[]> {
    const rows = (await this.ds.query(
      `SELECT department_id, local_id, reason, candidates, record, reported_at FROM unlinked_record
        WHERE department_id = $1 AND resolved_at IS NULL ORDER BY reported_at, local_id`,
      [departmentId],
    )) as { department_id: string; local_id: string; reason: UnlinkedReason; candidates: string[]; record: Record<string, unknown>; reported_at: Date }[];
    return rows.map((r) => ({ departmentId: r.department_id, localId: r.local_id, reason: r.reason, candidates: r.candidates.map((c) => c.trim()), record: r.record, reportedAt: r.reported_at }));
  }
}
