import type { Organisation, Person } from './organisation.repository.js';
import type { ProjectStatus } from './lifecycle.js';

/** Who is acting: a department's key (resolved by the gateway, or given by an import job). */
/** A payment made to a project (拨付). */
export interface Payment {
  stage: string;
  amountFen: bigint;
  paidOn: string;
  reason: string;
}

export interface Caller {
  departmentId: string;
  departmentCode: string;
  role: 'STAFF' | 'LEADING' | 'INFORMATION_CENTER' | 'READER';
  apiKeyId: string | null;
}

export interface OrganisationInput {
  /** 统一社会信用代码; optional, but without it the organisation is matched by name only. */
  uscc?: string | null;
  name: string;
  /** Store a well-formed code whose check character fails, marked unverified. */
  allowUnverifiedUscc?: boolean;
}

export interface LeaderInput {
  name: string;
  idNumber?: string | null;
}

/** Amounts are decimal strings in yuan ("1234567.89"); dates are YYYY-MM-DD. */
export interface ProjectFieldsInput {
  subFund?: string | null;
  categoryCode?: string | null;
  supportMethodCode?: string | null;
  catalogItemCode?: string | null;
  title?: string;
  summary?: string | null;
  keywords?: string[] | null;
  leader?: LeaderInput | null;
  requestedYuan?: string | null;
  approvedYuan?: string | null;
  selfRaisedYuan?: string | null;
  totalInvestmentYuan?: string | null;
  plannedStart?: string | null;
  plannedEnd?: string | null;
  attributes?: Record<string, unknown> | null;
}

export interface RegisterProjectInput extends ProjectFieldsInput {
  /** The owning department; defaults to the caller's. Only the information center registers for others. */
  department?: string | null;
  fund: string;
  year: number;
  title: string;
  organisation: OrganisationInput;
  localId?: string | null;
  status?: ProjectStatus | null;
}

export interface ProjectView {
  id: string;
  code: string;
  departmentId: string;
  fundId: string;
  subFundId: string | null;
  categoryCode: string | null;
  supportMethodCode: string | null;
  catalogItemCode: string | null;
  year: number;
  title: string;
  summary: string;
  keywords: string[];
  organisation: Organisation;
  leader: Person | null;
  requestedFen: bigint | null;
  approvedFen: bigint | null;
  selfRaisedFen: bigint | null;
  totalInvestmentFen: bigint | null;
  plannedStart: string | null;
  plannedEnd: string | null;
  extensionMonths: number | null;
  status: ProjectStatus;
  attributes: Record<string, unknown>;
  localIds: { departmentId: string; localId: string }[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A department's own record, to be linked to the project it describes. */
export interface DepartmentRecordInput {
  department?: string | null;
  localId: string;
  title: string;
  year: number;
  organisation: { uscc?: string | null; name?: string | null };
}

export interface LinkRecordResult {
  linked: boolean;
  project: ProjectView | null;
  /** Why it was not linked: no project matched, or several did. */
  reason: 'NO_MATCH' | 'AMBIGUOUS' | null;
  /** Codes of the matching projects. */
  candidates: string[];
}
