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

/** A stored project: the same columns as SOURCE_SQL, read from project_match, with its fingerprint. */
type MatchRow = SourceRow & { fingerprint: string };

const MATCH_SQL = `
  SELECT m.project_id AS id, p.code, m.department_code, m.sub_fund, m.year, m.title, m.organisation, m.uscc, m.leader,
         m.amount_fen::text AS amount_fen, to_char(m.start_date, 'YYYY-MM-DD') AS start_date,
         to_char(m.end_date, 'YYYY-MM-DD') AS end_date, m.fingerprint
    FROM project_match m JOIN project p ON p.id = m.project_id`;

function fromMatchRow(r: MatchRow): IndexedProject {
  return { ...toRecord(r), fingerprint: r.fingerprint };
}

/**
 * What match_count counts, by kind: each value the method weighs by how common it is.
 * g a title bigram · t a whole title · o an organisation name · c an organisation core ·
 * i an institution · l a leader (or the body in the leader column) · # the number of projects.
 */
export type CountKind = 'g' | 't' | 'o' | 'c' | 'i' | 'l' | '#';

/** Changes to match_count, keyed kind + value ("g研究", "o北京大学", "#"). */
export type CountDelta = Map<string, number>;

/** The counted values of one project's features. */
export function countKeys(f: Features): string[] {
  const keys = [...f.grams].map((g) => `g${g}`);
  keys.push(`t${f.title}`, `o${f.org.normal}`, '#');
  if (f.org.core) keys.push(`c${f.org.core}`);
  if (f.institution) keys.push(`i${f.institution}`);
  const leader = leaderKey(f);
  if (leader) keys.push(`l${leader}`);
  return keys;
}

/** A bigram in at least this many titles is common (its weight barely moves as titles are added). */
const COMMON_GRAM = 200;

/** Counts of the index, as the method's Frequencies (only the values asked for). */
function toFrequencies(counts: Map<string, number>): Frequencies {
  const freq = new Frequencies();
  const maps: Partial<Record<CountKind, Map<string, number>>> = { g: freq.gram, t: freq.title, o: freq.org, c: freq.core, i: freq.institution, l: freq.leader };
  for (const [key, n] of counts) {
    if (key === '#') freq.size = n;
    else if (n > 0) maps[key[0] as CountKind]?.set(key.slice(1), n);
  }
  return freq;
}

/**
 * project_match: each project's normal forms and blocking keys, kept in step with the registry
 * inside the registry's own write transactions; match_count: how many projects hold each value the
 * method weighs (bigrams, titles, names, cores, institutions, leaders), so that a pre-check weighs
 * agreement as the batch scan does with a few indexed reads instead of counting rows.
 */
