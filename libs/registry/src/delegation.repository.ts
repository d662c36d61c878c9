import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

export interface Delegation {
  id: string;
  agencyDepartmentId: string;
  principalDepartmentId: string;
  validFrom: string;
  validUntil: string | null;
  revokedAt: Date | null;
}

interface Row {
  id: string;
  agency_department_id: string;
  principal_department_id: string;
  valid_from: string;
  valid_until: string | null;
  revoked_at: Date | null;
}

const toDelegation = (r: Row): Delegation => ({
  id: r.id,
  agencyDepartmentId: r.agency_department_id,
  principalDepartmentId: r.principal_department_id,
  validFrom: r.valid_from,
  validUntil: r.valid_until,
  revokedAt: r.revoked_at,
});

/** The only place delegation is queried. */
@Injectable()
export class DelegationRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async insert(d: Omit<Delegation, 'id' | 'revokedAt'>): Promise<Delegation> {
    const id = randomUUID();
    await this.ds.query(
      `INSERT INTO delegation (id, agency_department_id, principal_department_id, valid_from, valid_until) VALUES ($1, $2, $3, $4, $5)`,
      [id, d.agencyDepartmentId, d.principalDepartmentId, d.validFrom, d.validUntil],
    );
    return { ...d, id, revokedAt: null };
  }

  async revoke(agencyDepartmentId: string, principalDepartmentId: string, at: Date): Promise<number> {
    const [, count] = (await this.ds.query(
      `UPDATE delegation SET revoked_at = $3 WHERE agency_department_id = $1 AND principal_department_id = $2 AND revoked_at IS NULL`,
      [agencyDepartmentId, principalDepartmentId, at],
    )) as [unknown, number];
    return count;
  }

  /** Whether the agency may act for the department on `day` (YYYY-MM-DD). */
  async active(agencyDepartmentId: string, principalDepartmentId: string, day: string, em: EntityManager = this.ds.manager): Promise<boolean> {
    const rows = (await em.query(
      `SELECT 1 FROM delegation WHERE agency_department_id = $1 AND principal_department_id = $2 AND revoked_at IS NULL
         AND valid_from <= $3::date AND (valid_until IS NULL OR valid_until >= $3::date) LIMIT 1`,
      [agencyDepartmentId, principalDepartmentId, day],
    )) as unknown[];
    return rows.length > 0;
  }

  async list(): Promise<Delegation[]> {
    const rows = (await this.ds.query(`SELECT id, agency_department_id, principal_department_id, to_char(valid_from, 'YYYY-MM-DD') AS valid_from, to_char(valid_until, 'YYYY-MM-DD') AS valid_until, revoked_at FROM delegation ORDER BY created_at`)) as Row[];
    return rows.map(toDelegation);
  }
}
