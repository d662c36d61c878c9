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

/**
 * Lock projects in id order, inside the caller's transaction: every writer of a project's history
 * holds its row, so two writers never chain an entry onto the same predecessor.
 */
export async function lockProjects(em: EntityManager, ids: string[]): Promise<void> {
  if (ids.length) await em.query(`SELECT id FROM project WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [[...new Set(ids)]]);
}

/** Advisory lock key of the change feed's numbering ("linkage change feed"). */
const CHANGE_FEED_LOCK = 0x6c6b6366;

/** The only place history_entry and change_event are queried. Appends only: the table refuses updates and deletes. */
@Injectable()
export class HistoryRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Append to a record's chain inside the caller's transaction. The caller holds a lock on
   * the record (it is changing it), so the chain's head cannot move underneath.
   */
  async append(em: EntityManager, input: HistoryInput, actor: Actor, at: Date): Promise<HistoryEntry> {
    return (await this.appendMany(em, [{ input, actor, at }]))[0]!;
  }

  /**
   * Append many entries in one go (an import's batch), in the order given: each record's chain
   * continues from its head, entries of one record chain to each other. Two statements in all.
   */
  async appendMany(em: EntityManager, items: { input: HistoryInput; actor: Actor; at: Date }[]): Promise<HistoryEntry[]> {
    if (items.length === 0) return [];
    const keys = [...new Set(items.map((i) => `${i.input.entityType}|${i.input.entityId}`))];
    const heads = new Map<string, { seq: number; hash: string }>();
    const rows = (await em.query(
      `SELECT DISTINCT ON (entity_type, entity_id) entity_type, entity_id, seq, hash FROM history_entry
        WHERE (entity_type, entity_id) IN (SELECT * FROM unnest($1::text[], $2::uuid[]))
        ORDER BY entity_type, entity_id, seq DESC`,
      [keys.map((k) => k.split('|')[0]), keys.map((k) => k.split('|')[1])],
    )) as { entity_type: string; entity_id: string; seq: number; hash: string }[];
    for (const r of rows) heads.set(`${r.entity_type}|${r.entity_id}`, { seq: r.seq, hash: r.hash });
    const entries = items.map(({ input, actor, at }) => {
      const key = `${input.entityType}|${input.entityId}`;
      const head = heads.get(key);
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
      heads.set(key, { seq: entry.seq, hash });
      return { ...entry, hash };
    });
    const col = <K extends keyof (typeof entries)[number]>(k: K) => entries.map((e) => e[k]);
    const inserted = (await em.query(
      `INSERT INTO history_entry (entity_type, entity_id, seq, at, department_id, api_key_id, action, reason, changes, prev_hash, hash)
       SELECT t.entity_type, t.entity_id, t.seq, t.at, t.department_id, t.api_key_id, t.action, t.reason, t.changes, t.prev_hash, t.hash
         FROM unnest($1::text[], $2::uuid[], $3::int[], $4::timestamptz[], $5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::jsonb[], $10::text[], $11::text[])
              WITH ORDINALITY AS t(entity_type, entity_id, seq, at, department_id, api_key_id, action, reason, changes, prev_hash, hash, n)
        ORDER BY t.n RETURNING id, entity_type, entity_id, seq`,
      [col('entityType'), col('entityId'), col('seq'), col('at'), col('departmentId'), col('apiKeyId'), col('action'), col('reason'), entries.map((e) => JSON.stringify(e.changes)), col('prevHash'), col('hash')],
    )) as { id: string; entity_type: string; entity_id: string; seq: number }[];
    // RETURNING gives no promise of order: match each id to its entry.
    const idOf = new Map(inserted.map((r) => [`${r.entity_type}|${r.entity_id}|${r.seq}`, String(r.id)]));
    const ids = entries.map((e) => idOf.get(`${e.entityType}|${e.entityId}|${e.seq}`)!);
    // The same changes, for departments' systems following the registry (the change feed), in the
    // same order. Event numbers are handed out under one lock held to commit, so they are in commit
    // order: a reader past number n never meets a later commit below n.
    await em.query(`SELECT pg_advisory_xact_lock(${CHANGE_FEED_LOCK})`);
    await em.query(`INSERT INTO change_event (history_id) SELECT h FROM unnest($1::bigint[]) WITH ORDINALITY AS t(h, n) ORDER BY n`, [ids]);
    return entries.map((e, i) => ({ ...e, id: ids[i]! }));
  }

  /**
   * Events after `afterId`, oldest first, only from transactions that have finished and below
   * every transaction still running (so a slow transaction can never commit an event behind a cursor).
   */
  async changes(afterId: bigint, first: number): Promise<ChangeEvent[]> {
    const rows = (await this.ds.query(
      `SELECT e.id, h.at, h.entity_type, h.entity_id, h.action, h.department_id, h.seq AS history_seq, h.changes,
              CASE WHEN h.entity_type = 'project' THEN p.code END AS project_code
         FROM change_event e JOIN history_entry h ON h.id = e.history_id
         LEFT JOIN project p ON h.entity_type = 'project' AND p.id = h.entity_id
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
