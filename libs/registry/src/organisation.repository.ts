import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { OrganisationEntity, OrganisationNameEntity, PersonEntity } from './registry.entities.js';
import { normaliseName } from './names.js';

export interface Organisation {
  id: string;
  uscc: string | null;
  usccStatus: 'valid' | 'unverified' | null;
  name: string;
  names: { name: string; departmentId: string | null; firstSeenAt: Date }[];
  createdAt: Date;
  updatedAt: Date;
}

export interface Person {
  id: string;
  name: string;
  idNumber: string | null;
}

/** The only place organisation, organisation_name and person are queried. */
@Injectable()
export class OrganisationRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async byUscc(uscc: string, em: EntityManager = this.ds.manager): Promise<Organisation | null> {
    const row = await em.getRepository(OrganisationEntity).findOneBy({ uscc });
    return row ? (await this.withNames([row], em))[0]! : null;
  }

  async byIds(ids: string[], em: EntityManager = this.ds.manager): Promise<Map<string, Organisation>> {
    if (ids.length === 0) return new Map();
    const rows = await em.getRepository(OrganisationEntity).findBy({ id: In([...new Set(ids)]) });
    return new Map((await this.withNames(rows, em)).map((o) => [o.id, o]));
  }

  /** Organisations that are, or were, registered under this name (normalised). */
  async byName(name: string, em: EntityManager = this.ds.manager): Promise<Organisation[]> {
    const ids = (await em.query(`SELECT DISTINCT organisation_id FROM organisation_name WHERE name_norm = $1`, [normaliseName(name)])) as { organisation_id: string }[];
    return [...(await this.byIds(ids.map((r) => r.organisation_id), em)).values()];
  }




  async lockById(em: EntityManager, id: string): Promise<OrganisationEntity | null> {
    return em.getRepository(OrganisationEntity).createQueryBuilder('o').setLock('pessimistic_write').where('o.id = :id', { id }).getOne();
  }

  async rename(em: EntityManager, id: string, name: string, at: Date): Promise<void> {
    await em.getRepository(OrganisationEntity).update({ id }, { name: name.trim(), nameNorm: normaliseName(name), updatedAt: at });
  }



  // Set-based reads and writes for registering many projects at once

  /** Serialise work on these names with any other registration naming them (sorted: no deadlocks). */
  async lockNames(em: EntityManager, names: string[]): Promise<void> {
    const norms = [...new Set(names.map(normaliseName))];
    if (!norms.length) return;
    await em.query(`SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtext('organisation:' || n) AS h FROM unnest($1::text[]) AS n ORDER BY 1) AS locks`, [norms]);
  }

  async idsByUscc(em: EntityManager, codes: string[]): Promise<Map<string, string>> {
    if (!codes.length) return new Map();
    const rows = (await em.query(`SELECT id, uscc FROM organisation WHERE uscc = ANY($1::char(18)[])`, [codes])) as { id: string; uscc: string }[];
    return new Map(rows.map((r) => [r.uscc.trim(), r.id]));
  }

  /** For each normalised name, the organisations registered under it (and whether each has a code). */
  async byNames(em: EntityManager, names: string[]): Promise<Map<string, { id: string; uscc: string | null }[]>> {
    const norms = [...new Set(names.map(normaliseName))];
    const out = new Map<string, { id: string; uscc: string | null }[]>();
    if (!norms.length) return out;
    const rows = (await em.query(
      `SELECT n.name_norm, o.id, o.uscc FROM organisation_name n JOIN organisation o ON o.id = n.organisation_id WHERE n.name_norm = ANY($1::text[]) ORDER BY o.created_at, o.id`,
      [norms],
    )) as { name_norm: string; id: string; uscc: string | null }[];
    for (const r of rows) out.set(r.name_norm, [...(out.get(r.name_norm) ?? []), { id: r.id, uscc: r.uscc?.trim() ?? null }]);
    return out;
  }

  async namesOf(em: EntityManager, ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = (await em.query(`SELECT organisation_id, name_norm FROM organisation_name WHERE organisation_id = ANY($1::uuid[])`, [ids])) as { organisation_id: string; name_norm: string }[];
    return new Set(rows.map((r) => `${r.organisation_id}|${r.name_norm}`));
  }

  /** Insert new organisations; false when another registration took one of their codes first. */
  async insertMany(em: EntityManager, orgs: { id: string; uscc: string | null; usccStatus: string | null; name: string }[], at: Date): Promise<boolean> {
    if (!orgs.length) return true;
    const rows = (await em.query(
      `INSERT INTO organisation (id, uscc, uscc_status, name, name_norm, created_at, updated_at)
       SELECT id, uscc, st, name, norm, $5, $5 FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $6::text[]) AS t(id, uscc, st, name, norm)
       ON CONFLICT (uscc) DO NOTHING RETURNING id`,
      [orgs.map((o) => o.id), orgs.map((o) => o.uscc), orgs.map((o) => o.usccStatus), orgs.map((o) => o.name.trim()), at, orgs.map((o) => normaliseName(o.name))],
    )) as unknown[];
    return rows.length === orgs.length;
  }

  async setUsccMany(em: EntityManager, rows: { id: string; uscc: string; status: string }[], at: Date): Promise<boolean> {
    if (!rows.length) return true;
    const res = (await em.query(
      `UPDATE organisation o SET uscc = t.uscc, uscc_status = t.st, updated_at = $4 FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(id, uscc, st)
        WHERE o.id = t.id AND o.uscc IS NULL AND NOT EXISTS (SELECT 1 FROM organisation x WHERE x.uscc = t.uscc) RETURNING o.id`,
      [rows.map((r) => r.id), rows.map((r) => r.uscc), rows.map((r) => r.status), at],
    )) as [unknown[], number] | unknown[];
    const updated = Array.isArray(res[0]) ? (res[0] as unknown[]) : (res as unknown[]);
    return updated.length === rows.length;
  }

  async addNames(em: EntityManager, rows: { organisationId: string; name: string; departmentId: string | null }[], at: Date): Promise<void> {
    if (!rows.length) return;
    await em.query(
      `INSERT INTO organisation_name (organisation_id, name, name_norm, department_id, first_seen_at)
       SELECT * , $5::timestamptz FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[]) ON CONFLICT (organisation_id, name_norm) DO NOTHING`,
      [rows.map((r) => r.organisationId), rows.map((r) => r.name.trim()), rows.map((r) => normaliseName(r.name)), rows.map((r) => r.departmentId), at],
    );
  }

  async personIdsByIdNumber(em: EntityManager, idNumbers: string[]): Promise<Map<string, string>> {
    if (!idNumbers.length) return new Map();
    const rows = (await em.query(`SELECT id, id_number FROM person WHERE id_number = ANY($1::text[])`, [idNumbers])) as { id: string; id_number: string }[];
    return new Map(rows.map((r) => [r.id_number, r.id]));
  }

  /** For (name, organisation) pairs: the people of that name who led a project of that organisation. */
  async leadersFor(em: EntityManager, pairs: { name: string; organisationId: string }[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (!pairs.length) return out;
    const rows = (await em.query(
      `SELECT DISTINCT p.name_norm, pr.organisation_id, p.id FROM person p JOIN project pr ON pr.leader_id = p.id
        WHERE (p.name_norm, pr.organisation_id) IN (SELECT * FROM unnest($1::text[], $2::uuid[]))`,
      [pairs.map((p) => normaliseName(p.name)), pairs.map((p) => p.organisationId)],
    )) as { name_norm: string; organisation_id: string; id: string }[];
    for (const r of rows) {
      const k = `${r.name_norm}|${r.organisation_id}`;
      out.set(k, [...(out.get(k) ?? []), r.id]);
    }
    return out;
  }

  /** Insert people; those whose ID number was taken meanwhile come back as the existing person. */
  async insertPersons(em: EntityManager, people: { id: string; name: string; idNumber: string | null }[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>(people.map((p) => [p.id, p.id]));
    if (!people.length) return ids;
    const inserted = (await em.query(
      `INSERT INTO person (id, name, name_norm, id_number) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) ON CONFLICT (id_number) DO NOTHING RETURNING id`,
      [people.map((p) => p.id), people.map((p) => p.name.trim()), people.map((p) => normaliseName(p.name)), people.map((p) => p.idNumber)],
    )) as { id: string }[];
    if (inserted.length < people.length) {
      const got = new Set(inserted.map((r) => r.id));
      const byNumber = await this.personIdsByIdNumber(em, people.filter((p) => !got.has(p.id) && p.idNumber).map((p) => p.idNumber!));
      for (const p of people) if (!got.has(p.id) && p.idNumber) ids.set(p.id, byNumber.get(p.idNumber)!);
    }
    return ids;
  }

  // Persons (project leaders)






  async personsByIds(ids: string[], em: EntityManager = this.ds.manager): Promise<Map<string, Person>> {
    if (ids.length === 0) return new Map();
    const rows = await em.getRepository(PersonEntity).findBy({ id: In([...new Set(ids)]) });
    return new Map(rows.map((r) => [r.id, { id: r.id, name: r.name, idNumber: r.idNumber }]));
  }

  private async withNames(rows: OrganisationEntity[], em: EntityManager): Promise<Organisation[]> {
    if (rows.length === 0) return [];
    const names = await em.getRepository(OrganisationNameEntity).find({ where: { organisationId: In(rows.map((r) => r.id)) }, order: { firstSeenAt: 'ASC' } });
    return rows.map((r) => ({
      id: r.id,
      uscc: r.uscc,
      usccStatus: r.usccStatus,
      name: r.name,
      names: names.filter((n) => n.organisationId === r.id).map((n) => ({ name: n.name, departmentId: n.departmentId, firstSeenAt: n.firstSeenAt })),
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    }));
  }
}
