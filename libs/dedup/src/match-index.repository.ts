import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { blockingKeys, features, Frequencies, leaderKey, MAX_BLOCK, type Features, type MatchRecord } from './matcher.js';

/**
 * Version of the normal forms stored in project_match. Raise it whenever normalise.ts or
 * features() changes what they produce: rows written under an older version are recomputed
 * before the next scan (`MatchIndex.refreshStale`), so stored keys never silently disagree with the method.
 */
export const MATCH_NORM_VERSION = 1;

/** A stored project as the detector sees it. */
export interface IndexedProject extends MatchRecord {
  /** project.id */
  id: string;
  code: string;
  fingerprint: string;
}

/** The fields whose change makes a decided alert worth a second look: title, organisation, credit code, leader, year. */
export function fingerprintOf(f: Features): string {
  return createHash('md5').update([f.title, f.org.normal, f.rec.uscc ?? '', f.leader, f.rec.year ?? ''].join('\u0001')).digest('hex');
}

interface SourceRow {
  id: string;
  code: string;
  department_code: string;
  sub_fund: string | null;
  year: number | null;
  title: string;
  organisation: string;
  uscc: string | null;
  leader: string | null;
  amount_fen: string | null;
  start_date: string | null;
  end_date: string | null;
}

const SOURCE_SQL = `
  SELECT p.id, p.code, d.code AS department_code, sf.name AS sub_fund, p.year, p.title, o.name AS organisation,
         o.uscc, pe.name AS leader, COALESCE(p.approved_fen, p.requested_fen)::text AS amount_fen,
         to_char(p.planned_start, 'YYYY-MM-DD') AS start_date, to_char(p.planned_end, 'YYYY-MM-DD') AS end_date
    FROM project p
    JOIN department d ON d.id = p.department_id
    JOIN organisation o ON o.id = p.organisation_id
    LEFT JOIN sub_fund sf ON sf.id = p.sub_fund_id
    LEFT JOIN person pe ON pe.id = p.leader_id`;

function toRecord(r: SourceRow): MatchRecord & { code: string } {
  return {
    id: r.id,
    code: r.code.trim(),
    department: r.department_code,
    subfund: r.sub_fund,
    year: r.year,
    title: r.title,
    organisation: r.organisation,
    uscc: r.uscc?.trim() || null,
    leader: r.leader,
    amountFen: r.amount_fen === null ? null : BigInt(r.amount_fen),
    startDate: r.start_date,
    endDate: r.end_date,
  };
}

interface MatchRow {
  project_id: string;
  code: string;
  department_code: string;
  sub_fund: string | null;
  year: number | null;
  title: string;
  organisation: string;
  uscc: string | null;
  leader: string | null;
  amount_fen: string | null;
  start_date: string | null;
  end_date: string | null;
  fingerprint: string;
}

const MATCH_SQL = `
  SELECT m.project_id, p.code, m.department_code, m.sub_fund, m.year, m.title, m.organisation, m.uscc, m.leader,
         m.amount_fen::text AS amount_fen, to_char(m.start_date, 'YYYY-MM-DD') AS start_date,
         to_char(m.end_date, 'YYYY-MM-DD') AS end_date, m.fingerprint
    FROM project_match m JOIN project p ON p.id = m.project_id`;

function fromMatchRow(r: MatchRow): IndexedProject {
  return {
    id: r.project_id,
    code: r.code.trim(),
    department: r.department_code,
    subfund: r.sub_fund,
    year: r.year,
    title: r.title,
    organisation: r.organisation,
    uscc: r.uscc?.trim() || null,
    leader: r.leader,
    amountFen: r.amount_fen === null ? null : BigInt(r.amount_fen),
    startDate: r.start_date,
    endDate: r.end_date,
    fingerprint: r.fingerprint,
  };
}

/**
 * project_match: each project's normal forms and blocking keys, kept in step with the registry
 * inside the registry's own write transactions, and the queries the pre-check and the scan run on it.
 */
