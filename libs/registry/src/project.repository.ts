import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { ProjectEntity, ProjectLocalIdEntity } from './registry.entities.js';
import type { ProjectStatus } from './lifecycle.js';
import { normaliseName } from './names.js';

export type ProjectRow = ProjectEntity;

/** Counts beyond this are reported as "at least". */
export const COUNT_CAP = 10_000;

export interface ProjectFilter {
  keyword?: string;
  organisation?: string;
  organisationId?: string;
  leader?: string;
  departmentIds?: string[];
  fundIds?: string[];
  subFundIds?: string[];
  categoryCodes?: string[];
  catalogItemCodes?: string[];
  years?: number[];
  statuses?: ProjectStatus[];
  /** On the approved amount, or the requested amount where nothing is approved yet. */
  amountMinFen?: bigint;
  amountMaxFen?: bigint;
}

/** The only place project, project_local_id and project_code_sequence are queried. */
@Injectable()
export class ProjectRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** For reads outside a transaction. */
  get manager(): EntityManager {
    return this.ds.manager;
  }

  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }






  /** Take numbers for many code groups in one statement (in key order); returns each group's first number. */
  async takeSequencesMany(em: EntityManager, groups: { jurisdiction: string; year: number; departmentSeg: string; subFundSeg: string; count: number }[]): Promise<number[]> {
    if (!groups.length) return [];
    const rows = (await em.query(
      `INSERT INTO project_code_sequence (jurisdiction_code, year, department_seg, sub_fund_seg, last_value)
       SELECT * FROM unnest($1::char(6)[], $2::int[], $3::char(5)[], $4::char(2)[], $5::int[]) AS t(j, y, d, s, n) ORDER BY j, y, d, s
       ON CONFLICT (jurisdiction_code, year, department_seg, sub_fund_seg) DO UPDATE SET last_value = project_code_sequence.last_value + EXCLUDED.last_value
       RETURNING jurisdiction_code, year, department_seg, sub_fund_seg, last_value`,
      [groups.map((g) => g.jurisdiction), groups.map((g) => g.year), groups.map((g) => g.departmentSeg), groups.map((g) => g.subFundSeg), groups.map((g) => g.count)],
    )) as { jurisdiction_code: string; year: number; department_seg: string; sub_fund_seg: string; last_value: number }[];
    const last = new Map(rows.map((r) => [`${r.jurisdiction_code}|${r.year}|${r.department_seg}|${r.sub_fund_seg}`, r.last_value]));
    return groups.map((g) => last.get(`${g.jurisdiction}|${g.year}|${g.departmentSeg}|${g.subFundSeg}`)! - g.count + 1);
  }

  async insertMany(em: EntityManager, rows: ProjectRow[]): Promise<void> {
    if (!rows.length) return;
    const c = <K extends keyof ProjectRow>(k: K) => rows.map((r) => r[k]);
    const fen = (k: 'requestedFen' | 'approvedFen' | 'selfRaisedFen' | 'totalInvestmentFen') => rows.map((r) => (r[k] === null ? null : r[k]!.toString()));
    await em.query(
      `INSERT INTO project (id, code, department_id, fund_id, sub_fund_id, category_code, support_method_code, catalog_item_code, year, title, title_norm, summary, keywords,
                            organisation_id, leader_id, requested_fen, approved_fen, self_raised_fen, total_investment_fen, planned_start, planned_end, extension_months,
                            status, attributes, version, created_at, updated_at)
       SELECT t.id, t.code, t.department_id, t.fund_id, t.sub_fund_id, t.category_code, t.support_method_code, t.catalog_item_code, t.year, t.title, t.title_norm, t.summary,
              string_to_array(t.keywords, E'\\x1f'), t.organisation_id, t.leader_id, t.requested_fen, t.approved_fen, t.self_raised_fen, t.total_investment_fen,
              t.planned_start, t.planned_end, t.extension_months, t.status, t.attributes, t.version, t.created_at, t.updated_at
         FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::int[], $10::text[], $11::text[], $12::text[], $13::text[],
                     $14::uuid[], $15::uuid[], $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[], $20::date[], $21::date[], $22::int[], $23::text[], $24::jsonb[], $25::int[],
                     $26::timestamptz[], $27::timestamptz[])
           AS t(id, code, department_id, fund_id, sub_fund_id, category_code, support_method_code, catalog_item_code, year, title, title_norm, summary, keywords,
                organisation_id, leader_id, requested_fen, approved_fen, self_raised_fen, total_investment_fen, planned_start, planned_end, extension_months, status, attributes,
                version, created_at, updated_at)`,
      [
        c('id'), c('code'), c('departmentId'), c('fundId'), c('subFundId'), c('categoryCode'), c('supportMethodCode'), c('catalogItemCode'), c('year'), c('title'), c('titleNorm'),
        // Keywords travel as one string each (unit separator), as arrays of arrays cannot be ragged.
        c('summary'), rows.map((r) => r.keywords.join('\u001f')), c('organisationId'), c('leaderId'), fen('requestedFen'), fen('approvedFen'), fen('selfRaisedFen'),
        fen('totalInvestmentFen'), c('plannedStart'), c('plannedEnd'), c('extensionMonths'), c('status'), rows.map((r) => JSON.stringify(r.attributes)), c('version'),
        c('createdAt'), c('updatedAt'),
      ],
    );
  }

  /** Which of these local IDs a department has already linked, to which project code. */
  async takenLocalIds(em: EntityManager, pairs: { departmentId: string; localId: string }[]): Promise<Map<string, string>> {
    if (!pairs.length) return new Map();
    const rows = (await em.query(
      `SELECT l.department_id, l.local_id, p.code FROM project_local_id l JOIN project p ON p.id = l.project_id
        WHERE (l.department_id, l.local_id) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
      [pairs.map((p) => p.departmentId), pairs.map((p) => p.localId)],
    )) as { department_id: string; local_id: string; code: string }[];
    return new Map(rows.map((r) => [`${r.department_id}|${r.local_id}`, r.code.trim()]));
  }

  async linkLocalIds(em: EntityManager, rows: { departmentId: string; localId: string; projectId: string }[], at: Date): Promise<boolean> {
    if (!rows.length) return true;
    const inserted = (await em.query(
      `INSERT INTO project_local_id (department_id, local_id, project_id, created_at) SELECT *, $4::timestamptz FROM unnest($1::uuid[], $2::text[], $3::uuid[])
       ON CONFLICT (department_id, local_id) DO NOTHING RETURNING local_id`,
      [rows.map((r) => r.departmentId), rows.map((r) => r.localId), rows.map((r) => r.projectId), at],
    )) as unknown[];
    return inserted.length === rows.length;
  }

  async update(em: EntityManager, id: string, changes: Partial<ProjectRow>): Promise<void> {
    await em.getRepository(ProjectEntity).update({ id }, changes);
  }

  byCodes(codes: string[]): Promise<ProjectRow[]> {
    return codes.length ? this.ds.getRepository(ProjectEntity).findBy({ code: In(codes) }) : Promise.resolve([]);
  }

  byCode(code: string, em: EntityManager = this.ds.manager): Promise<ProjectRow | null> {
    return em.getRepository(ProjectEntity).findOneBy({ code });
  }

  /** The project, locked for the rest of the transaction (changes to one project are serialised). */
  lockByCode(em: EntityManager, code: string): Promise<ProjectRow | null> {
    return em.getRepository(ProjectEntity).createQueryBuilder('p').setLock('pessimistic_write').where('p.code = :code', { code }).getOne();
  }

  async byLocalId(departmentId: string, localId: string, em: EntityManager = this.ds.manager): Promise<ProjectRow | null> {
    const link = await em.getRepository(ProjectLocalIdEntity).findOneBy({ departmentId, localId });
    return link ? em.getRepository(ProjectEntity).findOneBy({ id: link.projectId }) : null;
  }

  async localIds(projectIds: string[], em: EntityManager = this.ds.manager): Promise<Map<string, { departmentId: string; localId: string }[]>> {
    const out = new Map<string, { departmentId: string; localId: string }[]>();
    if (projectIds.length === 0) return out;
    const rows = await em.getRepository(ProjectLocalIdEntity).find({ where: { projectId: In(projectIds) }, order: { createdAt: 'ASC' } });
    for (const r of rows) out.set(r.projectId, [...(out.get(r.projectId) ?? []), { departmentId: r.departmentId, localId: r.localId }]);
    return out;
  }

  /** Link a department's local ID; returns the project it already points to when taken. */
  async linkLocalId(em: EntityManager, departmentId: string, localId: string, projectId: string, at: Date): Promise<{ linked: boolean; existingProjectId?: string }> {
    const rows = (await em.query(
      `INSERT INTO project_local_id (department_id, local_id, project_id, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (department_id, local_id) DO NOTHING RETURNING project_id`,
      [departmentId, localId, projectId, at],
    )) as unknown[];
    if (rows.length) return { linked: true };
    const existing = await em.getRepository(ProjectLocalIdEntity).findOneBy({ departmentId, localId });
    return { linked: false, existingProjectId: existing?.projectId };
  }

  /**
   * One page of projects in code order, after a code, and how many match the filter: exactly up
   * to COUNT_CAP, beyond that COUNT_CAP with `countExact: false` (counting a broad keyword's
   * hundred thousand matches would cost more than the page itself).
   */
  async list(filter: ProjectFilter, first: number, afterCode?: string, withCount = true): Promise<{ rows: ProjectRow[]; totalCount: number | null; countExact: boolean; hasNext: boolean }> {
    const qb = this.ds.getRepository(ProjectEntity).createQueryBuilder('p');
    if (filter.keyword) qb.andWhere(`p.title_norm LIKE :kw`, { kw: `%${escapeLike(normaliseName(filter.keyword))}%` });
    if (filter.organisationId) qb.andWhere('p.organisation_id = :orgId', { orgId: filter.organisationId });
    if (filter.organisation) {
      const key = filter.organisation.normalize('NFKC').trim().toUpperCase();
      if (/^[0-9A-Z]{18}$/.test(key)) {
        qb.andWhere(`p.organisation_id IN (SELECT o.id FROM organisation o WHERE o.uscc = :orgCode)`, { orgCode: key });
      } else {
        qb.andWhere(`p.organisation_id IN (SELECT n.organisation_id FROM organisation_name n WHERE n.name_norm LIKE :orgName)`, {
          orgName: `%${escapeLike(normaliseName(filter.organisation))}%`,
        });
      }
    }
    if (filter.leader) qb.andWhere(`p.leader_id IN (SELECT id FROM person WHERE name_norm = :leader)`, { leader: normaliseName(filter.leader) });
    if (filter.departmentIds?.length) qb.andWhere('p.department_id IN (:...depts)', { depts: filter.departmentIds });
    if (filter.fundIds?.length) qb.andWhere('p.fund_id IN (:...funds)', { funds: filter.fundIds });
    if (filter.subFundIds?.length) qb.andWhere('p.sub_fund_id IN (:...subs)', { subs: filter.subFundIds });
    if (filter.categoryCodes?.length) qb.andWhere('p.category_code IN (:...cats)', { cats: filter.categoryCodes });
    if (filter.catalogItemCodes?.length) qb.andWhere('p.catalog_item_code IN (:...items)', { items: filter.catalogItemCodes });
    if (filter.years?.length) qb.andWhere('p.year IN (:...years)', { years: filter.years });
    if (filter.statuses?.length) qb.andWhere('p.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.amountMinFen !== undefined) qb.andWhere('COALESCE(p.approved_fen, p.requested_fen) >= :amin', { amin: filter.amountMinFen.toString() });
    if (filter.amountMaxFen !== undefined) qb.andWhere('COALESCE(p.approved_fen, p.requested_fen) <= :amax', { amax: filter.amountMaxFen.toString() });
    let totalCount: number | null = null;
    if (withCount) {
      const [sql, params] = qb.clone().select('1').limit(COUNT_CAP + 1).getQueryAndParameters();
      const [row] = (await this.ds.query(`SELECT count(*)::int AS n FROM (${sql}) AS matching`, params)) as { n: number }[];
      totalCount = Math.min(row!.n, COUNT_CAP);
      if (row!.n > COUNT_CAP) return { ...(await this.page(qb, first, afterCode)), totalCount, countExact: false };
    }
    return { ...(await this.page(qb, first, afterCode)), totalCount, countExact: true };
  }

  private async page(qb: ReturnType<Repository<ProjectEntity>['createQueryBuilder']>, first: number, afterCode?: string): Promise<{ rows: ProjectRow[]; hasNext: boolean }> {
    if (afterCode) qb.andWhere('p.code > :after', { after: afterCode });
    const rows = await qb.orderBy('p.code', 'ASC').limit(first + 1).getMany();
    return { rows: rows.slice(0, first), hasNext: rows.length > first };
  }
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Projects a department's record could be: same department and year, same organisation, same normalised title. */
export async function findRecordCandidates(
  em: EntityManager,
  q: { departmentId: string; year: number; titleNorm: string; organisationIds: string[] },
): Promise<string[]> {
  if (q.organisationIds.length === 0) return [];
  const rows = (await em.query(
    `SELECT code FROM project WHERE department_id = $1 AND year = $2 AND title_norm = $3 AND organisation_id = ANY($4::uuid[]) ORDER BY code LIMIT 10`,
    [q.departmentId, q.year, q.titleNorm, q.organisationIds],
  )) as { code: string }[];
  return rows.map((r) => r.code);
}
