import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { normalProjectCode } from '#encoding';
import { HistoryRepository, lockProjects, type Actor } from '#history';
import { namesFund, ReferenceService } from '#reference';
import { Clock, DomainError, ErrorCode, ForbiddenError, NotFoundError, requireUuid, ValidationError, type FieldProblem } from '#shared/core/index.js';
import type { TaskCaller } from './task.service.js';

export type RequestStatus = 'pending' | 'scheduled' | 'declined' | 'decided' | 'withdrawn';
export type FlagStatus = 'open' | 'scheduled' | 'resolved' | 'withdrawn';

/** A participating department's request that the working group consult on some of its projects. */
export interface ConsultationRequest {
  id: string;
  departmentCode: string;
  projectIds: string[];
  projectCodes: string[];
  reason: string;
  status: RequestStatus;
  /** The meeting it was put on. */
  meetingId: string | null;
  declineReason: string | null;
  createdAt: Date;
}

/** A project its department flags as needing support from another sub-fund (or department). */
export interface ProjectFlag {
  id: string;
  projectId: string;
  projectCode: string;
  departmentCode: string;
  /** The suggested sub-fund ("RJJCDL-03"), fund ("GXCGZH") or department ("KW"). */
  suggestedTo: string;
  reason: string;
  status: FlagStatus;
  meetingId: string | null;
  createdAt: Date;
}

/** Where a project can be referred: a sub-fund, a fund, or a department. */
export interface ReferralTarget {
  kind: 'sub_fund' | 'fund' | 'department';
  /** "RJJCDL-03" for a sub-fund, the fund's code, or the department's code. */
  code: string;
  name: string;
  /** The department that receives it. */
  departmentCode: string;
}

/** A project's latest consultation decision, once the meeting's minutes are approved. */
export interface ProjectConsultation {
  decidedIn: string;
  meetingTitle: string;
  item: number;
  decision: string;
  rationale: string;
  referredTo: ReferralTarget | null;
  approvedAt: Date;
}

interface ProjectRow {
  id: string;
  code: string;
  department_code: string;
  fund_code: string;
  sub_fund_code: string | null;
}


/**
 * What comes to a project consultation from the departments (000 §五(二)): a department requests a
 * consultation on its projects, or flags one of its projects as needing another sub-fund; the leading
 * department schedules a request on a meeting (MeetingService) or declines it with a reason.
 */
