import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { normalisePersonName, splitOrganisationName } from '#dedup';
import { maskIdNumber, normalProjectCode, validateUscc } from '#encoding';
import { diff, HistoryRepository, lockProjects, SYSTEM_ACTOR, type Actor } from '#history';
import { namesFund, ReferenceService } from '#reference';
import { Clock, DomainError, ErrorCode, ForbiddenError, NotFoundError, requireUuid, ValidationError, type FieldProblem } from '#shared/core/index.js';
import {
  BEHAVIOURS,
  MEASURES,
  type Behaviour,
  type CreditCheckResult,
  type CreditFinding,
  type CreditOutcome,
  type CreditRecord,
  type CreditRecordInput,
  type CreditReview,
  type CreditStatus,
  type EvidenceRef,
  type Measure,
} from './credit.types.js';

/** Who acts: a department's key as the gateway or the CLI resolved it. */
export interface CreditCaller {
  departmentId: string;
  departmentCode: string;
  role: 'STAFF' | 'LEADING' | 'INFORMATION_CENTER' | 'READER';
  apiKeyId: string | null;
}

/** Who reads: a linkage department sees every internal record; the public only published ones, masked. */
export type CreditViewer = { kind: 'department' } | { kind: 'public' };

export interface CreditRecordFilter {
  organisation?: string;
  person?: string;
  department?: string;
  status?: CreditStatus[];
  behaviour?: string;
}

/** A fund's credit rule, as data on the fund (Minhang, 001: no tax or other violations in the two years before the deadline). */
interface FundCreditRule {
  /** Years before the application deadline in which any violation makes the applicant ineligible. */
  noViolationYears?: number;
}

/** Project statuses before approval: an application the daily re-check still looks at. */
/** Applications not yet decided (before 立项 or rejection): the ones credit reviews keep watching. */
export const OPEN_APPLICATION_STATUSES = ['DRAFT', 'ACCEPTED', 'PRELIMINARY_CHECK', 'EXPERT_REVIEW', 'CONSULTATION'];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

interface RecordRow {
  id: string;
  organisation_uscc: string | null;
  organisation_name: string | null;
  organisation_normal: string | null;
  organisation_core: string | null;
  person_name: string | null;
  person_normal: string | null;
  person_id_number: string | null;
  project_id: string | null;
  behaviour: Behaviour;
  severity: 'general' | 'serious';
  department_id: string;
  decision_number: string;
  decision_date: string;
  legal_basis: string;
  effective_date: string;
  restriction_months: number | null;
  indefinite: boolean;
  measures: Measure[];
  visibility: 'internal' | 'public';
  evidence: EvidenceRef[];
  status: CreditStatus;
  status_note: string;
  repair: { decisionNumber: string; decisionDate: string } | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const RECORD_SQL = `SELECT *, to_char(decision_date, 'YYYY-MM-DD') AS decision_date, to_char(effective_date, 'YYYY-MM-DD') AS effective_date FROM credit_record`;

const toRecord = (r: RecordRow): CreditRecord => ({
  id: r.id,
  organisationUscc: r.organisation_uscc?.trim() ?? null,
  organisationName: r.organisation_name,
  personName: r.person_name,
  personIdNumber: r.person_id_number,
  projectId: r.project_id,
  behaviour: r.behaviour,
  severity: r.severity,
  departmentId: r.department_id,
  decisionNumber: r.decision_number,
  decisionDate: r.decision_date,
  legalBasis: r.legal_basis,
  effectiveDate: r.effective_date,
  restrictionMonths: r.restriction_months,
  indefinite: r.indefinite,
  measures: r.measures,
  visibility: r.visibility,
  evidence: r.evidence,
  status: r.status,
  statusNote: r.status_note,
  repair: r.repair,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The last day a record restricts: effective date plus its months (an indefinite record has none). */
export function restrictionEnd(r: Pick<CreditRecord, 'effectiveDate' | 'restrictionMonths' | 'indefinite'>): string | null {
  if (r.indefinite || r.restrictionMonths === null) return null;
  const [y, m, d] = r.effectiveDate.split('-').map(Number) as [number, number, number];
  const end = new Date(Date.UTC(y, m - 1 + r.restrictionMonths, d));
  // 2024-01-31 + 1 month ends on the last day of February, not in March.
  if (end.getUTCDate() !== d) end.setUTCDate(0);
  end.setUTCDate(end.getUTCDate() - 1);
  return end.toISOString().slice(0, 10);
}

/** A record's status on a day: an active record whose period has ended is expired, whether or not the daily job has written it yet. */
export function effectiveStatus(r: CreditRecord, asOf: string): CreditStatus {
  // Active and expired follow from the period, whether or not the daily job has written the expiry,
  // so that a check as of a past day (an application deadline) gives the same answer before and after.
  if (r.status !== 'active' && r.status !== 'expired') return r.status;
  const end = restrictionEnd(r);
  return end !== null && asOf > end ? 'expired' : 'active';
}

/** The same calendar day `years` earlier (29 February falls back to the 28th). */
function yearsBefore(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y - years, m - 1, d));
  if (t.getUTCMonth() !== m - 1) t.setUTCDate(0);
  return t.toISOString().slice(0, 10);
}

/** A person's name as the public sees it: the surname, the rest masked. */
export function maskPersonName(name: string): string {
  const chars = [...name.trim()];
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
}

interface Subject {
  uscc: string | null;
  organisation: string | null;
  leader: string | null;
  leaderIdNumber: string | null;
}

/**
 * Credit (DOMAIN §6; 000 §五(六), 001, 003 第十八条): dishonesty records found by one department and
 * shared with every linkage department, integrity commitments, and the credit review that looks up
 * records for an application's organisation and leader — under name variants too — applies its
 * fund's rules, and stores pass / warn / block on the project.
 */
@Injectable()
export class CreditService {
  private readonly log = new Logger('Credit');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly history: HistoryRepository,
    private readonly reference: ReferenceService,
    private readonly clock: Clock,
  ) {}

