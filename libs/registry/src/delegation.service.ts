import { Injectable } from '@nestjs/common';
import { ReferenceService, type Department } from '#reference';
import { Clock, NotFoundError, ValidationError } from '#shared/core/index.js';
import { DelegationRepository, type Delegation } from './delegation.repository.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Third-party agencies (第三方专业机构) managing projects on a department's behalf (000 §五(三)). */
@Injectable()
export class DelegationService {
  constructor(
    private readonly repo: DelegationRepository,
    private readonly reference: ReferenceService,
    private readonly clock: Clock,
  ) {}

  async grant(input: { agency: string; department: string; from?: string; until?: string }): Promise<Delegation & { agencyCode: string; departmentCode: string }> {
    const agency = await this.department('agency', input.agency);
    const principal = await this.department('department', input.department);
    if (agency.linkageRole !== 'AGENCY') throw ValidationError.field('agency', `${agency.code} is not a third-party agency (its role is ${agency.linkageRole})`);
    if (principal.linkageRole === 'AGENCY') throw ValidationError.field('department', `${principal.code} is itself an agency`);
    const from = input.from ?? this.clock.now().toISOString().slice(0, 10);
    for (const [field, v] of [['from', from], ['until', input.until]] as const) {
      if (v !== undefined && (!DATE.test(v) || Number.isNaN(Date.parse(v)))) throw ValidationError.field(field, `"${v}" is not a date (YYYY-MM-DD)`);
    }
    if (input.until && input.until < from) throw ValidationError.field('until', `${input.until} is before ${from}`);
    const d = await this.repo.insert({ agencyDepartmentId: agency.id, principalDepartmentId: principal.id, validFrom: from, validUntil: input.until ?? null });
    return { ...d, agencyCode: agency.code, departmentCode: principal.code };
  }

  async revoke(input: { agency: string; department: string }): Promise<number> {
    const agency = await this.department('agency', input.agency);
    const principal = await this.department('department', input.department);
    const n = await this.repo.revoke(agency.id, principal.id, this.clock.now());
    if (n === 0) throw new NotFoundError('active delegation', `${agency.code} → ${principal.code}`);
    return n;
  }

  list(): Promise<Delegation[]> {
    return this.repo.list();
  }

  private async department(field: string, key: string): Promise<Department> {
    if (!key?.trim()) throw ValidationError.field(field, 'is required');
    return this.reference.requireDepartment(field, key);
  }
}