@Injectable()
export class MatchIndex {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Recompute the normal forms of these projects (registered or changed in this transaction) and
   * adjust the bigram counts — in this transaction, or, given `deferCounts`, by adding to it for the
   * caller to apply once after its batches commit (`applyGramCounts`): bulk registration then does
   * not serialise its parallel lanes on the common bigrams. The counts only choose which bigrams
   * are rare; every full scan recounts them exactly.
   */
  async refresh(em: EntityManager, projectIds: string[], deferCounts?: Map<string, number>): Promise<void> {
    if (projectIds.length === 0) return;
    const rows = (await em.query(`${SOURCE_SQL} WHERE p.id = ANY($1::uuid[])`, [projectIds])) as SourceRow[];
    const old = (await em.query(`SELECT project_id, grams FROM project_match WHERE project_id = ANY($1::uuid[])`, [projectIds])) as { project_id: string; grams: string[] }[];
    const delta = deferCounts ?? new Map<string, number>();
    for (const o of old) for (const g of o.grams) delta.set(g, (delta.get(g) ?? 0) - 1);
    // The number of indexed projects rides along as the count of the empty "bigram".
    delta.set(TOTAL, (delta.get(TOTAL) ?? 0) + rows.length - old.length);
    const at = new Date();
    const cols: unknown[][] = Array.from({ length: 20 }, () => []);
    for (const r of rows) {
      const rec = toRecord(r);
      const f = features(rec);
      const grams = [...f.grams];
      for (const g of grams) delta.set(g, (delta.get(g) ?? 0) + 1);
      const values = [
        rec.id, MATCH_NORM_VERSION, rec.department, rec.subfund, rec.year, rec.title, rec.organisation, rec.uscc, rec.leader,
        rec.amountFen?.toString() ?? null, rec.startDate, rec.endDate, f.title, `{${grams.map((g) => JSON.stringify(g)).join(',')}}`,
        f.org.normal, f.org.core, leaderKey(f) || null, fingerprintOf(f), at, f.institution || null,
      ];
      values.forEach((v, i) => cols[i]!.push(v));
    }
    await em.query(
      `INSERT INTO project_match (project_id, norm_version, department_code, sub_fund, year, title, organisation, uscc, leader, amount_fen,
                                  start_date, end_date, title_norm, grams, org_normal, org_core, leader_norm, fingerprint, updated_at, institution)
       SELECT a, b, c, d, e, f, g, h, i, j, k, l, m, n::text[], o, p, q, r, s, u FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::char(18)[], $9::text[], $10::bigint[],
                            $11::date[], $12::date[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::char(32)[], $19::timestamptz[], $20::text[])
           AS t(a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,u)
       ON CONFLICT (project_id) DO UPDATE SET
         norm_version = excluded.norm_version, department_code = excluded.department_code, sub_fund = excluded.sub_fund, year = excluded.year,
         title = excluded.title, organisation = excluded.organisation, uscc = excluded.uscc, leader = excluded.leader, amount_fen = excluded.amount_fen,
         start_date = excluded.start_date, end_date = excluded.end_date, title_norm = excluded.title_norm, grams = excluded.grams,
         org_normal = excluded.org_normal, org_core = excluded.org_core, leader_norm = excluded.leader_norm, fingerprint = excluded.fingerprint,
         updated_at = excluded.updated_at, institution = excluded.institution`,
      cols,
    );
    if (!deferCounts) await this.applyGramCounts(delta, em);
  }

  /** Add these changes to the bigram counts, in bigram order (concurrent writers never deadlock on them). */
  async applyGramCounts(delta: Map<string, number>, em?: EntityManager): Promise<void> {
    const changed = [...delta].filter(([, n]) => n !== 0);
    for (let start = 0; start < changed.length; start += 50000) {
      const part = changed.slice(start, start + 50000);
      await (em ?? this.ds).query(
        `INSERT INTO match_gram (gram, n) SELECT g, d FROM unnest($1::text[], $2::int[]) AS t(g, d) ORDER BY g
         ON CONFLICT (gram) DO UPDATE SET n = match_gram.n + excluded.n`,
        [part.map(([g]) => g), part.map(([, n]) => n)],
      );
    }
  }