  today(): string {
    return this.clock.now().toISOString().slice(0, 10);
  }

  // ------------------------------------------------------------------ records

  async create(caller: CreditCaller, input: CreditRecordInput): Promise<CreditRecord> {
    this.mayWrite(caller);
    const v = await this.validate(input, true);
    const at = this.clock.now();
    const id = randomUUID();
    return this.ds.transaction(async (em) => {
      await assertNotExempt(em, v);
      await em.query(
        `INSERT INTO credit_record (id, organisation_uscc, organisation_name, organisation_normal, organisation_core, person_name, person_normal, person_id_number, project_id,
                                    behaviour, severity, department_id, decision_number, decision_date, legal_basis, effective_date, restriction_months, indefinite,
                                    measures, visibility, evidence, status, created_at, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,'active',$22,$22)`,
        [id, v.uscc, v.organisationName, v.organisationNormal, v.organisationCore, v.personName, v.personNormal, v.personIdNumber, v.projectId, v.behaviour, v.severity, caller.departmentId,
          v.decisionNumber, v.decisionDate, v.legalBasis, v.effectiveDate, v.restrictionMonths, v.indefinite, v.measures, v.visibility, JSON.stringify(v.evidence), at],
      );
      const record = (await this.getIn(em, id))!;
      await this.history.append(em, { entityType: 'credit_record', entityId: id, action: 'CREATED', changes: snapshot(record) }, this.actor(caller), at);
      return record;
    });
  }

  /** Correct a record's content (the deciding department, with a reason). */
  async revise(caller: CreditCaller, id: string, input: CreditRecordInput, reason: string): Promise<CreditRecord> {
    this.mayWrite(caller);
    const why = this.reasonOf(reason);
    const v = await this.validate(input, true);
    return this.change(caller, id, 'REVISED', why, async (em, before) => {
      if (before.status === 'revoked') throw new DomainError(ErrorCode.INVALID_TRANSITION, `credit record ${id} is revoked; it cannot be revised`, { current: before.status, allowed: [] });
      await assertNotExempt(em, v);
      await em.query(
        `UPDATE credit_record SET organisation_uscc = $2, organisation_name = $3, organisation_normal = $4, organisation_core = $5, person_name = $6, person_normal = $7,
                person_id_number = $8, project_id = $9, behaviour = $10, severity = $11, decision_number = $12, decision_date = $13, legal_basis = $14, effective_date = $15,
                restriction_months = $16, indefinite = $17, measures = $18, visibility = $19, evidence = $20, version = version + 1, updated_at = $21 WHERE id = $1`,
        [id, v.uscc, v.organisationName, v.organisationNormal, v.organisationCore, v.personName, v.personNormal, v.personIdNumber, v.projectId, v.behaviour, v.severity, v.decisionNumber,
          v.decisionDate, v.legalBasis, v.effectiveDate, v.restrictionMonths, v.indefinite, v.measures, v.visibility, JSON.stringify(v.evidence), this.clock.now()],
      );
    });
  }

  /** Withdraw a record (the decision was wrong or annulled). */
  async revoke(caller: CreditCaller, id: string, reason: string): Promise<CreditRecord> {
    const why = this.reasonOf(reason);
    return this.setStatus(caller, id, ['active', 'expired', 'under_objection', 'repaired'], 'revoked', 'REVOKED', why);
  }

  /** Credit repair (信用修复): the subject has corrected the behaviour; the repair decision is kept. */
  async repair(caller: CreditCaller, id: string, decision: { decisionNumber: string; decisionDate: string }, reason: string): Promise<CreditRecord> {
    const why = this.reasonOf(reason);
    const problems: FieldProblem[] = [];
    if (!decision?.decisionNumber?.trim()) problems.push({ field: 'decisionNumber', reason: 'the repair decision\'s document number is required' });
    if (!ISO_DATE.test(decision?.decisionDate ?? '')) problems.push({ field: 'decisionDate', reason: 'must be a date YYYY-MM-DD' });
    if (problems.length) throw new ValidationError(problems);
    return this.setStatus(caller, id, ['active', 'expired'], 'repaired', 'REPAIRED', why, { decisionNumber: decision.decisionNumber.trim(), decisionDate: decision.decisionDate });
  }

  /** An objection (异议) was filed against the record; it restricts no more than a warning until resolved. */
  async object(caller: CreditCaller, id: string, reason: string): Promise<CreditRecord> {
    const why = this.reasonOf(reason);
    // An expired record still counts under a fund's look-back rule, so it can be objected to as well.
    return this.setStatus(caller, id, ['active', 'expired'], 'under_objection', 'OBJECTED', why);
  }

  /** Resolve an objection: upheld revokes the record, rejected makes it active again. */
  async resolveObjection(caller: CreditCaller, id: string, upheld: boolean, reason: string): Promise<CreditRecord> {
    const why = this.reasonOf(reason);
    return this.setStatus(caller, id, ['under_objection'], upheld ? 'revoked' : 'active', upheld ? 'OBJECTION_UPHELD' : 'OBJECTION_REJECTED', why);
  }

  async get(viewer: CreditViewer, id: string): Promise<CreditRecord> {
    requireUuid('id', id, 'is not a credit record id');
    const r = await this.getIn(this.ds.manager, id);
    if (!r || (viewer.kind === 'public' && (r.visibility !== 'public' || effectiveStatus(r, this.today()) !== 'active'))) throw new NotFoundError('credit record', id);
    return viewer.kind === 'public' ? masked(r) : r;
  }

