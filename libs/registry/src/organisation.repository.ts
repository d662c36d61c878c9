import { randomUUID } from 'node:crypto';
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

  /** Serialise creation of organisations of the same name (organisations without a code). */
  async lockName(em: EntityManager, name: string): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock(hashtext('organisation:' || $1))`, [normaliseName(name)]);
  }

  /** Insert unless the code exists; returns the organisation's id and whether it is new. */
  async insertOrGet(em: EntityManager, o: { uscc: string | null; usccStatus: 'valid' | 'unverified' | null; name: string }, at: Date): Promise<{ id: string; created: boolean }> {
    const id = randomUUID();
    const inserted = (await em.query(
      `INSERT INTO organisation (id, uscc, uscc_status, name, name_norm, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)
       ON CONFLICT (uscc) DO NOTHING RETURNING id`,
      [id, o.uscc, o.usccStatus, o.name.trim(), normaliseName(o.name), at],
    )) as { id: string }[];
    if (inserted.length) return { id, created: true };
    const [row] = (await em.query(`SELECT id FROM organisation WHERE uscc = $1`, [o.uscc])) as { id: string }[];
    return { id: row!.id, created: false };
  }

  /** Record a name the organisation was registered under; false when it was known already. */
  async addName(em: EntityManager, organisationId: string, name: string, departmentId: string | null, at: Date): Promise<boolean> {
    const rows = (await em.query(
      `INSERT INTO organisation_name (organisation_id, name, name_norm, department_id, first_seen_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (organisation_id, name_norm) DO NOTHING RETURNING name`,
      [organisationId, name.trim(), normaliseName(name), departmentId, at],
    )) as unknown[];
    return rows.length > 0;
  }

  async lockById(em: EntityManager, id: string): Promise<OrganisationEntity | null> {
    return em.getRepository(OrganisationEntity).createQueryBuilder('o').setLock('pessimistic_write').where('o.id = :id', { id }).getOne();
  }

  async rename(em: EntityManager, id: string, name: string, at: Date): Promise<void> {
    await em.getRepository(OrganisationEntity).update({ id }, { name: name.trim(), nameNorm: normaliseName(name), updatedAt: at });
  }

  async setUscc(em: EntityManager, id: string, uscc: string, status: 'valid' | 'unverified', at: Date): Promise<void> {
    await em.getRepository(OrganisationEntity).update({ id }, { uscc, usccStatus: status, updatedAt: at });
  }

  // Persons (project leaders)

  async personByIdNumber(em: EntityManager, idNumber: string): Promise<Person | null> {
    const r = await em.getRepository(PersonEntity).findOneBy({ idNumber });
    return r ? { id: r.id, name: r.name, idNumber: r.idNumber } : null;
  }

  /** A person of this name who already led a project of this organisation, if exactly one. */
  async personLeadingFor(em: EntityManager, name: string, organisationId: string): Promise<Person | null> {
    const rows = (await em.query(
      `SELECT DISTINCT p.id, p.name, p.id_number FROM person p JOIN project pr ON pr.leader_id = p.id
        WHERE p.name_norm = $1 AND pr.organisation_id = $2 LIMIT 2`,
      [normaliseName(name), organisationId],
    )) as { id: string; name: string; id_number: string | null }[];
    return rows.length === 1 ? { id: rows[0]!.id, name: rows[0]!.name, idNumber: rows[0]!.id_number } : null;
  }

  async insertPerson(em: EntityManager, p: { name: string; idNumber: string | null }): Promise<Person> {
    const id = randomUUID();
    const rows = (await em.query(
      `INSERT INTO person (id, name, name_norm, id_number) VALUES ($1, $2, $3, $4) ON CONFLICT (id_number) DO NOTHING RETURNING id`,
      [id, p.name.trim(), normaliseName(p.name), p.idNumber],
    )) as unknown[];
    if (rows.length) return { id, name: p.name.trim(), idNumber: p.idNumber };
    return (await this.personByIdNumber(em, p.idNumber!))!;
  }

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