@Injectable()
export class ConsultationRequestService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly reference: ReferenceService,
    private readonly history: HistoryRepository,
    private readonly clock: Clock,
  ) {}

  /** A department asks for a project consultation on its own projects. */
  async request(caller: TaskCaller, input: { projectCodes: string[]; reason: string }): Promise<ConsultationRequest> {
    if (caller.role === 'READER') throw new ForbiddenError('a read-only key cannot request consultations');
    const problems: FieldProblem[] = [];
    const codes = [...new Set((input.projectCodes ?? []).map(normalProjectCode).filter(Boolean))];
    if (!codes.length) problems.push({ field: 'projectCodes', reason: 'name at least one project' });
    if (!input.reason?.trim() || input.reason.length > 4000) problems.push({ field: 'reason', reason: 'must be 1 to 4,000 characters' });
    const projects = await this.ownProjects(caller, codes, 'projectCodes', problems, 'requests consultation');
    const open = (await this.ds.query(
      `SELECT DISTINCT p.code FROM consultation_request r JOIN project p ON p.id = ANY(r.project_ids) WHERE r.status IN ('pending', 'scheduled') AND p.id = ANY($1::uuid[]) ORDER BY p.code`,
      [projects.map((p) => p.id)],
    )) as { code: string }[];
    for (const o of open) problems.push({ field: 'projectCodes', reason: `${o.code.trim()} is already in a pending or scheduled consultation request` });
    if (problems.length) throw new ValidationError(problems);
    const id = randomUUID();
    const at = this.clock.now();
    await this.ds.transaction(async (em) => {
      await em.query(`INSERT INTO consultation_request (id, department_id, project_ids, reason, status, created_at, updated_at) VALUES ($1,$2,$3,$4,'pending',$5,$5)`, [
        id, caller.departmentId, projects.map((p) => p.id), input.reason.trim(), at,
      ]);
      await this.history.append(em, { entityType: 'consultation_request', entityId: id, action: 'REQUESTED', reason: input.reason.trim(), changes: { projects: codes } }, this.actor(caller), at);
    });
    return this.get(caller, id);
  }

  /** The leading department declines a pending request, saying why. */
  async decline(caller: TaskCaller, id: string, reason: string): Promise<ConsultationRequest> {
    if (caller.role !== 'LEADING') throw new ForbiddenError('the leading department declines consultation requests');
    if (!reason?.trim() || reason.length > 4000) throw ValidationError.field('reason', 'must be 1 to 4,000 characters');
    const before = await this.get(caller, id);
    const at = this.clock.now();
    await this.ds.transaction(async (em) => {
      const [now] = (await em.query(`SELECT status FROM consultation_request WHERE id = $1 FOR UPDATE`, [id])) as { status: RequestStatus }[];
      if (now!.status !== 'pending') throw this.notPending({ ...before, status: now!.status });
      await em.query(`UPDATE consultation_request SET status = 'declined', decline_reason = $2, updated_at = $3 WHERE id = $1`, [id, reason.trim(), at]);
      await this.history.append(em, { entityType: 'consultation_request', entityId: id, action: 'DECLINED', reason: reason.trim(), changes: {} }, this.actor(caller), at);
    });
    return this.get(caller, id);
  }

  /** The requesting department withdraws its pending request (once on an agenda, the leading department decides). */
  async withdraw(caller: TaskCaller, id: string, reason: string): Promise<ConsultationRequest> {
    if (!reason?.trim() || reason.length > 4000) throw ValidationError.field('reason', 'must be 1 to 4,000 characters');
    const before = await this.get(caller, id);
    if (before.departmentCode !== caller.departmentCode || caller.role === 'READER') throw new ForbiddenError(`only ${before.departmentCode}, which requested the consultation, withdraws it`);
    const at = this.clock.now();
    await this.ds.transaction(async (em) => {
      const [now] = (await em.query(`SELECT status FROM consultation_request WHERE id = $1 FOR UPDATE`, [id])) as { status: RequestStatus }[];
      if (now!.status !== 'pending')
        throw new DomainError(ErrorCode.INVALID_TRANSITION, `the consultation request is ${now!.status}; only a pending request is withdrawn (one on an agenda is the meeting's to decide)`, { current: now!.status, allowed: ['pending'] });
      await em.query(`UPDATE consultation_request SET status = 'withdrawn', updated_at = $2 WHERE id = $1`, [id, at]);
      await this.history.append(em, { entityType: 'consultation_request', entityId: id, action: 'WITHDRAWN', reason: reason.trim(), changes: { status: { before: 'pending', after: 'withdrawn' } } }, this.actor(caller), at);
    });
    return this.get(caller, id);
  }

  /** The department that flagged a project withdraws its open flag. */
  async withdrawFlag(caller: TaskCaller, id: string, reason: string): Promise<ProjectFlag> {
    requireUuid('flagId', id, 'is not a flag id');
    if (!reason?.trim() || reason.length > 4000) throw ValidationError.field('reason', 'must be 1 to 4,000 characters');
    const [flag] = await this.flags({ id });
    if (!flag) throw new NotFoundError('project flag', id);
    if (flag.departmentCode !== caller.departmentCode || caller.role === 'READER') throw new ForbiddenError(`only ${flag.departmentCode}, which flagged ${flag.projectCode}, withdraws the flag`);
    const at = this.clock.now();
    await this.ds.transaction(async (em) => {
      await lockProjects(em, [flag.projectId]);
      const [now] = (await em.query(`SELECT status FROM project_flag WHERE id = $1 FOR UPDATE`, [id])) as { status: FlagStatus }[];
      if (now!.status !== 'open')
        throw new DomainError(ErrorCode.INVALID_TRANSITION, `the flag on ${flag.projectCode} is ${now!.status}; only an open flag is withdrawn (one on an agenda is the meeting's to decide)`, { current: now!.status, allowed: ['open'] });
      await em.query(`UPDATE project_flag SET status = 'withdrawn', updated_at = $2 WHERE id = $1`, [id, at]);
      await this.history.append(em, { entityType: 'project', entityId: flag.projectId, action: 'FLAG_WITHDRAWN', reason: reason.trim(), changes: { suggestedTo: flag.suggestedTo } }, this.actor(caller), at);
    });
    return (await this.flags({ id }))[0]!;
  }

  /** The error for a request that is no longer pending. */
  notPending(r: ConsultationRequest): DomainError {
    return new DomainError(ErrorCode.INVALID_TRANSITION, `the consultation request of ${r.departmentCode} is ${r.status}; only a pending request is scheduled or declined`, { current: r.status, allowed: ['pending'] });
  }

  /** The leading department and the information center see every request; a department its own. */
  async list(caller: TaskCaller, filter: { status?: string; department?: string } = {}): Promise<ConsultationRequest[]> {
    const statuses: RequestStatus[] = ['pending', 'scheduled', 'declined', 'decided', 'withdrawn'];
    if (filter.status && !statuses.includes(filter.status as RequestStatus)) throw ValidationError.field('status', `must be one of ${statuses.join(', ')}`);
    const all = await this.rows(filter.status ? 'r.status = $1' : 'true', filter.status ? [filter.status] : []);
    return all.filter((r) => this.mayRead(caller, r) && (!filter.department || r.departmentCode === filter.department.trim().toUpperCase()));
  }

  async get(caller: TaskCaller | null, id: string): Promise<ConsultationRequest> {
    requireUuid('requestId', id, 'is not a consultation request id');
    const [r] = await this.rows('r.id = $1', [id]);
    if (!r) throw new NotFoundError('consultation request', id);
    if (caller && !this.mayRead(caller, r)) throw new ForbiddenError(`the consultation request is ${r.departmentCode}'s`);
    return r;
  }

  /** The department owning a project flags it as needing another sub-fund (or department), with a reason. */
  async flag(caller: TaskCaller, input: { projectCode: string; suggestedTo: string; reason: string }): Promise<ProjectFlag> {
    if (caller.role === 'READER') throw new ForbiddenError('a read-only key cannot flag projects');
    const problems: FieldProblem[] = [];
    if (!input.projectCode?.trim()) problems.push({ field: 'projectCode', reason: 'is required' });
    if (!input.reason?.trim() || input.reason.length > 4000) problems.push({ field: 'reason', reason: 'must be 1 to 4,000 characters' });
    const [project] = input.projectCode?.trim() ? await this.ownProjects(caller, [normalProjectCode(input.projectCode)], 'projectCode', problems, 'flags') : [];
    const target = await this.target(input.suggestedTo ?? '', 'suggestedTo', problems);
    if (project && target?.kind === 'sub_fund' && target.code === `${project.fund_code}-${project.sub_fund_code}`) problems.push({ field: 'suggestedTo', reason: `${target.code} is the project's own sub-fund` });
    if (project) {
      const open = (await this.ds.query(`SELECT status FROM project_flag WHERE project_id = $1 AND status IN ('open', 'scheduled')`, [project.id])) as { status: string }[];
      if (open[0]) problems.push({ field: 'projectCode', reason: `${project.code.trim()} is flagged already (${open[0].status})` });
    }
    if (problems.length) throw new ValidationError(problems);
    const id = randomUUID();
    const at = this.clock.now();
    await this.ds.transaction(async (em) => {
      await lockProjects(em, [project!.id]);
      await em.query(`INSERT INTO project_flag (id, project_id, department_id, suggested_to, reason, status, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,'open',$6,$6)`, [
        id, project!.id, caller.departmentId, target!.code, input.reason.trim(), at,
      ]);
      await this.history.append(em, { entityType: 'project', entityId: project!.id, action: 'FLAGGED_FOR_OTHER_SUB_FUND', reason: input.reason.trim(), changes: { suggestedTo: target!.code, suggestedToName: target!.name } }, this.actor(caller), at);
    });
    return (await this.flags({ id }))[0]!;
  }

  /** Flagged projects (every department reads them: they are agenda input for all). */
  async flags(filter: { status?: string; id?: string } = {}): Promise<ProjectFlag[]> {
    const statuses: FlagStatus[] = ['open', 'scheduled', 'resolved', 'withdrawn'];
    if (filter.status && !statuses.includes(filter.status as FlagStatus)) throw ValidationError.field('status', `must be one of ${statuses.join(', ')}`);
    const rows = (await this.ds.query(
      `SELECT f.id, f.project_id, p.code, d.code AS department_code, f.suggested_to, f.reason, f.status, f.meeting_id, f.created_at
         FROM project_flag f JOIN project p ON p.id = f.project_id JOIN department d ON d.id = f.department_id
        WHERE ($1::text IS NULL OR f.status = $1) AND ($2::uuid IS NULL OR f.id = $2) ORDER BY f.created_at, f.id`,
      [filter.status ?? null, filter.id ?? null],
    )) as { id: string; project_id: string; code: string; department_code: string; suggested_to: string; reason: string; status: FlagStatus; meeting_id: string | null; created_at: Date }[];
    return rows.map((r) => ({ id: r.id, projectId: r.project_id, projectCode: r.code.trim(), departmentCode: r.department_code, suggestedTo: r.suggested_to, reason: r.reason, status: r.status, meetingId: r.meeting_id, createdAt: r.created_at }));
  }

  /**
   * A sub-fund, fund or department as people name it: "RJJCDL-03" or the sub-fund's name, a fund's code,
   * name or short name, a department's code, name or short name. With `field`, an unknown one is a problem.
   */
  async target(text: string, field?: string, problems?: FieldProblem[]): Promise<ReferralTarget | null> {
    const key = text.trim();
    const { funds, departments } = await this.reference.snapshot();
    const deptCode = (id: string) => departments.find((d) => d.id === id)?.code ?? '';
    let found: ReferralTarget | null = null;
    for (const f of funds) {
      if (namesFund(f, key)) found ??= { kind: 'fund', code: f.code, name: f.name, departmentCode: deptCode(f.departmentId) };
      for (const s of f.subFunds)
        if (key.toUpperCase() === `${f.code}-${s.code}` || key === s.name) found ??= { kind: 'sub_fund', code: `${f.code}-${s.code}`, name: s.name, departmentCode: deptCode(f.departmentId) };
    }
    if (!found && key) {
      const d = await this.reference.resolveDepartment(key);
      if (d) found = { kind: 'department', code: d.code, name: d.name, departmentCode: d.code };
    }
    if (!found && field) problems?.push({ field, reason: key ? `"${key}" is not a known sub-fund (FUND-NN or its name), fund or department` : 'name the sub-fund or department' });
    return found;
  }

  /** A project's latest consultation decision from a meeting whose minutes are approved; null if none. */
  async projectConsultation(projectCode: string): Promise<ProjectConsultation | null> {
    const [r] = (await this.ds.query(
      `SELECT c.meeting_id, m.title, a.seq, c.decision, c.rationale, c.referred_to, c.approved_at
         FROM project_consultation c JOIN project p ON p.id = c.project_id JOIN meeting m ON m.id = c.meeting_id JOIN agenda_item a ON a.id = c.agenda_item_id
        WHERE p.code = $1 ORDER BY c.approved_at DESC, a.seq DESC LIMIT 1`,
      [normalProjectCode(projectCode)],
    )) as { meeting_id: string; title: string; seq: number; decision: string; rationale: string; referred_to: string | null; approved_at: Date }[];
    if (!r) return null;
    return { decidedIn: r.meeting_id, meetingTitle: r.title, item: r.seq, decision: r.decision, rationale: r.rationale, referredTo: r.referred_to ? await this.target(r.referred_to) : null, approvedAt: r.approved_at };
  }

  /** The caller's own projects among these codes; another department's project is refused, an unknown one is a problem. */
  private async ownProjects(caller: TaskCaller, codes: string[], field: string, problems: FieldProblem[], what: string): Promise<ProjectRow[]> {
    const rows = (await this.ds.query(
      `SELECT p.id, p.code, d.code AS department_code, f.code AS fund_code, s.code AS sub_fund_code
         FROM project p JOIN department d ON d.id = p.department_id JOIN fund f ON f.id = p.fund_id LEFT JOIN sub_fund s ON s.id = p.sub_fund_id WHERE p.code = ANY($1::text[])`,
      [codes],
    )) as ProjectRow[];
    for (const c of codes) if (!rows.some((r) => r.code.trim() === c)) problems.push({ field, reason: `no project ${c}` });
    // In the order given.
    const others = rows.filter((r) => r.department_code !== caller.departmentCode);
    if (others.length) throw new ForbiddenError(`project ${others[0]!.code.trim()} belongs to ${others[0]!.department_code}; a department ${what} on its own projects only`);
    return codes.flatMap((c) => rows.filter((r) => r.code.trim() === c));
  }

  private async rows(where: string, params: unknown[]): Promise<ConsultationRequest[]> {
    const rows = (await this.ds.query(
      `SELECT r.id, d.code AS department_code, r.project_ids, ARRAY(SELECT trim(p.code) FROM unnest(r.project_ids) WITH ORDINALITY u(pid, n) JOIN project p ON p.id = u.pid ORDER BY u.n) AS project_codes,
              r.reason, r.status, r.meeting_id, r.decline_reason, r.created_at
         FROM consultation_request r JOIN department d ON d.id = r.department_id WHERE ${where} ORDER BY r.created_at, r.id`,
      params,
    )) as { id: string; department_code: string; project_ids: string[]; project_codes: string[]; reason: string; status: RequestStatus; meeting_id: string | null; decline_reason: string | null; created_at: Date }[];
    return rows.map((r) => ({ id: r.id, departmentCode: r.department_code, projectIds: r.project_ids, projectCodes: r.project_codes, reason: r.reason, status: r.status, meetingId: r.meeting_id, declineReason: r.decline_reason, createdAt: r.created_at }));
  }

  private mayRead(caller: TaskCaller, r: ConsultationRequest): boolean {
    return caller.role === 'LEADING' || caller.role === 'INFORMATION_CENTER' || r.departmentCode === caller.departmentCode;
  }

  private actor(caller: TaskCaller): Actor {
    return { departmentId: caller.departmentId, apiKeyId: caller.apiKeyId };
  }
}