  async list(viewer: CreditViewer, filter: CreditRecordFilter, first = 50, offset = 0): Promise<{ items: CreditRecord[]; totalCount: number }> {
    if (!Number.isInteger(first) || first < 1 || first > 500) throw ValidationError.field('first', 'must be 1 to 500');
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => (params.push(v), `$${params.length}`);
    if (viewer.kind === 'public') {
      where.push(`visibility = 'public'`);
      // Without a key a name cannot be looked up: the masking would otherwise be undone by the filter.
      if (filter.person?.trim()) throw ValidationError.field('person', 'searching by a person\'s name needs a department key');
    }
    if (filter.organisation?.trim()) {
      const uscc = validateUscc(filter.organisation);
      if (uscc.ok) where.push(`organisation_uscc = ${p(uscc.code)}`);
      else where.push(`(organisation_normal = ${p(splitOrganisationName(filter.organisation).normal)} OR organisation_core = ${p(splitOrganisationName(filter.organisation).core)})`);
    }
    if (filter.person?.trim()) where.push(`person_normal = ${p(normalisePersonName(filter.person))}`);
    if (filter.department) {
      const d = await this.reference.requireDepartment('department', filter.department);
      where.push(`department_id = ${p(d.id)}`);
    }
    if (filter.behaviour) where.push(`behaviour = ${p(filter.behaviour)}`);
    const sql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    let rows = ((await this.ds.query(`${RECORD_SQL} ${sql} ORDER BY credit_record.decision_date DESC, credit_record.id`, params)) as RecordRow[]).map(toRecord);
    // Status by the day (an active record past its period reads as expired). The public sees records in force only.
    if (viewer.kind === 'public') rows = rows.filter((r) => effectiveStatus(r, this.today()) === 'active');
    if (filter.status?.length) rows = rows.filter((r) => filter.status!.includes(effectiveStatus(r, this.today())));
    const page = rows.slice(offset, offset + first).map((r) => (viewer.kind === 'public' ? masked(r) : r));
    return { items: page, totalCount: rows.length };
  }

  // ------------------------------------------------------------------ check and review

  /**
   * Look up records for an organisation and a leader and apply a fund's rules, as of a day.
   * Found by credit code, by name, by a name variant (same core and legal form, no conflicting
   * region) and, for a person, by name with the id number or the organisation. A variant or a
   * person known by name only never blocks by itself: it warns, for a reviewer to confirm.
   */
  async check(subject: { organisationUscc?: string | null; organisationName?: string | null; leader?: string | null; leaderIdNumber?: string | null; fund?: string | null; asOf?: string | null }): Promise<CreditCheckResult> {
    const problems: FieldProblem[] = [];
    let uscc: string | null = null;
    if (subject.organisationUscc?.trim()) {
      const u = validateUscc(subject.organisationUscc);
      if (u.ok) uscc = u.code;
      else problems.push({ field: 'organisationCode', reason: u.problems.map((x) => x.reason).join('; ') });
    }
    if (!uscc && !subject.organisationName?.trim() && !subject.leader?.trim()) problems.push({ field: 'organisationCode', reason: 'give an organisation (credit code or name) or a leader' });
    const asOf = subject.asOf ?? this.today();
    if (!ISO_DATE.test(asOf)) problems.push({ field: 'asOf', reason: 'must be a date YYYY-MM-DD' });
    let rule: FundCreditRule = {};
    if (subject.fund) {
      const fund = (await this.reference.snapshot()).funds.find((f) => namesFund(f, subject.fund!));
      if (!fund) problems.push({ field: 'fund', reason: `"${subject.fund}" is not a fund code or name` });
      else rule = (fund.rules.credit as FundCreditRule | undefined) ?? {};
    }
    if (problems.length) throw new ValidationError(problems);
    const records = await this.recordsFor([{ uscc, organisation: subject.organisationName ?? null, leader: subject.leader ?? null, leaderIdNumber: subject.leaderIdNumber ?? null }]);
    return this.judge({ uscc, organisation: subject.organisationName ?? null, leader: subject.leader ?? null, leaderIdNumber: subject.leaderIdNumber ?? null }, records, rule, asOf);
  }

  /**
   * Review projects (on registration, import, on demand, before approval, daily) and store each
   * result on its project. A project whose outcome changes gets a notice in its history.
   */
  async reviewProjects(projectIds: string[], trigger: string, caller: CreditCaller | null = null): Promise<CreditReview[]> {
    return (await this.review(projectIds, trigger, caller)).reviews;
  }

