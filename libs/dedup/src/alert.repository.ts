import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { HistoryRepository, SYSTEM_ACTOR, type Actor } from '#history';
import { NotFoundError } from '#shared/core/index.js';
import type { Evidence, Match } from './matcher.js';
import type { IndexedProject } from './match-index.repository.js';

export const ALERT_STATUSES = ['open', 'confirmed', 'dismissed_related', 'dismissed_distinct'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export interface DuplicateAlert {
  id: string;
  projectA: string;
  projectB: string;
  codeA: string;
  codeB: string;
  departmentA: string;
  departmentB: string;
  score: number;
  level: Match['level'];
  evidence: Evidence[];
  status: AlertStatus;
  statusReason: string;
  decidedByDepartmentId: string | null;
  decidedAt: Date | null;
  raisedAt: Date;
  scoredAt: Date;
}

export interface AlertFilter {
  status?: AlertStatus[];
  level?: Match['level'];
  /** Department code: alerts where either project belongs to it. */
  department?: string;
  /** Both departments of the pair among these codes (a consultation between them). */
  betweenDepartments?: string[];
  /** Either project of this year. */
  year?: number;
  /** Alerts that involve this project (id). */
  projectId?: string;
}

/** One scored pair to store. */
export interface ScoredPair {
  a: IndexedProject;
  b: IndexedProject;
  score: number;
  level: Match['level'];
  evidence: Evidence[];
}

export interface RecordOutcome {
  raised: number;
  rescored: number;
  reopened: number;
  /** Decided earlier and neither project changed materially since: left as decided. */
  keptDecided: number;
}

interface Row {
  id: string;
  project_a: string;
  project_b: string;
  code_a: string;
  code_b: string;
  department_a: string;
  department_b: string;
  score: string;
  level: Match['level'];
  evidence: Evidence[];
  status: AlertStatus;
  status_reason: string;
  decided_by: string | null;
  decided_at: Date | null;
  fingerprint_a: string;
  fingerprint_b: string;
  raised_at: Date;
  scored_at: Date;
}

const SELECT = `
  SELECT a.*, pa.code AS code_a, pb.code AS code_b, da.code AS department_a, db.code AS department_b
    FROM duplicate_alert a
    JOIN project pa ON pa.id = a.project_a JOIN department da ON da.id = pa.department_id
    JOIN project pb ON pb.id = a.project_b JOIN department db ON db.id = pb.department_id`;

const toAlert = (r: Row): DuplicateAlert => ({
  id: r.id,
  projectA: r.project_a,
  projectB: r.project_b,
  codeA: r.code_a.trim(),
  codeB: r.code_b.trim(),
  departmentA: r.department_a,
  departmentB: r.department_b,
  score: Number(r.score),
  level: r.level,
  evidence: r.evidence,
  status: r.status,
  statusReason: r.status_reason,
  decidedByDepartmentId: r.decided_by,
  decidedAt: r.decided_at,
  raisedAt: r.raised_at,
  scoredAt: r.scored_at,
});

/** The only place duplicate_alert is queried. Every status change is appended to the alert's history. */
@Injectable()
export class AlertRepository {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly history: HistoryRepository,
  ) {}

  /**
   * Store scored pairs once per pair. A new pair is raised (open); an open one is re-scored; a
   * decided one stays decided unless either project changed materially since the decision (its
   * fingerprint differs), in which case it is reopened and the history says why.
   */
  async record(pairs: ScoredPair[], at: Date): Promise<RecordOutcome> {
    const outcome: RecordOutcome = { raised: 0, rescored: 0, reopened: 0, keptDecided: 0 };
    // One entry per pair (a pre-check of two new projects finds the pair from both sides), ordered a < b.
    const unique = new Map<string, ScoredPair>();
    for (const p of pairs) {
      const o = p.a.id < p.b.id ? p : { ...p, a: p.b, b: p.a };
      const key = `${o.a.id}|${o.b.id}`;
      if (!unique.has(key) || unique.get(key)!.score < o.score) unique.set(key, o);
    }
    const ordered = [...unique.values()];
    for (let start = 0; start < ordered.length; start += 2000) {
      const chunk = ordered.slice(start, start + 2000);
      await this.ds.transaction(async (em) => {
        const existing = (await em.query(
          `SELECT * FROM duplicate_alert WHERE (project_a, project_b) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[])) FOR UPDATE`,
          [chunk.map((p) => p.a.id), chunk.map((p) => p.b.id)],
        )) as Row[];
        const byPair = new Map(existing.map((r) => [`${r.project_a}|${r.project_b}`, r]));
        const fresh: ScoredPair[] = [];
        const rescore: { id: string; p: ScoredPair; reopen: boolean }[] = [];
        const history: Parameters<HistoryRepository['appendMany']>[1] = [];
        for (const p of chunk) {
          const row = byPair.get(`${p.a.id}|${p.b.id}`);
          if (!row) fresh.push(p);
          else if (row.status === 'open') {
            rescore.push({ id: row.id, p, reopen: false });
            // A new level is part of the alert's story (reports read an alert's level as of a day from its history).
            if (row.level !== p.level)
              history.push({ input: { entityType: 'duplicate_alert', entityId: row.id, action: 'RESCORED', changes: { level: { before: row.level, after: p.level }, score: p.score } }, actor: SYSTEM_ACTOR, at });
          }
          else if (row.fingerprint_a === p.a.fingerprint && row.fingerprint_b === p.b.fingerprint) outcome.keptDecided++;
          else {
            rescore.push({ id: row.id, p, reopen: true });
            const changed = [row.fingerprint_a !== p.a.fingerprint ? p.a.code : null, row.fingerprint_b !== p.b.fingerprint ? p.b.code : null].filter(Boolean);
            history.push({
              input: { entityType: 'duplicate_alert', entityId: row.id, action: 'REOPENED', reason: `${changed.join(' and ')} changed materially since the decision`, changes: { status: { before: row.status, after: 'open' }, score: p.score, level: p.level } },
              actor: SYSTEM_ACTOR,
              at,
            });
          }
        }
        if (fresh.length) {
          const ids = fresh.map(() => randomUUID());
          const inserted = (await em.query(
            `INSERT INTO duplicate_alert (id, project_a, project_b, score, level, evidence, status, fingerprint_a, fingerprint_b, raised_at, scored_at)
             SELECT id, a, b, s, l, e::jsonb, 'open', fa, fb, $8, $8 FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::numeric[], $5::text[], $6::text[], $7::char(32)[], $9::char(32)[])
                 AS t(id, a, b, s, l, e, fa, fb)
             ON CONFLICT (project_a, project_b) DO NOTHING RETURNING id`,
            [ids, fresh.map((p) => p.a.id), fresh.map((p) => p.b.id), fresh.map((p) => p.score.toFixed(2)), fresh.map((p) => p.level), fresh.map((p) => JSON.stringify(p.evidence)), fresh.map((p) => p.a.fingerprint), at, fresh.map((p) => p.b.fingerprint)],
          )) as { id: string }[];
          const stored = new Set(inserted.map((r) => r.id));
          fresh.forEach((p, n) => {
            if (!stored.has(ids[n]!)) return;
            outcome.raised++;
            history.push({
              input: { entityType: 'duplicate_alert', entityId: ids[n]!, action: 'RAISED', changes: { projectA: p.a.code, projectB: p.b.code, score: p.score, level: p.level, evidence: p.evidence } },
              actor: SYSTEM_ACTOR,
              at,
            });
          });
        }
        if (rescore.length) {
          await em.query(
            `UPDATE duplicate_alert a SET score = t.s, level = t.l, evidence = t.e::jsonb, fingerprint_a = t.fa, fingerprint_b = t.fb, scored_at = $7,
                    status = CASE WHEN t.reopen THEN 'open' ELSE a.status END,
                    status_reason = CASE WHEN t.reopen THEN '' ELSE a.status_reason END,
                    decided_by = CASE WHEN t.reopen THEN NULL ELSE a.decided_by END,
                    decided_at = CASE WHEN t.reopen THEN NULL ELSE a.decided_at END
               FROM unnest($1::uuid[], $2::numeric[], $3::text[], $4::text[], $5::char(32)[], $6::char(32)[], $8::boolean[]) AS t(id, s, l, e, fa, fb, reopen)
              WHERE a.id = t.id`,
            [rescore.map((r) => r.id), rescore.map((r) => r.p.score.toFixed(2)), rescore.map((r) => r.p.level), rescore.map((r) => JSON.stringify(r.p.evidence)), rescore.map((r) => r.p.a.fingerprint), rescore.map((r) => r.p.b.fingerprint), at, rescore.map((r) => r.reopen)],
          );
          for (const r of rescore) if (r.reopen) outcome.reopened++;
            else outcome.rescored++;
        }
        await this.history.appendMany(em, history);
      });
    }
    return outcome;
  }

  async get(id: string, em?: EntityManager): Promise<DuplicateAlert | null> {
    const rows = (await (em ?? this.ds).query(`${SELECT} WHERE a.id = $1`, [id])) as Row[];
    return rows[0] ? toAlert(rows[0]) : null;
  }

  async list(filter: AlertFilter, first: number, after?: { score: number; id: string }): Promise<{ items: DuplicateAlert[]; totalCount: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (filter.status?.length) where.push(`a.status = ANY(${p(filter.status)}::text[])`);
    if (filter.level) where.push(`a.level = ${p(filter.level)}`);
    if (filter.department) where.push(`(da.code = ${p(filter.department)} OR db.code = $${params.length})`);
    if (filter.betweenDepartments?.length) where.push(`(da.code = ANY(${p(filter.betweenDepartments)}::text[]) AND db.code = ANY($${params.length}::text[]))`);
    if (filter.year !== undefined) where.push(`(pa.year = ${p(filter.year)} OR pb.year = $${params.length})`);
    if (filter.projectId) where.push(`(a.project_a = ${p(filter.projectId)}::uuid OR a.project_b = $${params.length}::uuid)`);
    const base = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [count] = (await this.ds.query(`SELECT count(*)::int AS n FROM (${SELECT} ${base}) x`, params)) as { n: number }[];
    const page = [...where];
    if (after) page.push(`(a.score, a.id) < (${p(after.score.toFixed(2))}::numeric, ${p(after.id)}::uuid)`);
    const rows = (await this.ds.query(`${SELECT} ${page.length ? `WHERE ${page.join(' AND ')}` : ''} ORDER BY a.score DESC, a.id DESC LIMIT ${p(first)}`, params)) as Row[];
    return { items: rows.map(toAlert), totalCount: count!.n };
  }

  /**
   * Set a reviewed status, with the reason. The alert keeps the fingerprints it was scored on: a
   * project that changed after the evidence the reviewer saw reopens the alert at the next scan.
   */
  async decide(
    id: string,
    status: AlertStatus,
    reason: string,
    actor: Actor,
    at: Date,
    guard: (alert: DuplicateAlert) => void,
    /** Within a transaction already open (a meeting's minutes), else in one of its own. */
    within?: EntityManager,
  ): Promise<DuplicateAlert> {
    const work = async (em: EntityManager) => {
      const locked = (await em.query(`SELECT id FROM duplicate_alert WHERE id = $1 FOR UPDATE`, [id])) as { id: string }[];
      if (!locked.length) throw new NotFoundError('duplicate alert', id);
      const before = (await this.get(id, em))!;
      guard(before);
      const decided = status !== 'open';
      await em.query(
        `UPDATE duplicate_alert SET status = $2, status_reason = $3, decided_by = $4, decided_at = $5 WHERE id = $1`,
        [id, status, reason, decided ? actor.departmentId : null, decided ? at : null],
      );
      await this.history.append(em, { entityType: 'duplicate_alert', entityId: id, action: 'REVIEWED', reason, changes: { status: { before: before.status, after: status } } }, actor, at);
      return (await this.get(id, em))!;
    };
    return within ? work(within) : this.ds.transaction(work);
  }
}