  /** Replace the bigram counts with exact ones (the batch scan counted every stored title). */
  async replaceGramCounts(counts: Map<string, number>, total: number): Promise<void> {
    await this.ds.transaction(async (em) => {
      await em.query(`LOCK TABLE match_gram IN EXCLUSIVE MODE`);
      await em.query(`DELETE FROM match_gram`);
      const all: [string, number][] = [...counts, [TOTAL, total]];
      for (let start = 0; start < all.length; start += 50000) {
        const part = all.slice(start, start + 50000);
        await em.query(`INSERT INTO match_gram (gram, n) SELECT * FROM unnest($1::text[], $2::int[])`, [part.map(([g]) => g), part.map(([, n]) => n)]);
      }
    });
  }

  /** Projects after `after` (in id order) whose stored normal forms are missing or older than MATCH_NORM_VERSION. */
  private async staleIds(after: string, limit: number): Promise<string[]> {
    const rows = (await this.ds.query(
      `SELECT p.id FROM project p LEFT JOIN project_match m ON m.project_id = p.id
        WHERE p.id > $1 AND (m.project_id IS NULL OR m.norm_version < $2) ORDER BY p.id LIMIT $3`,
      [after, MATCH_NORM_VERSION, limit],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Bring every stale row up to date, in transactions of `batch` projects, in one pass. Returns how many were refreshed. */
  async refreshStale(batch = 5000, progress?: (done: number) => Promise<void> | void): Promise<number> {
    let done = 0;
    for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
      const ids = await this.staleIds(after, batch);
      if (ids.length === 0) return done;
      await this.ds.transaction((em) => this.refresh(em, ids));
      done += ids.length;
      after = ids[ids.length - 1]!;
      await progress?.(done);
    }
  }

  /** Every indexed project, in pages (the batch scan's input). */
  async *all(page = 20000): AsyncGenerator<IndexedProject[]> {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = (await this.ds.query(`${MATCH_SQL} WHERE m.project_id > $1 ORDER BY m.project_id LIMIT $2`, [after, page])) as MatchRow[];
      if (rows.length === 0) return;
      yield rows.map(fromMatchRow);
      after = rows[rows.length - 1]!.project_id;
      if (rows.length < page) return;
    }
  }

  async byIds(ids: string[], em?: EntityManager): Promise<IndexedProject[]> {
    if (ids.length === 0) return [];
    const rows = (await (em ?? this.ds).query(`${MATCH_SQL} WHERE m.project_id = ANY($1::uuid[])`, [ids])) as MatchRow[];
    return rows.map(fromMatchRow);
  }

  async byCode(code: string): Promise<IndexedProject | null> {
    const rows = (await this.ds.query(`${MATCH_SQL} WHERE p.code = $1`, [code])) as MatchRow[];
    return rows[0] ? fromMatchRow(rows[0]) : null;
  }

  async count(): Promise<number> {
    const [r] = (await this.ds.query(`SELECT count(*)::int AS n FROM project_match`)) as { n: number }[];
    return r!.n;
  }

  /**
   * Candidates for one record from the stored index, by the blocks the batch method uses
   * (matcher.blockingKeys): credit code, organisation core, leader, and pairs of the title's rarest
   * bigrams. A block with more than MAX_BLOCK members is skipped, as in the batch method.
   */
  async candidates(f: Features, gramCounts: Map<string, number>): Promise<string[]> {
    const blocks: { sql: string; params: unknown[] }[] = [];
    for (const key of blockingKeys(f, (g) => gramCounts.get(g) ?? 0)) {
      const value = key.slice(2);
      if (key.startsWith('u:')) blocks.push({ sql: `uscc = $1`, params: [value] });
      else if (key.startsWith('o:')) blocks.push({ sql: `org_core = $1`, params: [value] });
      else if (key.startsWith('l:')) blocks.push({ sql: `leader_norm = $1`, params: [value] });
      else if (key.startsWith('t:')) blocks.push({ sql: `grams @> $1::text[]`, params: [[value.slice(0, 2), value.slice(2)]] });
      else throw new Error(`no index for blocking key ${key}`);
    }
    if (blocks.length === 0) return [];
    // One round trip: each block as a sub-select of at most MAX_BLOCK + 1 rows, kept only when it is not larger.
    const params: unknown[] = [];
    const parts = blocks.map((b, n) => {
      params.push(...b.params);
      const sql = b.sql.replace('$1', `$${params.length}`);
      return `SELECT ${n} AS block, project_id FROM (SELECT project_id FROM project_match WHERE ${sql} LIMIT ${MAX_BLOCK + 1}) s${n}`;
    });
    const rows = (await this.ds.query(parts.join(' UNION ALL '), params)) as { block: number; project_id: string }[];
    const byBlock = new Map<number, string[]>();
    for (const r of rows) byBlock.set(r.block, [...(byBlock.get(r.block) ?? []), r.project_id]);
    const out = new Set<string>();
    for (const ids of byBlock.values()) if (ids.length <= MAX_BLOCK) for (const id of ids) out.add(id);
    return [...out];
  }

  /** How many stored projects hold each of these bigrams. */
  async gramCounts(grams: string[]): Promise<Map<string, number>> {
    if (grams.length === 0) return new Map();
    const rows = (await this.ds.query(`SELECT gram, n FROM match_gram WHERE gram = ANY($1::text[])`, [grams])) as { gram: string; n: number }[];
    return new Map(rows.map((r) => [r.gram, r.n]));
  }

  /**
   * Frequencies of the values the method weighs when comparing `self` with `others`, counted in the
   * whole index: titles and organisation names of both sides; leader, organisation core and
   * institution of `self` (they are weighed only when both sides share them). Counts stop at
   * FREQUENCY_CAP: beyond it every weight the method derives from a count is at its floor.
   */
  async frequencies(self: Features, others: Features[]): Promise<Frequencies> {
    const freq = new Frequencies();
    const distinct = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => Boolean(x)))];
    const all = [self, ...others];
    const count = (column: string, param: number, kind: string) =>
      `SELECT '${kind}' AS k, v, (SELECT count(*) FROM (SELECT 1 FROM project_match WHERE ${column} = v LIMIT ${FREQUENCY_CAP}) x)::int AS n FROM unnest($${param}::text[]) v`;
    const rows = (await this.ds.query(
      [
        count('title_norm', 1, 't'),
        count('org_normal', 2, 'o'),
        count('leader_norm', 3, 'l'),
        count('org_core', 4, 'c'),
        count('institution', 5, 'i'),
        `SELECT 'g', gram, n FROM match_gram WHERE gram = ANY($6::text[])`,
        `SELECT 's', '', COALESCE((SELECT n FROM match_gram WHERE gram = ''), 0)`,
      ].join(' UNION ALL '),
      [
        distinct(all.map((f) => f.title)),
        distinct(all.map((f) => f.org.normal)),
        distinct([self.leader]),
        distinct([self.org.core]),
        distinct([self.institution]),
        distinct(all.flatMap((f) => [...f.grams])),
      ],
    )) as { k: string; v: string; n: number }[];
    const maps: Record<string, Map<string, number>> = { t: freq.title, l: freq.leader, c: freq.core, o: freq.org, i: freq.institution, g: freq.gram };
    for (const r of rows) {
      if (r.k === 's') freq.size = r.n;
      else if (r.n > 0) maps[r.k]!.set(r.v, r.n);
    }
    return freq;
  }
}

/** match_gram's row for the number of indexed projects (no bigram is empty). */
const TOTAL = '';

/** Counts above this change no weight of the method (its weights reach their floor well below it). */
export const FREQUENCY_CAP = 2000;