@Injectable()
export class MatchIndex {
  /** Counts of common bigrams read lately (see `frequencies`). */
  private readonly commonGrams = new Map<string, { n: number; until: number }>();

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Recompute the normal forms of these projects (registered or changed in this transaction) and
   * adjust the counts — in this transaction, or, given `deferCounts`, by adding to it for the
   * caller to apply once after its batches commit (`applyCounts`): bulk registration then does not
   * serialise its parallel lanes on the common values. Counts only weigh evidence and choose rare
   * bigrams; every full scan recounts them exactly.
   */
  async refresh(em: EntityManager, projectIds: string[], deferCounts?: CountDelta): Promise<void> {
    if (projectIds.length === 0) return;
    const rows = (await em.query(`${SOURCE_SQL} WHERE p.id = ANY($1::uuid[])`, [projectIds])) as SourceRow[];
    const old = (await em.query(
      `SELECT project_id, grams, title_norm, org_normal, org_core, institution, leader_norm FROM project_match WHERE project_id = ANY($1::uuid[])`,
      [projectIds],
    )) as { project_id: string; grams: string[]; title_norm: string; org_normal: string; org_core: string; institution: string | null; leader_norm: string | null }[];
    const delta = deferCounts ?? new Map<string, number>();
    const add = (key: string, n: number) => delta.set(key, (delta.get(key) ?? 0) + n);
    for (const o of old) {
      for (const g of o.grams) add(`g${g}`, -1);
      add(`t${o.title_norm}`, -1);
      add(`o${o.org_normal}`, -1);
      add('#', -1);
      if (o.org_core) add(`c${o.org_core}`, -1);
      if (o.institution) add(`i${o.institution}`, -1);
      if (o.leader_norm) add(`l${o.leader_norm}`, -1);
    }
    const at = new Date();
    const cols: unknown[][] = Array.from({ length: 20 }, () => []);
    for (const r of rows) {
      const rec = toRecord(r);
      const f = features(rec);
      for (const key of countKeys(f)) add(key, 1);
      const values = [
        rec.id, MATCH_NORM_VERSION, rec.department, rec.subfund, rec.year, rec.title, rec.organisation, rec.uscc, rec.leader,
        rec.amountFen?.toString() ?? null, rec.startDate, rec.endDate, f.title, `{${[...f.grams].map((g) => JSON.stringify(g)).join(',')}}`,
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
    if (!deferCounts) await this.applyCounts(delta, em);
  }

  /** Add these changes to the counts, in key order (concurrent writers never deadlock on them). */
  async applyCounts(delta: CountDelta, em?: EntityManager): Promise<void> {
    // One order across all chunks, so that two writers never take the same rows in opposite orders.
    const changed = [...delta].filter(([, n]) => n !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (let start = 0; start < changed.length; start += 50000) {
      const part = changed.slice(start, start + 50000);
      await (em ?? this.ds).query(
        `INSERT INTO match_count (kind, value, n) SELECT k, v, d FROM unnest($1::text[], $2::text[], $3::int[]) AS t(k, v, d) ORDER BY k, v COLLATE "C"
         ON CONFLICT (kind, value) DO UPDATE SET n = match_count.n + excluded.n`,
        [part.map(([k]) => k[0]), part.map(([k]) => k.slice(1)), part.map(([, n]) => n)],
      );
    }
  }

  /**
   * Make every count exact (the batch scan has every stored project's features): only the counts
   * that differ are written, so a scan of an index kept in step writes next to nothing.
   */
  async replaceCounts(all: Features[]): Promise<void> {
    const counts = new Map<string, number>();
    for (const f of all) for (const key of countKeys(f)) counts.set(key, (counts.get(key) ?? 0) + 1);
    await this.ds.transaction(async (em) => {
      await em.query(`LOCK TABLE match_count IN EXCLUSIVE MODE`);
      const stored = (await em.query(`SELECT kind, value, n FROM match_count`)) as { kind: string; value: string; n: number }[];
      const gone: string[] = [];
      for (const r of stored) {
        const key = `${r.kind}${r.value}`;
        const n = counts.get(key);
        if (n === undefined) gone.push(key);
        else if (n === r.n) counts.delete(key);
      }
      for (let start = 0; start < gone.length; start += 50000) {
        const part = gone.slice(start, start + 50000);
        await em.query(`DELETE FROM match_count WHERE (kind, value) IN (SELECT * FROM unnest($1::"char"[], $2::text[]))`, [part.map((k) => k[0]), part.map((k) => k.slice(1))]);
      }
      const rows = [...counts];
      for (let start = 0; start < rows.length; start += 50000) {
        const part = rows.slice(start, start + 50000);
        await em.query(
          `INSERT INTO match_count (kind, value, n) SELECT * FROM unnest($1::text[], $2::text[], $3::int[]) ON CONFLICT (kind, value) DO UPDATE SET n = excluded.n`,
          [part.map(([k]) => k[0]), part.map(([k]) => k.slice(1)), part.map(([, n]) => n)],
        );
      }
    });
    this.commonGrams.clear();
  }

  /**
   * Counts of these keys (kind + value), as Frequencies for the method. A bigram held by at least
   * COMMON_GRAM titles is served from memory for up to a minute: one more title changes its weight
   * by under one per cent, and it is never among a title's rarest. Every other count is read fresh.
   */
  async frequencies(keys: Iterable<string>): Promise<Frequencies> {
    const now = Date.now();
    const counts = new Map<string, number>();
    const wanted: string[] = ['#'];
    for (const key of new Set(keys)) {
      const hit = key[0] === 'g' ? this.commonGrams.get(key) : undefined;
      if (hit && hit.until > now) counts.set(key, hit.n);
      else wanted.push(key);
    }
    const rows = (await this.ds.query(
      // "char" on both sides, or the primary key cannot be used.
      `SELECT kind, value, n FROM match_count WHERE (kind, value) IN (SELECT * FROM unnest($1::"char"[], $2::text[]))`,
      [wanted.map((k) => k[0]), wanted.map((k) => k.slice(1))],
    )) as { kind: string; value: string; n: number }[];
    if (this.commonGrams.size > 200_000) this.commonGrams.clear();
    for (const r of rows) {
      const key = `${r.kind}${r.value}`;
      counts.set(key, r.n);
      if (r.kind === 'g' && r.n >= COMMON_GRAM) this.commonGrams.set(key, { n: r.n, until: now + 60_000 });
    }
    return toFrequencies(counts);
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
      after = rows[rows.length - 1]!.id;
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
   * bigrams. A block with more than MAX_BLOCK members is skipped, as in the batch method (a core or
   * a leader the counts show to be that common is not read at all). Candidates that share more
   * blocks, then smaller blocks, come first; at most `limit` are returned.
   */
  async candidates(f: Features, freq: Frequencies, limit: number): Promise<string[]> {
    const blocks: { sql: string; params: unknown[] }[] = [];
    for (const key of blockingKeys(f, (g) => freq.gram.get(g) ?? 0)) {
      const value = key.slice(2);
      if (key.startsWith('u:')) blocks.push({ sql: `uscc = $1`, params: [value] });
      else if (key.startsWith('o:')) {
        if ((freq.core.get(value) ?? 0) <= MAX_BLOCK + 1) blocks.push({ sql: `org_core = $1`, params: [value] });
      } else if (key.startsWith('l:')) {
        if ((freq.leader.get(value) ?? 0) <= MAX_BLOCK + 1) blocks.push({ sql: `leader_norm = $1`, params: [value] });
      } else if (key.startsWith('t:')) blocks.push({ sql: `grams @> $1::text[]`, params: [[value.slice(0, 2), value.slice(2)]] });
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
    // Rank: more shared blocks first, then the smaller (more telling) block, then id for a stable order.
    const rank = new Map<string, { blocks: number; smallest: number }>();
    for (const ids of byBlock.values()) {
      if (ids.length > MAX_BLOCK) continue;
      for (const id of ids) {
        const r = rank.get(id) ?? { blocks: 0, smallest: Infinity };
        r.blocks++;
        r.smallest = Math.min(r.smallest, ids.length);
        rank.set(id, r);
      }
    }
    return [...rank]
      .sort(([a, x], [b, y]) => y.blocks - x.blocks || x.smallest - y.smallest || (a < b ? -1 : 1))
      .slice(0, limit)
      .map(([id]) => id);
  }
}