  /** The reviews, and each project's review before them (read once: the override carries over from it, and the daily job counts changes against it). */
  private async review(projectIds: string[], trigger: string, caller: CreditCaller | null): Promise<{ reviews: CreditReview[]; previous: Map<string, CreditReview> }> {
    if (projectIds.length === 0) return { reviews: [], previous: new Map() };
    const projects = (await this.ds.query(
      `SELECT p.id, p.code, o.uscc, o.name AS organisation, pe.name AS leader, pe.id_number, f.rules
         FROM project p JOIN organisation o ON o.id = p.organisation_id JOIN fund f ON f.id = p.fund_id
         LEFT JOIN person pe ON pe.id = p.leader_id WHERE p.id = ANY($1::uuid[])`,
      [projectIds],
    )) as { id: string; code: string; uscc: string | null; organisation: string; leader: string | null; id_number: string | null; rules: Record<string, unknown> }[];
    const subjects = projects.map((p) => ({ uscc: p.uscc?.trim() ?? null, organisation: p.organisation, leader: p.leader, leaderIdNumber: p.id_number }));
    const records = await this.recordsFor(subjects);
    const asOf = this.today();
    const at = this.clock.now();
    const previous = await this.latestReviews(projects.map((p) => p.id));
    const reviews: CreditReview[] = projects.map((p, n) => {
      const result = this.judge(subjects[n]!, records, (p.rules.credit as FundCreditRule | undefined) ?? {}, asOf);
      const before = previous.get(p.id);
      // A leading department's override holds while the same records block.
      const blocking = blockIds(result);
      const carried = before?.override && blocking.every((id) => blockIds(before).includes(id)) ? before.override : null;
      return { id: randomUUID(), projectId: p.id, at, trigger, departmentId: caller?.departmentId ?? null, override: result.outcome === 'block' ? carried : null, ...result };
    });
    await this.ds.transaction(async (em) => {
      // The projects' history chains are appended to: hold the projects, in id order, as every writer does.
      await lockProjects(em, reviews.map((r) => r.projectId));
      for (let start = 0; start < reviews.length; start += 5000) {
        const part = reviews.slice(start, start + 5000);
        await em.query(
          `INSERT INTO credit_review (id, project_id, at, as_of, trigger, outcome, findings, department_id, override_by, override_reason, override_at)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::date[], $5::text[], $6::text[], $7::jsonb[], $8::uuid[], $9::uuid[], $10::text[], $11::timestamptz[])`,
          [part.map((r) => r.id), part.map((r) => r.projectId), part.map((r) => r.at), part.map((r) => r.asOf), part.map((r) => r.trigger), part.map((r) => r.outcome),
            part.map((r) => JSON.stringify(r.findings)), part.map((r) => r.departmentId), part.map((r) => r.override?.departmentId ?? null), part.map((r) => r.override?.reason ?? null), part.map((r) => r.override?.at ?? null)],
        );
      }
      // The project's history notes a review that is not a pass, or that changes the standing.
      const notices = reviews.filter((r) => r.outcome !== 'pass' || (previous.get(r.projectId)?.outcome ?? 'pass') !== r.outcome);
      await this.history.appendMany(
        em,
        notices.map((r) => ({
          input: {
            entityType: 'project' as const,
            entityId: r.projectId,
            action: 'CREDIT_REVIEWED',
            reason: trigger,
            changes: { credit: { before: previous.get(r.projectId)?.outcome ?? null, after: r.outcome }, findings: r.findings.map((f) => `${f.outcome}: ${f.detail}`) },
          },
          actor: caller ? this.actor(caller) : SYSTEM_ACTOR,
          at,
        })),
      );
    });
    return { reviews, previous };
  }

  /** A review asked for by a department (not a read-only key), stored on the project. */
  async reviewOnDemand(caller: CreditCaller, projectId: string): Promise<CreditReview> {
    this.mayWrite(caller);
    const [r] = await this.reviewProjects([projectId], 'on_demand', caller);
    return r!;
  }

  /** The review after a registration or import: it must not fail the registration that has committed. */
  async reviewQuietly(projectIds: string[], trigger: string, caller: CreditCaller | null): Promise<void> {
    try {
      await this.reviewProjects(projectIds, trigger, caller);
    } catch (err) {
      this.log.error(`credit review of ${projectIds.length} project(s) failed; run it again on demand: ${(err as Error).message}`);
    }
  }

  async latestReview(projectId: string): Promise<CreditReview | null> {
    return (await this.latestReviews([projectId])).get(projectId) ?? null;
  }

  /**
   * The gate before approval and before each payment: a fresh review; a block stops the step unless
   * the leading department overrode it (for the same records). Called by the registry.
   */
  async assertAllows(projectId: string, step: 'approval' | 'payment', caller: CreditCaller): Promise<void> {
    const [review] = await this.reviewProjects([projectId], step, caller);
    if (review!.outcome === 'block' && !review!.override) {
      throw new DomainError(
        ErrorCode.RULE_VIOLATION,
        `the credit review blocks ${step}: ${review!.findings.filter((f) => f.outcome === 'block').map((f) => f.detail).join('; ')}. The leading department may override it with a reason.`,
        { rule: 'CREDIT_BLOCK', findings: review!.findings },
      );
    }
  }

  /** The leading department lets a blocked project go on to approval, with a reason (recorded). */
  async override(caller: CreditCaller, projectId: string, reason: string): Promise<CreditReview> {
    if (caller.role !== 'LEADING') throw new ForbiddenError('only the leading department overrides a credit block');
    const why = this.reasonOf(reason);
    const at = this.clock.now();
    await this.ds.transaction(async (em) => {
      // Hold the project, so that no review slips in between the one read here and the override.
      await lockProjects(em, [projectId]);
      const latest = (await this.latestReviews([projectId], em)).get(projectId);
      if (!latest || latest.outcome !== 'block') throw new DomainError(ErrorCode.INVALID_TRANSITION, 'the project\'s credit review does not block it; there is nothing to override', { current: latest?.outcome ?? null, allowed: ['block'] });
      await em.query(`UPDATE credit_review SET override_by = $2, override_reason = $3, override_at = $4 WHERE id = $1`, [latest.id, caller.departmentId, why, at]);
      await this.history.append(em, { entityType: 'project', entityId: projectId, action: 'CREDIT_BLOCK_OVERRIDDEN', reason: why, changes: { findings: latest.findings.map((f) => f.detail) } }, this.actor(caller), at);
    });
    return (await this.latestReview(projectId))!;
  }

  // ------------------------------------------------------------------ commitments

