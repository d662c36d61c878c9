/**
 * Dishonesty records (失信行为记录) and what they mean (DOMAIN §6; 000 §五(六); 001; 003 第十八条).
 * The lists are fixed and documented: a department picks from them, never writes its own.
 */
export const BEHAVIOURS = {
  FALSE_APPLICATION: { zh: '虚假申报', en: 'false application' },
  DUPLICATE_APPLICATION: { zh: '重复申报', en: 'duplicate application' },
  MISUSE_OF_FUNDS: { zh: '截留、挪用、违规使用资金', en: 'misuse of funds' },
  DATA_FABRICATION: { zh: '数据造假', en: 'data fabrication' },
  PLAGIARISM: { zh: '抄袭、剽窃', en: 'plagiarism' },
  TAX_VIOLATION: { zh: '税收违法', en: 'tax violation' },
  ACCEPTANCE_FAILED_NOT_DILIGENT: { zh: '验收不通过且未勤勉尽责', en: 'acceptance failed without diligence' },
  REFUSED_INSPECTION: { zh: '拒不接受监督检查', en: 'refusal of inspection' },
  OTHER_VIOLATION: { zh: '其他违法违规行为', en: 'other violation of law or rules' },
} as const;
export type Behaviour = keyof typeof BEHAVIOURS;

export const MEASURES = {
  NO_LINKAGE_APPLICATIONS: { zh: '限制申报联动专项资金', en: 'no applications to linkage funds' },
  FUNDING_SUSPENDED: { zh: '暂停拨付资金', en: 'payments suspended' },
  FUNDS_RECOVERED: { zh: '追回已拨资金', en: 'funds recovered' },
  PUBLIC_NOTICE: { zh: '公开通报', en: 'public notice' },
} as const;
export type Measure = keyof typeof MEASURES;

export type Severity = 'general' | 'serious';
export type Visibility = 'internal' | 'public';
export type CreditStatus = 'active' | 'expired' | 'revoked' | 'repaired' | 'under_objection';

export interface EvidenceRef {
  name: string;
  /** Where the file is kept: a document system's reference, a URL. */
  ref: string;
}

export interface CreditRecord {
  id: string;
  organisationUscc: string | null;
  organisationName: string | null;
  personName: string | null;
  personIdNumber: string | null;
  projectId: string | null;
  behaviour: Behaviour;
  severity: Severity;
  departmentId: string;
  decisionNumber: string;
  decisionDate: string;
  legalBasis: string;
  effectiveDate: string;
  restrictionMonths: number | null;
  indefinite: boolean;
  measures: Measure[];
  visibility: Visibility;
  evidence: EvidenceRef[];
  /** As stored; `effectiveStatus` also turns an active record past its end into expired. */
  status: CreditStatus;
  statusNote: string;
  repair: { decisionNumber: string; decisionDate: string } | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface CreditRecordInput {
  organisation?: { uscc?: string | null; name?: string | null } | null;
  person?: { name: string; idNumber?: string | null } | null;
  /** The project the behaviour concerns (unified code), when there is one. */
  projectCode?: string | null;
  behaviour: string;
  severity: string;
  decisionNumber: string;
  decisionDate: string;
  legalBasis: string;
  effectiveDate: string;
  /** Months of restriction; or `indefinite: true`. */
  restrictionMonths?: number | null;
  indefinite?: boolean;
  measures: string[];
  visibility?: string;
  evidence?: EvidenceRef[];
}

export type CreditOutcome = 'pass' | 'warn' | 'block';

/** One record or rule behind a check's outcome. */
export interface CreditFinding {
  outcome: Exclude<CreditOutcome, 'pass'>;
  recordId: string | null;
  /** How the record was found: credit code, name, name variant, person (with id number / organisation / name only). */
  matchedBy: string | null;
  rule: string;
  detail: string;
}

export interface CreditCheckResult {
  outcome: CreditOutcome;
  asOf: string;
  findings: CreditFinding[];
}

export interface CreditReview extends CreditCheckResult {
  id: string;
  projectId: string;
  at: Date;
  trigger: string;
  departmentId: string | null;
  override: { departmentId: string; reason: string; at: Date } | null;
}
