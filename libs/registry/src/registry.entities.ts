import { Column, Entity, PrimaryColumn } from 'typeorm';

const bigintFen = {
  to: (v: bigint | null | undefined) => (v === null || v === undefined ? v : v.toString()),
  from: (v: string | null) => (v === null ? null : BigInt(v)),
};

@Entity('organisation')
export class OrganisationEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('char', { length: 18, nullable: true }) uscc!: string | null;
  @Column('text', { name: 'uscc_status', nullable: true }) usccStatus!: 'valid' | 'unverified' | null;
  @Column('text') name!: string;
  @Column('text', { name: 'name_norm' }) nameNorm!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity('organisation_name')
export class OrganisationNameEntity {
  @PrimaryColumn('uuid', { name: 'organisation_id' }) organisationId!: string;
  @PrimaryColumn('text', { name: 'name_norm' }) nameNorm!: string;
  @Column('text') name!: string;
  @Column('uuid', { name: 'department_id', nullable: true }) departmentId!: string | null;
  @Column('timestamptz', { name: 'first_seen_at' }) firstSeenAt!: Date;
}

@Entity('person')
export class PersonEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text', { name: 'name_norm' }) nameNorm!: string;
  @Column('text', { name: 'id_number', nullable: true }) idNumber!: string | null;
}

@Entity('project')
export class ProjectEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('char', { length: 24 }) code!: string;
  @Column('uuid', { name: 'department_id' }) departmentId!: string;
  @Column('uuid', { name: 'fund_id' }) fundId!: string;
  @Column('uuid', { name: 'sub_fund_id', nullable: true }) subFundId!: string | null;
  @Column('text', { name: 'category_code', nullable: true }) categoryCode!: string | null;
  @Column('text', { name: 'support_method_code', nullable: true }) supportMethodCode!: string | null;
  @Column('text', { name: 'catalog_item_code', nullable: true }) catalogItemCode!: string | null;
  @Column('int') year!: number;
  @Column('text') title!: string;
  @Column('text', { name: 'title_norm' }) titleNorm!: string;
  @Column('text') summary!: string;
  @Column('text', { array: true }) keywords!: string[];
  @Column('uuid', { name: 'organisation_id' }) organisationId!: string;
  @Column('uuid', { name: 'leader_id', nullable: true }) leaderId!: string | null;
  @Column('bigint', { name: 'requested_fen', nullable: true, transformer: bigintFen }) requestedFen!: bigint | null;
  @Column('bigint', { name: 'approved_fen', nullable: true, transformer: bigintFen }) approvedFen!: bigint | null;
  @Column('bigint', { name: 'self_raised_fen', nullable: true, transformer: bigintFen }) selfRaisedFen!: bigint | null;
  @Column('bigint', { name: 'total_investment_fen', nullable: true, transformer: bigintFen }) totalInvestmentFen!: bigint | null;
  @Column('date', { name: 'planned_start', nullable: true }) plannedStart!: string | null;
  @Column('date', { name: 'planned_end', nullable: true }) plannedEnd!: string | null;
  @Column('int', { name: 'extension_months', nullable: true }) extensionMonths!: number | null;
  @Column('text') status!: string;
  @Column('jsonb') attributes!: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- TypeORM's partial type needs it
  @Column('int') version!: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

@Entity('project_local_id')
export class ProjectLocalIdEntity {
  @PrimaryColumn('uuid', { name: 'department_id' }) departmentId!: string;
  @PrimaryColumn('text', { name: 'local_id' }) localId!: string;
  @Column('uuid', { name: 'project_id' }) projectId!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

export const REGISTRY_ENTITIES = [OrganisationEntity, OrganisationNameEntity, PersonEntity, ProjectEntity, ProjectLocalIdEntity];
