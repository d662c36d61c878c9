import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { entryHash, type Actor, type HistoryEntry, type HistoryInput } from './history.js';

interface Row {
  id: string;
  entity_type: HistoryEntry['entityType'];
  entity_id: string;
  seq: number;
  at: Date;
  department_id: string | null;
  api_key_id: string | null;
  action: string;
  reason: string;
  changes: Record<string, unknown>;
  prev_hash: string | null;
  hash: string;
}

const toEntry = (r: Row): HistoryEntry => ({
  id: String(r.id),
  entityType: r.entity_type,
  entityId: r.entity_id,
  seq: r.seq,
  at: r.at,
  departmentId: r.department_id,
  apiKeyId: r.api_key_id,
  action: r.action,
  reason: r.reason,
  changes: r.changes,
  prevHash: r.prev_hash,
  hash: r.hash,
});

export interface ChangeEvent {
  id: bigint;
  at: Date;
  entityType: string;
  entityId: string;
  projectCode: string | null;
  action: string;
  departmentId: string | null;
  historySeq: number;
  changes: Record<string, unknown>;
}

/** The only place history_entry and change_event are queried. Appends only: the table refuses updates and deletes. */
@Injectable()
export class HistoryRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Append to a record's chain inside the caller's transaction. The caller holds a lock on
   * the record (it is changing it), so the chain's head cannot move underneath.
   */
  async append(em: EntityManager, input: HistoryInput, actor: Actor, at: Date): Promise<HistoryEntry> {
    const [head] = (await em.query(
      `SELECT seq, hash FROM history_entry WHERE entity_type = $1 AND entity_id = $2 ORDER BY seq DESC LIMIT 1`,
      [input.entityType, input.entityId],
    )) as { seq: number; hash: string }[];
    const entry: Omit<HistoryEntry, 'id' | 'hash'> = {
      entityType: input.entityType,
      entityId: input.entityId,
      seq: (head?.seq ?? 0) + 1,
      at: new Date(at.getTime()),
      departmentId: actor.departmentId,
      apiKeyId: actor.apiKeyId,
      action: input.action,
      reason: input.reason ?? '',
      changes: JSON.parse(JSON.stringify(input.changes)) as Record<string, unknown>,
      prevHash: head?.hash ?? null,
    };
    const hash = entryHash(entry);
    const [row] = (await em.query(
      `INSERT INTO history_entry (entity_type, entity_id, seq, at, department_id, api_key_id, action, reason, changes, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [entry.entityType, entry.entityId, entry.seq, entry.at, entry.departmentId, entry.apiKeyId, entry.action, entry.reason, JSON.stringify(entry.changes), entry.prevHash, hash],
    )) as { id: string }[];
    // The same change, for departments' systems following the registry (the change feed).
    await em.query(
      `INSERT INTO change_event (at, entity_type, entity_id, action, department_id, history_seq, changes) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [entry.at, entry.entityType, entry.entityId, entry.action, entry.departmentId, entry.seq, JSON.stringify(entry.changes)],
    );
    return { ...entry, id: String(row!.id), hash };
  }

  /**
   * Events after `afterId`, oldest first, only from transactions that have finished and below
   * every transaction still running (so a slow transaction can never commit an event behind a cursor).
   */
  async changes(afterId: bigint, first: number): Promise<ChangeEvent[]> {
    const rows = (await this.ds.query(
      `SELECT e.id, e.at, e.entity_type, e.entity_id, e.action, e.department_id, e.history_seq, e.changes,
              CASE WHEN e.entity_type = 'project' THEN p.code END AS project_code
         FROM change_event e LEFT JOIN project p ON e.entity_type = 'project' AND p.id = e.entity_id
        WHERE e.id > $1 AND e.tx < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY e.id LIMIT $2`,
      [afterId.toString(), first],
    )) as { id: string; at: Date; entity_type: string; entity_id: string; action: string; department_id: string | null; history_seq: number; changes: Record<string, unknown>; project_code: string | null }[];
    return rows.map((r) => ({
      id: BigInt(r.id),
      at: r.at,
      entityType: r.entity_type,
      entityId: r.entity_id,
      projectCode: r.project_code?.trim() ?? null,
      action: r.action,
      departmentId: r.department_id,
      historySeq: r.history_seq,
      changes: r.changes,
    }));
  }

  async list(entityType: HistoryEntry['entityType'], entityId: string): Promise<HistoryEntry[]> {
    const rows = (await this.ds.query(`SELECT * FROM history_entry WHERE entity_type = $1 AND entity_id = $2 ORDER BY seq`, [entityType, entityId])) as Row[];
    return rows.map(toEntry);
  }

  /** Every chain, record by record (for a whole-registry check). */
  async *allChains(batch = 500): AsyncGenerator<HistoryEntry[]> {
    let after = { type: '', id: '00000000-0000-0000-0000-000000000000' };
    for (;;) {
      const keys = (await this.ds.query(
        `SELECT DISTINCT entity_type, entity_id FROM history_entry WHERE (entity_type, entity_id) > ($1, $2::uuid) ORDER BY entity_type, entity_id LIMIT $3`,
        [after.type, after.id, batch],
      )) as { entity_type: HistoryEntry['entityType']; entity_id: string }[];
      if (keys.length === 0) return;
      for (const k of keys) yield await this.list(k.entity_type, k.entity_id);
      const last = keys[keys.length - 1]!;
      after = { type: last.entity_type, id: last.entity_id };
    }
  }
}