  /** Record an applicant's integrity commitment (守信承诺) on a project, against its fund's current text (or a given version). */
  async recordCommitment(caller: CreditCaller, projectId: string, input: { signedBy: string; signedAt: string; textVersion?: number | null }): Promise<{ id: string; fundCode: string; textVersion: number; text: string; signedBy: string; signedAt: Date }> {
    this.mayWrite(caller);
    const problems: FieldProblem[] = [];
    if (!input.signedBy?.trim()) problems.push({ field: 'signedBy', reason: 'who made the commitment is required' });
    const signedAt = new Date(input.signedAt);
    if (!input.signedAt || Number.isNaN(signedAt.getTime())) problems.push({ field: 'signedAt', reason: 'must be a date or date-time (ISO 8601)' });
    if (problems.length) throw new ValidationError(problems);
    const [p] = (await this.ds.query(`SELECT p.id, p.department_id, p.fund_id, f.code AS fund_code FROM project p JOIN fund f ON f.id = p.fund_id WHERE p.id = $1`, [projectId])) as { id: string; department_id: string; fund_id: string; fund_code: string }[];
    if (!p) throw new NotFoundError('project', projectId);
    if (p.department_id !== caller.departmentId) throw new ForbiddenError('the department that owns the project records its commitments');
    const texts = (await this.ds.query(`SELECT version, text FROM credit_commitment_text WHERE fund_id = $1 ORDER BY version DESC`, [p.fund_id])) as { version: number; text: string }[];
    const chosen = input.textVersion ? texts.find((t) => t.version === input.textVersion) : texts[0];
    if (!chosen) throw ValidationError.field('textVersion', texts.length ? `fund ${p.fund_code} has commitment text versions ${texts.map((t) => t.version).join(', ')}` : `fund ${p.fund_code} has no commitment text yet`);
    const id = randomUUID();
    const at = this.clock.now();
    await this.ds.transaction(async (em) => {
      await lockProjects(em, [projectId]);
      await em.query(`INSERT INTO credit_commitment (id, project_id, fund_id, text_version, signed_by, signed_at, department_id, recorded_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, [id, projectId, p.fund_id, chosen.version, input.signedBy.trim(), signedAt, caller.departmentId, at]);
      await this.history.append(em, { entityType: 'project', entityId: projectId, action: 'COMMITMENT_RECORDED', changes: { signedBy: input.signedBy.trim(), signedAt: signedAt.toISOString(), fund: p.fund_code, textVersion: chosen.version } }, this.actor(caller), at);
    });
    return { id, fundCode: p.fund_code, textVersion: chosen.version, text: chosen.text, signedBy: input.signedBy.trim(), signedAt };
  }

  async commitments(projectId: string): Promise<{ id: string; fundCode: string; textVersion: number; text: string; signedBy: string; signedAt: Date }[]> {
    const rows = (await this.ds.query(
      `SELECT c.id, f.code AS fund_code, c.text_version, t.text, c.signed_by, c.signed_at FROM credit_commitment c JOIN fund f ON f.id = c.fund_id
         JOIN credit_commitment_text t ON t.fund_id = c.fund_id AND t.version = c.text_version WHERE c.project_id = $1 ORDER BY c.recorded_at`,
      [projectId],
    )) as { id: string; fund_code: string; text_version: number; text: string; signed_by: string; signed_at: Date }[];
    return rows.map((r) => ({ id: r.id, fundCode: r.fund_code, textVersion: r.text_version, text: r.text, signedBy: r.signed_by, signedAt: r.signed_at }));
  }

  /** Load the commitment texts (seeds/credit/commitment-texts.json); idempotent. */
  async seedCommitmentTexts(texts: { fund: string; version: number; effectiveFrom: string; text: string }[]): Promise<number> {
    const funds = (await this.reference.snapshot()).funds;
    let added = 0;
    for (const t of texts) {
      const fund = funds.find((f) => f.code === t.fund);
      if (!fund) continue;
      const r = (await this.ds.query(
        `INSERT INTO credit_commitment_text (fund_id, version, text, effective_from) VALUES ($1, $2, $3, $4) ON CONFLICT (fund_id, version) DO NOTHING RETURNING version`,
        [fund.id, t.version, t.text, t.effectiveFrom],
      )) as unknown[];
      added += r.length;
    }
    return added;
  }

  // ------------------------------------------------------------------ the daily job

  /**
   * Expire records whose period has ended (recorded in their history), then review again the open
   * applications that records changed in the last two days concern; a changed outcome is a notice
   * in the project's history.
   */
  async daily(): Promise<{ expired: number; rechecked: number; changed: number }> {
    const today = this.today();
    const at = this.clock.now();
    const active = ((await this.ds.query(`${RECORD_SQL} WHERE status = 'active'`)) as RecordRow[]).map(toRecord);
    const ending = active.filter((r) => effectiveStatus(r, today) === 'expired');
    let expired = 0;
    if (ending.length) {
      await this.ds.transaction(async (em) => {
        // Only records still active: one revoked or objected to meanwhile keeps its new status.
        const rows = (await em.query(`UPDATE credit_record SET status = 'expired', updated_at = $2, version = version + 1 WHERE id = ANY($1::uuid[]) AND status = 'active' RETURNING id`, [ending.map((r) => r.id), at])) as [{ id: string }[], number] | { id: string }[];
        const done = new Set((Array.isArray(rows[0]) ? (rows[0] as { id: string }[]) : (rows as { id: string }[])).map((r) => r.id));
        const written = ending.filter((r) => done.has(r.id));
        expired = written.length;
        await this.history.appendMany(em, written.map((r) => ({ input: { entityType: 'credit_record' as const, entityId: r.id, action: 'EXPIRED', changes: { status: { before: 'active', after: 'expired' }, restrictionEnd: restrictionEnd(r) } }, actor: SYSTEM_ACTOR, at })));
      });
    }
    const since = new Date(at.getTime() - 2 * 86_400_000);
    // Records changed lately, and records whose restriction began lately (decided earlier, effective now).
    const changed = ((await this.ds.query(`${RECORD_SQL} WHERE updated_at >= $1 OR (effective_date > $2::date AND effective_date <= $3::date)`, [since, since.toISOString().slice(0, 10), today])) as RecordRow[]).map(toRecord);
    let ids: string[] = [];
    if (changed.length) {
      const usccs = changed.map((r) => r.organisationUscc).filter((x): x is string => Boolean(x));
      const names = changed.map((r) => r.organisationName && splitOrganisationName(r.organisationName)).filter((x): x is ReturnType<typeof splitOrganisationName> => Boolean(x));
      const people = changed.map((r) => r.personName && normalisePersonName(r.personName)).filter((x): x is string => Boolean(x));
      const rows = (await this.ds.query(
        `SELECT DISTINCT p.id FROM project p JOIN project_match m ON m.project_id = p.id
          WHERE p.status = ANY($1::text[]) AND (m.uscc = ANY($2::char(18)[]) OR m.org_normal = ANY($3::text[]) OR m.org_core = ANY($4::text[]) OR m.leader_norm = ANY($5::text[]))`,
        [OPEN_APPLICATION_STATUSES, usccs, names.map((n) => n.normal), names.map((n) => n.core).filter((c) => c.length >= 2), people],
      )) as { id: string }[];
      ids = rows.map((r) => r.id);
    }
    const { reviews, previous } = await this.review(ids, 'daily', null);
    return { expired, rechecked: reviews.length, changed: reviews.filter((r) => (previous.get(r.projectId)?.outcome ?? 'pass') !== r.outcome).length };
  }

  /** Unified codes of projects, by id. */
  async projectCodes(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = (await this.ds.query(`SELECT id, code FROM project WHERE id = ANY($1::uuid[])`, [ids])) as { id: string; code: string }[];
    return new Map(rows.map((r) => [r.id, r.code.trim()]));
  }

  // ------------------------------------------------------------------ internals

  /** Records that may concern these subjects (by code, name, core or person), revoked ones left out. */
  private async recordsFor(subjects: Subject[]): Promise<CreditRecord[]> {
    const usccs = new Set<string>();
    const normals = new Set<string>();
    const cores = new Set<string>();
    const people = new Set<string>();
    for (const s of subjects) {
      if (s.uscc) usccs.add(s.uscc);
      if (s.organisation) {
        const o = splitOrganisationName(s.organisation);
        normals.add(o.normal);
        if (o.core.length >= 2) cores.add(o.core);
      }
      if (s.leader) people.add(normalisePersonName(s.leader));
    }
    const rows = (await this.ds.query(
      `${RECORD_SQL} WHERE status <> 'revoked' AND (organisation_uscc = ANY($1::char(18)[]) OR organisation_normal = ANY($2::text[]) OR organisation_core = ANY($3::text[]) OR person_normal = ANY($4::text[]))`,
      [[...usccs], [...normals], [...cores], [...people]],
    )) as RecordRow[];
    return rows.map(toRecord);
  }

  /** How a record concerns a subject, or null. */
  private matchOf(r: CreditRecord, s: Subject): { how: string; certain: boolean } | null {
    let org: { how: string; certain: boolean } | null = null;
    if (r.organisationUscc && s.uscc) {
      if (r.organisationUscc === s.uscc) org = { how: `credit code ${s.uscc}`, certain: true };
    } else if (r.organisationName && s.organisation) {
      const a = splitOrganisationName(r.organisationName);
      const b = splitOrganisationName(s.organisation);
      if (a.normal === b.normal) org = { how: `organisation name ${r.organisationName}`, certain: true };
      else if (a.core.length >= 2 && a.core === b.core && a.legalForm === b.legalForm && (a.region.length === 0 || b.region.length === 0 || a.region.some((x) => b.region.includes(x))))
        org = { how: `organisation name variant: ${r.organisationName} / ${s.organisation} (core "${a.core}")`, certain: false };
    }
    if (org) return org;
    if (r.personName && s.leader && normalisePersonName(r.personName) === normalisePersonName(s.leader)) {
      if (r.personIdNumber && s.leaderIdNumber) return r.personIdNumber === s.leaderIdNumber ? { how: `leader ${s.leader} (same ID number)`, certain: true } : null;
      if (!r.organisationName && !r.organisationUscc) return { how: `leader ${s.leader} (by name only; confirm it is the same person)`, certain: false };
    }
    return null;
  }

  private judge(s: Subject, records: CreditRecord[], rule: FundCreditRule, asOf: string): CreditCheckResult {
    const findings: CreditFinding[] = [];
    for (const r of records) {
      const m = this.matchOf(r, s);
      if (!m) continue;
      const status = effectiveStatus(r, asOf);
      const what = `${BEHAVIOURS[r.behaviour]?.zh ?? r.behaviour} (${r.severity === 'serious' ? '严重' : '一般'}), ${r.decisionNumber} of ${r.decisionDate}`;
      const end = restrictionEnd(r);
      if (status === 'active' && r.effectiveDate <= asOf) {
        const restricts = r.measures.includes('NO_LINKAGE_APPLICATIONS');
        findings.push({
          outcome: restricts && m.certain ? 'block' : 'warn',
          recordId: r.id,
          matchedBy: m.how,
          rule: restricts ? 'RESTRICTION_IN_FORCE' : 'RECORD_IN_FORCE',
          detail: `${what}: ${restricts ? 'no applications to linkage funds' : 'a dishonesty record in force'} ${end ? `until ${end}` : 'indefinitely'}; found by ${m.how}`,
        });
      } else if (status === 'under_objection' && r.effectiveDate <= asOf && (end === null || asOf <= end)) {
        // Under objection within its period: it would restrict, but is not settled.
        findings.push({ outcome: 'warn', recordId: r.id, matchedBy: m.how, rule: 'UNDER_OBJECTION', detail: `${what}: under objection, not yet decided; found by ${m.how}` });
      }
      // The fund's own rule looks back at what happened, whatever the restriction period.
      if (rule.noViolationYears && status !== 'repaired' && status !== 'revoked') {
        const from = yearsBefore(asOf, rule.noViolationYears);
        if (r.decisionDate >= from && r.decisionDate <= asOf) {
          findings.push({
            // A record under objection is not yet settled: it warns, never blocks.
            outcome: m.certain && status !== 'under_objection' ? 'block' : 'warn',
            recordId: r.id,
            matchedBy: m.how,
            rule: 'FUND_NO_VIOLATION_YEARS',
            detail: `${what}: the fund accepts no violation in the ${rule.noViolationYears} years before ${asOf} (since ${from}); found by ${m.how}`,
          });
        }
      }
    }
    const outcome: CreditOutcome = findings.some((f) => f.outcome === 'block') ? 'block' : findings.length ? 'warn' : 'pass';
    return { outcome, asOf, findings };
  }

  private async latestReviews(projectIds: string[], em?: EntityManager): Promise<Map<string, CreditReview>> {
    if (projectIds.length === 0) return new Map();
    const rows = (await (em ?? this.ds).query(
      `SELECT DISTINCT ON (project_id) id, project_id, at, to_char(as_of, 'YYYY-MM-DD') AS as_of, trigger, outcome, findings, department_id, override_by, override_reason, override_at
         FROM credit_review WHERE project_id = ANY($1::uuid[]) ORDER BY project_id, seq DESC`,
      [projectIds],
    )) as { id: string; project_id: string; at: Date; as_of: string; trigger: string; outcome: CreditOutcome; findings: CreditFinding[]; department_id: string | null; override_by: string | null; override_reason: string | null; override_at: Date | null }[];
    return new Map(
      rows.map((r) => [
        r.project_id,
        {
          id: r.id,
          projectId: r.project_id,
          at: r.at,
          asOf: r.as_of,
          trigger: r.trigger,
          outcome: r.outcome,
          findings: r.findings,
          departmentId: r.department_id,
          override: r.override_by ? { departmentId: r.override_by, reason: r.override_reason ?? '', at: r.override_at! } : null,
        },
      ]),
    );
  }

  private async getIn(em: EntityManager, id: string): Promise<CreditRecord | null> {
    const rows = (await em.query(`${RECORD_SQL} WHERE id = $1`, [id])) as RecordRow[];
    return rows[0] ? toRecord(rows[0]) : null;
  }

  private async change(caller: CreditCaller, id: string, action: string, reason: string, work: (em: EntityManager, before: CreditRecord) => Promise<void>): Promise<CreditRecord> {
    this.mayWrite(caller);
    requireUuid('id', id, 'is not a credit record id');
    const at = this.clock.now();
    return this.ds.transaction(async (em) => {
      const locked = (await em.query(`SELECT id FROM credit_record WHERE id = $1 FOR UPDATE`, [id])) as unknown[];
      if (!locked.length) throw new NotFoundError('credit record', id);
      const before = (await this.getIn(em, id))!;
      if (before.departmentId !== caller.departmentId) throw new ForbiddenError('only the department that decided a credit record changes it');
      await work(em, before);
      const after = (await this.getIn(em, id))!;
      await this.history.append(em, { entityType: 'credit_record', entityId: id, action, reason, changes: diff(snapshot(before), snapshot(after)) }, this.actor(caller), at);
      return after;
    });
  }

  private setStatus(caller: CreditCaller, id: string, from: CreditStatus[], to: CreditStatus, action: string, reason: string, repair?: { decisionNumber: string; decisionDate: string }): Promise<CreditRecord> {
    return this.change(caller, id, action, reason, async (em, before) => {
      const current = effectiveStatus(before, this.today());
      if (!from.includes(current)) throw new DomainError(ErrorCode.INVALID_TRANSITION, `credit record ${id} is ${current}; it cannot become ${to} (only from ${from.join(', ')})`, { current, allowed: from });
      await em.query(`UPDATE credit_record SET status = $2, status_note = $3, repair = COALESCE($4::jsonb, repair), version = version + 1, updated_at = $5 WHERE id = $1`, [id, to, reason, repair ? JSON.stringify(repair) : null, this.clock.now()]);
    });
  }

  private async validate(input: CreditRecordInput, _full: boolean) {
    const problems: FieldProblem[] = [];
    const text = (field: string, v: string | null | undefined, max = 500) => {
      if (!v?.trim()) problems.push({ field, reason: 'is required' });
      else if (v.length > max) problems.push({ field, reason: `must be at most ${max} characters` });
      return v?.trim() ?? '';
    };
    let uscc: string | null = null;
    if (input.organisation?.uscc?.trim()) {
      const u = validateUscc(input.organisation.uscc);
      if (u.ok) uscc = u.code;
      else problems.push({ field: 'organisation.uscc', reason: u.problems.map((p) => `${p.position ? `character ${p.position}: ` : ''}${p.reason}`).join('; ') });
    }
    const organisationName = input.organisation?.name?.trim() || null;
    const personName = input.person?.name?.trim() || null;
    if (!uscc && !organisationName && !personName && !input.organisation?.uscc) problems.push({ field: 'organisation', reason: 'a record concerns an organisation (credit code or name), a person, or both' });
    if (!(input.behaviour in BEHAVIOURS)) problems.push({ field: 'behaviour', reason: `must be one of ${Object.keys(BEHAVIOURS).join(', ')}` });
    if (input.severity !== 'general' && input.severity !== 'serious') problems.push({ field: 'severity', reason: 'must be general or serious' });
    const decisionNumber = text('decisionNumber', input.decisionNumber, 200);
    const legalBasis = text('legalBasis', input.legalBasis, 2000);
    for (const k of ['decisionDate', 'effectiveDate'] as const) if (!ISO_DATE.test(input[k] ?? '') || Number.isNaN(Date.parse(input[k]))) problems.push({ field: k, reason: 'must be a date YYYY-MM-DD' });
    if (ISO_DATE.test(input.decisionDate ?? '') && ISO_DATE.test(input.effectiveDate ?? '') && input.effectiveDate < input.decisionDate) problems.push({ field: 'effectiveDate', reason: 'cannot be before the decision date' });
    const indefinite = input.indefinite === true;
    const months = input.restrictionMonths ?? null;
    if (indefinite && months !== null) problems.push({ field: 'restrictionMonths', reason: 'give months or indefinite, not both' });
    if (!indefinite && (months === null || !Number.isInteger(months) || months < 1 || months > 1200)) problems.push({ field: 'restrictionMonths', reason: 'must be 1 to 1200 months, or set indefinite: true' });
    const measures = [...new Set(input.measures ?? [])];
    for (const m of measures) if (!(m in MEASURES)) problems.push({ field: 'measures', reason: `"${m}" is not one of ${Object.keys(MEASURES).join(', ')}` });
    const visibility = input.visibility ?? 'internal';
    if (visibility !== 'internal' && visibility !== 'public') problems.push({ field: 'visibility', reason: 'must be internal or public' });
    const evidence = input.evidence ?? [];
    evidence.forEach((e, i) => {
      if (!e?.name?.trim() || !e?.ref?.trim()) problems.push({ field: `evidence[${i}]`, reason: 'needs a name and a file reference' });
    });
    let projectId: string | null = null;
    if (input.projectCode?.trim()) {
      const code = normalProjectCode(input.projectCode);
      const [p] = (await this.ds.query(`SELECT id FROM project WHERE code = $1`, [code])) as { id: string }[];
      if (!p) problems.push({ field: 'projectCode', reason: `no project ${input.projectCode}` });
      else projectId = p.id;
    }
    let personIdNumber: string | null = null;
    if (input.person?.idNumber?.trim()) personIdNumber = input.person.idNumber.trim().toUpperCase();
    if (problems.length) throw new ValidationError(problems);
    const org = organisationName ? splitOrganisationName(organisationName) : null;
    return {
      uscc,
      organisationName,
      organisationNormal: org?.normal ?? null,
      organisationCore: org?.core ?? null,
      personName,
      personNormal: personName ? normalisePersonName(personName) : null,
      personIdNumber,
      projectId,
      behaviour: input.behaviour as Behaviour,
      severity: input.severity,
      decisionNumber,
      decisionDate: input.decisionDate,
      legalBasis,
      effectiveDate: input.effectiveDate,
      restrictionMonths: indefinite ? null : months,
      indefinite,
      measures,
      visibility,
      evidence,
    };
  }

  private reasonOf(reason: string): string {
    const why = (reason ?? '').trim();
    if (why.length < 2) throw ValidationError.field('reason', 'a written reason is required');
    if (why.length > 2000) throw ValidationError.field('reason', 'must be at most 2,000 characters');
    return why;
  }

  private mayWrite(caller: CreditCaller): void {
    if (caller.role === 'READER') throw new ForbiddenError(`${caller.departmentCode} holds a READER key, which reads but does not change credit records`);
  }

  private actor(caller: CreditCaller): Actor {
    return { departmentId: caller.departmentId, apiKeyId: caller.apiKeyId };
  }
}

/** 001: a project that failed acceptance although its team worked diligently puts nobody on the list. */
async function assertNotExempt(em: EntityManager, v: { projectId: string | null; behaviour: Behaviour }): Promise<void> {
  if (!v.projectId || v.behaviour !== 'ACCEPTANCE_FAILED_NOT_DILIGENT') return;
  const [p] = (await em.query(`SELECT code, acceptance_diligent FROM project WHERE id = $1`, [v.projectId])) as { code: string; acceptance_diligent: boolean | null }[];
  if (p!.acceptance_diligent === true)
    throw new DomainError(ErrorCode.RULE_VIOLATION, `project ${p!.code.trim()} failed acceptance but its team was judged diligent: nobody is recorded (001, diligence exemption)`, { rule: 'DILIGENCE_EXEMPTION' });
}

function blockIds(r: CreditCheckResult): string[] {
  return r.findings.filter((f) => f.outcome === 'block' && f.recordId).map((f) => f.recordId!);
}

/** A record as its history keeps it: the ID number masked (history can never be erased). */
function snapshot(r: CreditRecord): Record<string, unknown> {
  const { createdAt: _c, updatedAt: _u, version: _v, id: _i, ...rest } = r;
  return { ...rest, personIdNumber: r.personIdNumber ? maskIdNumber(r.personIdNumber) : null };
}


/** What the public sees of a published record: no ID number, the person's name masked, no evidence files. */
function masked(r: CreditRecord): CreditRecord {
  return { ...r, personName: r.personName ? maskPersonName(r.personName) : null, personIdNumber: null, evidence: [] };
}
