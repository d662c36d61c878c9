import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { DedupService, fundOverlaps, type FundOverlap } from '#dedup';
import { OPEN_APPLICATION_STATUSES } from '#credit';
import { normalProjectCode } from '#encoding';
import { HistoryRepository, lockProjects, type Actor } from '#history';
import { ReferenceService } from '#reference';
import { Clock, DomainError, ErrorCode, ForbiddenError, NotFoundError, requireUuid, ValidationError, type FieldProblem } from '#shared/core/index.js';
import type { EvidenceRef } from '#credit';
import { ConsultationRequestService } from './request.service.js';
import { TaskService, type PreparedTask, type TaskCaller, type TaskDraft } from './task.service.js';

export const MEETING_KINDS = ['annual_direction', 'guideline', 'project', 'fund_establishment', 'joint'] as const;
export type MeetingKind = (typeof MEETING_KINDS)[number];
export type MeetingStatus = 'planned' | 'agenda_frozen' | 'held' | 'minutes_approved';
export const DECISIONS = ['approve', 'reject', 'defer', 'refer', 'merge', 'more_information'] as const;
export type Decision = (typeof DECISIONS)[number];
export type AgendaKind = 'project' | 'duplicate_alert' | 'credit_review' | 'fund_proposal' | 'guideline' | 'other';

export interface Guideline {
  id: string;
  departmentCode: string;
  year: number;
  title: string;
  directions: string[];
  status: 'draft' | 'compiled';
}
export type AlertOutcome = 'confirmed' | 'dismissed_related' | 'dismissed_distinct';

export interface AgendaItem {
  id: string;
  seq: number;
  kind: AgendaKind;
  projectId: string | null;
  projectCode: string | null;
  alertId: string | null;
  fundProposalId: string | null;
  /** The guideline drafts an item is about (two departments' overlapping directions). */
  guidelineIds: string[];
  title: string;
  reason: string;
  decision: Decision | null;
  rationale: string;
  alertOutcome: AlertOutcome | null;
  referredTo: string | null;
  /** For a guideline item: how the overlapping directions were divided. */
  division: string | null;
  /** The department's request or the project's flag that brought the item. */
  requestId: string | null;
  flagId: string | null;
  /** The follow-up tasks the decision sets; created when the minutes are approved. */
  followUpTasks: TaskDraft[];
  agreed: string[];
  dissented: string[];
  decidedAt: Date | null;
}

export interface Meeting {
  id: string;
  kind: MeetingKind;
  title: string;
  convenedBy: string;
  startsAt: Date;
  place: string;
  year: number;
  status: MeetingStatus;
  minutes: string;
  participants: { departmentCode: string; attendees: string[]; attended: boolean | null }[];
  /** Meeting materials: file references, as a credit record's evidence files. */
  materials: EvidenceRef[];
  agenda: AgendaItem[];
}

/** What an agenda item is about, as it is added. */
interface NewItem {
  kind: AgendaKind;
  title: string;
  reason: string;
  projectId?: string | null;
  alertId?: string | null;
  fundProposalId?: string | null;
  guidelineIds?: string[];
  requestId?: string | null;
  flagId?: string | null;
}

export interface FundProposal {
  id: string;
  departmentCode: string;
  name: string;
  direction: string;
  budgetFen: bigint | null;
  overlaps: FundOverlap[];
  status: 'proposed' | 'approved' | 'rejected' | 'established' | 'sent_to_leading_group';
  decidedIn: string | null;
  fundCode: string | null;
}


/**
 * Consultation meetings (会商, DOMAIN §7; 000 §五(一)(二)): the leading department convenes a
 * meeting of the linkage departments, builds its agenda from open duplicate alerts and credit
 * warnings among them, freezes it, holds it; each department records its own attendance and its
 * agreement or dissent; the decisions are written back when the minutes are approved — into the
 * projects' histories, the alerts' statuses, the fund proposals. A decision does not approve a
 * project by itself: departments then decide by their own rules.
 */
@Injectable()
export class MeetingService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly reference: ReferenceService,
    private readonly history: HistoryRepository,
    private readonly dedup: DedupService,
    private readonly requests: ConsultationRequestService,
    private readonly tasks: TaskService,
    private readonly clock: Clock,
  ) {}

  async convene(caller: TaskCaller, input: { kind: string; title: string; startsAt: string; place: string; participants: string[]; year?: number | null }): Promise<Meeting> {
    this.leading(caller, 'convenes meetings');
    const problems: FieldProblem[] = [];
    if (!MEETING_KINDS.includes(input.kind as MeetingKind)) problems.push({ field: 'kind', reason: `must be one of ${MEETING_KINDS.join(', ')}` });
    if (!input.title?.trim()) problems.push({ field: 'title', reason: 'is required' });
    if (!input.place?.trim()) problems.push({ field: 'place', reason: 'is required' });
    const startsAt = new Date(input.startsAt);
    if (!input.startsAt || Number.isNaN(startsAt.getTime())) problems.push({ field: 'startsAt', reason: 'must be a date-time (ISO 8601)' });
    const ids: string[] = [];
    for (const p of input.participants ?? []) {
      const d = await this.reference.resolveDepartment(p);
      if (!d) problems.push({ field: 'participants', reason: `"${p}" is not a known department` });
      else ids.push(d.id);
    }
    if (!ids.length && !problems.some((p) => p.field === 'participants')) problems.push({ field: 'participants', reason: 'name the participating departments' });
    if (problems.length) throw new ValidationError(problems);
    const id = randomUUID();
    const at = this.clock.now();
    await this.ds.transaction(async (em) => {
      await em.query(`INSERT INTO meeting (id, kind, title, convened_by, starts_at, place, year, status, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,'planned',$8,$8)`, [
        id, input.kind, input.title.trim(), caller.departmentId, startsAt, input.place.trim(), input.year ?? startsAt.getUTCFullYear(), at,
      ]);
      const all = [...new Set([caller.departmentId, ...ids])];
      await em.query(`INSERT INTO meeting_participant (meeting_id, department_id) SELECT $1, unnest($2::uuid[])`, [id, all]);
      await this.history.append(em, { entityType: 'meeting', entityId: id, action: 'CONVENED', changes: { kind: input.kind, title: input.title.trim(), startsAt: startsAt.toISOString(), place: input.place.trim() } }, this.actor(caller), at);
    });
    return this.get(caller, id);
  }

  /**
   * Propose the items a project consultation should discuss: open duplicate alerts between the
   * participating departments, and their open applications whose credit review warned or blocked;
   * on a project consultation also the projects they requested a consultation on and those they
   * flagged as needing another sub-fund (the requests and flags are then scheduled on this meeting).
   * Items already on the agenda are not added twice.
   */
  async buildAgenda(caller: TaskCaller, meetingId: string): Promise<Meeting> {
    this.leading(caller, 'builds the agenda');
    // Read through other services before the meeting's transaction (the embedded database has one connection).
    const before = await this.get(caller, meetingId);
    if (before.kind === 'guideline') return this.buildGuidelineAgenda(caller, before);
    const alerts = await this.dedup.listAlerts({ status: ['open'], betweenDepartments: before.participants.map((p) => p.departmentCode) }, 500);
    return this.change(caller, meetingId, ['planned'], 'AGENDA_BUILT', async (em, m) => {
      const codes = m.participants.map((p) => p.departmentCode);
      const credit = (await em.query(
        `SELECT p.id, p.code, p.title, r.outcome, r.findings FROM project p JOIN department d ON d.id = p.department_id
           JOIN LATERAL (SELECT outcome, findings FROM credit_review WHERE project_id = p.id ORDER BY seq DESC LIMIT 1) r ON true
          WHERE d.code = ANY($1::text[]) AND p.status = ANY($2::text[]) AND r.outcome <> 'pass' ORDER BY p.code`,
        [codes, OPEN_APPLICATION_STATUSES],
      )) as { id: string; code: string; title: string; outcome: string; findings: { detail: string }[] }[];
      const have = new Set(m.agenda.flatMap((i) => [i.alertId ? `a${i.alertId}` : '', i.kind === 'credit_review' && i.projectId ? `c${i.projectId}` : '']));
      const items: NewItem[] = [];
      for (const a of alerts.items) {
        if (have.has(`a${a.id}`)) continue;
        items.push({ kind: 'duplicate_alert', alertId: a.id, title: `疑似重复资助 ${a.codeA} / ${a.codeB}`, reason: `${a.level} (score ${a.score}): ${a.evidence.filter((e) => e.weight > 0).map((e) => e.detail).join('; ')}` });
      }
      for (const c of credit) {
        if (have.has(`c${c.id}`)) continue;
        items.push({ kind: 'credit_review', projectId: c.id, title: `信用审查${c.outcome === 'block' ? '阻止' : '提示'}:${c.code.trim()} ${c.title}`, reason: c.findings.map((f) => f.detail).join('; ') });
      }
      if (m.kind === 'project') items.push(...(await this.scheduleRequests(em, caller, m, { departments: codes })), ...(await this.scheduleFlags(em, m, codes)));
      await this.insertItems(em, m, items);
      return { added: items.length };
    });
  }

  /** The leading department puts a department's pending consultation request on a planned project consultation that department takes part in. */
  async scheduleRequest(caller: TaskCaller, requestId: string, meetingId: string): Promise<Meeting> {
    this.leading(caller, 'schedules consultation requests');
    const r = await this.requests.get(caller, requestId);
    if (r.status !== 'pending') throw this.requests.notPending(r);
    return this.change(caller, meetingId, ['planned'], 'REQUEST_SCHEDULED', async (em, m) => {
      if (m.kind !== 'project') throw ValidationError.field('meetingId', `is a ${m.kind} meeting; a consultation request goes on a project consultation`);
      if (!m.participants.some((p) => p.departmentCode === r.departmentCode)) throw ValidationError.field('meetingId', `${r.departmentCode}, which requested the consultation, does not take part in this meeting`);
      const items = await this.scheduleRequests(em, caller, m, { requestId });
      if (!items.length) throw this.requests.notPending({ ...r, status: 'scheduled' });
      await this.insertItems(em, m, items);
      return { request: requestId, items: items.length };
    });
  }

  /** Pending requests (one, or those of these departments) as agenda items, one per project; the requests are then scheduled on this meeting. */
  private async scheduleRequests(em: EntityManager, caller: TaskCaller, m: Meeting, which: { requestId?: string; departments?: string[] }): Promise<NewItem[]> {
    const rows = (await em.query(
      `SELECT r.id, d.code AS department_code, r.reason, p.id AS project_id, trim(p.code) AS code, p.title
         FROM consultation_request r JOIN department d ON d.id = r.department_id
         CROSS JOIN LATERAL unnest(r.project_ids) WITH ORDINALITY u(pid, n) JOIN project p ON p.id = u.pid
        WHERE r.status = 'pending' AND ($1::uuid IS NULL OR r.id = $1) AND ($2::text[] IS NULL OR d.code = ANY($2::text[]))
        ORDER BY r.created_at, r.id, u.n FOR UPDATE OF r`,
      [which.requestId ?? null, which.departments ?? null],
    )) as { id: string; department_code: string; reason: string; project_id: string; code: string; title: string }[];
    const at = this.clock.now();
    for (const id of new Set(rows.map((r) => r.id))) {
      await em.query(`UPDATE consultation_request SET status = 'scheduled', meeting_id = $2, updated_at = $3 WHERE id = $1`, [id, m.id, at]);
      await this.history.append(em, { entityType: 'consultation_request', entityId: id, action: 'SCHEDULED', changes: { meeting: m.title, meetingId: m.id } }, this.actor(caller), at);
    }
    return rows.map((r) => ({ kind: 'project', projectId: r.project_id, requestId: r.id, title: `会商申请(${r.department_code}):${r.code} ${r.title}`, reason: r.reason }));
  }

  /** Open flags on these departments' projects as agenda items; the flags are then scheduled on this meeting. */
  private async scheduleFlags(em: EntityManager, m: Meeting, departments: string[]): Promise<NewItem[]> {
    const rows = (await em.query(
      `SELECT f.id, f.reason, f.suggested_to, p.id AS project_id, trim(p.code) AS code, p.title
         FROM project_flag f JOIN project p ON p.id = f.project_id JOIN department d ON d.id = f.department_id
        WHERE f.status = 'open' AND d.code = ANY($1::text[]) ORDER BY f.created_at, f.id FOR UPDATE OF f`,
      [departments],
    )) as { id: string; reason: string; suggested_to: string; project_id: string; code: string; title: string }[];
    if (rows.length) await em.query(`UPDATE project_flag SET status = 'scheduled', meeting_id = $2, updated_at = $3 WHERE id = ANY($1::uuid[])`, [rows.map((r) => r.id), m.id, this.clock.now()]);
    return rows.map((r) => ({ kind: 'project', projectId: r.project_id, flagId: r.id, title: `需其他子专项支持:${r.code} ${r.title} → ${r.suggested_to}`, reason: r.reason }));
  }

  /**
   * A guideline-compilation meeting's agenda: each pair of directions, in two participating
   * departments' drafts for the meeting's year, that overlap (the fund-overlap comparison of their
   * distinctive terms), so that the meeting divides them.
   */
  private async buildGuidelineAgenda(caller: TaskCaller, m: Meeting): Promise<Meeting> {
    const drafts = (await this.guidelines(m.year)).filter((g) => m.participants.some((p) => p.departmentCode === g.departmentCode));
    const pairs: { a: Guideline; b: Guideline; da: string; db: string; terms: string[]; similarity: number }[] = [];
    for (const [x, a] of drafts.entries())
      for (const b of drafts.slice(x + 1)) {
        if (a.departmentCode === b.departmentCode) continue;
        for (const da of a.directions) {
          const found = fundOverlaps({ name: da }, b.directions.map((db) => ({ kind: 'fund' as const, fundCode: '', subFundCode: null, departmentCode: b.departmentCode, name: db })));
          for (const o of found) pairs.push({ a, b, da, db: o.name, terms: o.sharedTerms, similarity: o.similarity });
        }
      }
    return this.change(caller, m.id, ['planned'], 'AGENDA_BUILT', async (em, current) => {
      const have = new Set(current.agenda.map((i) => i.title));
      const items: NewItem[] = [];
      for (const p of pairs) {
        const title = `指南方向重叠:${p.a.departmentCode}「${p.da}」/ ${p.b.departmentCode}「${p.db}」`;
        if (have.has(title)) continue;
        items.push({ kind: 'guideline', guidelineIds: [p.a.id, p.b.id], title, reason: `共同词语:${p.terms.join('、')};相似度 ${p.similarity}` });
        have.add(title);
      }
      await this.insertItems(em, current, items);
      return { added: items.length };
    });
  }

  /** A department submits its annual guideline draft (指南) with its support directions. */
  async submitGuideline(caller: TaskCaller, input: { year: number; title: string; directions: string[] }): Promise<Guideline> {
    if (caller.role === 'READER') throw new ForbiddenError('a read-only key cannot submit guidelines');
    const problems: FieldProblem[] = [];
    if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2200) problems.push({ field: 'year', reason: 'must be a year' });
    if (!input.title?.trim()) problems.push({ field: 'title', reason: 'is required' });
    const directions = (input.directions ?? []).map((d) => d.trim()).filter(Boolean);
    if (!directions.length) problems.push({ field: 'directions', reason: 'name at least one support direction' });
    if (problems.length) throw new ValidationError(problems);
    const id = randomUUID();
    const at = this.clock.now();
    await this.ds.transaction(async (em) => {
      await em.query(`INSERT INTO guideline_draft (id, department_id, year, title, directions, status, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,'draft',$6,$6)`, [id, caller.departmentId, input.year, input.title.trim(), directions, at]);
      await this.history.append(em, { entityType: 'guideline', entityId: id, action: 'SUBMITTED', changes: { year: input.year, title: input.title.trim(), directions } }, this.actor(caller), at);
    });
    return (await this.guidelines()).find((g) => g.id === id)!;
  }

  async guidelines(year?: number): Promise<Guideline[]> {
    const rows = (await this.ds.query(
      `SELECT g.id, d.code, g.year, g.title, g.directions, g.status FROM guideline_draft g JOIN department d ON d.id = g.department_id ${year === undefined ? '' : 'WHERE g.year = $1'} ORDER BY g.year, d.code, g.created_at`,
      year === undefined ? [] : [year],
    )) as { id: string; code: string; year: number; title: string; directions: string[]; status: Guideline['status'] }[];
    return rows.map((r) => ({ id: r.id, departmentCode: r.code, year: r.year, title: r.title, directions: r.directions, status: r.status }));
  }

  /** Add an item by hand: a project (unified code), a duplicate alert, a fund proposal, or anything else. */
  async addItem(caller: TaskCaller, meetingId: string, input: { kind: string; projectCode?: string | null; alertId?: string | null; fundProposalId?: string | null; title: string; reason?: string | null }): Promise<Meeting> {
    this.leading(caller, 'edits the agenda');
    const problems: FieldProblem[] = [];
    const kinds: AgendaKind[] = ['project', 'duplicate_alert', 'credit_review', 'fund_proposal', 'other'];
    if (!kinds.includes(input.kind as AgendaKind)) problems.push({ field: 'kind', reason: `must be one of ${kinds.join(', ')}` });
    if (!input.title?.trim()) problems.push({ field: 'title', reason: 'is required' });
    let projectId: string | null = null;
    if (input.projectCode) {
      const [p] = (await this.ds.query(`SELECT id FROM project WHERE code = $1`, [normalProjectCode(input.projectCode)])) as { id: string }[];
      if (!p) problems.push({ field: 'projectCode', reason: `no project ${input.projectCode}` });
      else projectId = p.id;
    }
    if ((input.kind === 'project' || input.kind === 'credit_review') && !input.projectCode) problems.push({ field: 'projectCode', reason: `a ${input.kind} item names its project` });
    if (input.kind === 'duplicate_alert' && !input.alertId) problems.push({ field: 'alertId', reason: 'a duplicate_alert item names its alert' });
    if (input.kind === 'fund_proposal' && !input.fundProposalId) problems.push({ field: 'fundProposalId', reason: 'a fund_proposal item names its proposal' });
    if (problems.length) throw new ValidationError(problems);
    if (input.alertId) await this.dedup.alert(input.alertId);
    if (input.fundProposalId) await this.proposal(input.fundProposalId);
    return this.change(caller, meetingId, ['planned'], 'ITEM_ADDED', async (em, m) => {
      await this.insertItems(em, m, [{ kind: input.kind as AgendaKind, projectId, alertId: input.alertId, fundProposalId: input.fundProposalId, title: input.title.trim(), reason: input.reason?.trim() ?? '' }]);
      return { title: input.title.trim() };
    });
  }

  async freezeAgenda(caller: TaskCaller, meetingId: string): Promise<Meeting> {
    this.leading(caller, 'freezes the agenda');
    return this.change(caller, meetingId, ['planned'], 'AGENDA_FROZEN', async (em, m) => {
      if (!m.agenda.length) throw ValidationError.field('agenda', 'is empty: add or build items first');
      await em.query(`UPDATE meeting SET status = 'agenda_frozen' WHERE id = $1`, [meetingId]);
      return { items: m.agenda.length };
    });
  }

  async hold(caller: TaskCaller, meetingId: string): Promise<Meeting> {
    this.leading(caller, 'records that a meeting was held');
    return this.change(caller, meetingId, ['agenda_frozen'], 'HELD', async (em) => {
      await em.query(`UPDATE meeting SET status = 'held' WHERE id = $1`, [meetingId]);
      return {};
    });
  }

  /** The leading department attaches meeting materials (file references, as evidence files are); a file already attached (same reference) is not added twice. */
  async attachMaterials(caller: TaskCaller, meetingId: string, materials: EvidenceRef[]): Promise<Meeting> {
    this.leading(caller, 'attaches meeting materials');
    const problems: FieldProblem[] = [];
    if (!materials?.length) problems.push({ field: 'materials', reason: 'name at least one file' });
    (materials ?? []).forEach((e, i) => {
      if (!e?.name?.trim() || !e?.ref?.trim()) problems.push({ field: `materials[${i}]`, reason: 'needs a name and a file reference' });
    });
    if (problems.length) throw new ValidationError(problems);
    return this.change(caller, meetingId, ['planned', 'agenda_frozen', 'held', 'minutes_approved'], 'MATERIALS_ATTACHED', async (em, m) => {
      const have = new Set(m.materials.map((f) => f.ref));
      const added = materials.map((e) => ({ name: e.name.trim(), ref: e.ref.trim() })).filter((f) => !have.has(f.ref) && have.add(f.ref));
      await em.query(`UPDATE meeting SET materials = materials || $2::jsonb WHERE id = $1`, [meetingId, JSON.stringify(added)]);
      return { materials: added };
    });
  }

  /** A participating department records its own attendance. */
  async recordAttendance(caller: TaskCaller, meetingId: string, attendees: string[], attended: boolean): Promise<Meeting> {
    if (!attendees?.length && attended) throw ValidationError.field('attendees', 'name who attended');
    return this.change(caller, meetingId, ['planned', 'agenda_frozen', 'held'], 'ATTENDANCE', async (em, m) => {
      if (!m.participants.some((p) => p.departmentCode === caller.departmentCode)) throw new ForbiddenError(`${caller.departmentCode} does not take part in this meeting`);
      await em.query(`UPDATE meeting_participant SET attendees = $3, attended = $4 WHERE meeting_id = $1 AND department_id = $2`, [meetingId, caller.departmentId, attendees.map((a) => a.trim()).filter(Boolean), attended]);
      return { department: caller.departmentCode, attendees, attended };
    }, { anyParticipant: true });
  }

  /** The leading department records the decision on an item of a meeting that was held. */
  async decide(
    caller: TaskCaller,
    meetingId: string,
    itemId: string,
    input: { decision: string; rationale: string; alertOutcome?: string | null; referredTo?: string | null; division?: string | null; followUpTasks?: (Omit<TaskDraft, 'content'> & { content?: string | null })[] | null },
  ): Promise<Meeting> {
    this.leading(caller, 'records decisions');
    const problems: FieldProblem[] = [];
    if (!DECISIONS.includes(input.decision as Decision)) problems.push({ field: 'decision', reason: `must be one of ${DECISIONS.join(', ')}` });
    if (!input.rationale?.trim()) problems.push({ field: 'rationale', reason: 'is required' });
    if (input.decision === 'refer' && !input.referredTo?.trim()) problems.push({ field: 'referredTo', reason: 'name the sub-fund or department the item is referred to' });
    if (input.alertOutcome && !['confirmed', 'dismissed_related', 'dismissed_distinct'].includes(input.alertOutcome)) problems.push({ field: 'alertOutcome', reason: 'must be confirmed, dismissed_related or dismissed_distinct' });
    // Referred to a sub-fund, fund or department the platform knows, stored by its code.
    const target = input.referredTo?.trim() ? await this.requests.target(input.referredTo, 'referredTo', problems) : null;
    // The decision's follow-up tasks, checked as a task is (the content defaults to the rationale); created with the minutes.
    if ((input.followUpTasks?.length ?? 0) > 20) problems.push({ field: 'followUpTasks', reason: 'at most 20 tasks per decision' });
    const followUpTasks: TaskDraft[] = [];
    for (const [k, t] of (input.followUpTasks ?? []).entries()) {
      const checked = await this.tasks.check({ ...t, content: t.content?.trim() || input.rationale?.trim() }, `followUpTasks[${k}].`, problems);
      followUpTasks.push({ title: checked.title, content: checked.content, lead: checked.lead, cooperating: checked.cooperating, deadline: checked.deadlineText });
    }
    if (problems.length) throw new ValidationError(problems);
    return this.change(caller, meetingId, ['held'], 'DECIDED', async (em, m) => {
      const item = m.agenda.find((i) => i.id === itemId);
      if (!item) throw new NotFoundError('agenda item', itemId);
      if (item.kind === 'duplicate_alert' && !input.alertOutcome && input.decision !== 'defer' && input.decision !== 'more_information')
        throw ValidationError.field('alertOutcome', 'a decision on a duplicate alert says its outcome: confirmed, dismissed_related or dismissed_distinct');
      if (item.kind === 'guideline' && !input.division?.trim() && input.decision !== 'defer' && input.decision !== 'more_information')
        throw ValidationError.field('division', 'a decision on overlapping guideline directions says how they were divided');
      await em.query(`UPDATE agenda_item SET decision = $2, rationale = $3, alert_outcome = $4, referred_to = $5, division = $6, follow_up_tasks = $7, decided_at = $8 WHERE id = $1`, [
        itemId, input.decision, input.rationale.trim(), input.alertOutcome ?? null, target?.code ?? null, input.division?.trim() || null, JSON.stringify(followUpTasks), this.clock.now(),
      ]);
      return { item: item.seq, decision: input.decision };
    });
  }

  /** A participating department records whether it agrees with a decision. */
  async recordPosition(caller: TaskCaller, meetingId: string, itemId: string, agrees: boolean): Promise<Meeting> {
    return this.change(caller, meetingId, ['held'], 'POSITION', async (em, m) => {
      if (!m.participants.some((p) => p.departmentCode === caller.departmentCode)) throw new ForbiddenError(`${caller.departmentCode} does not take part in this meeting`);
      const item = m.agenda.find((i) => i.id === itemId);
      if (!item) throw new NotFoundError('agenda item', itemId);
      if (!item.decision) throw ValidationError.field('itemId', 'has no decision yet');
      await em.query(
        `UPDATE agenda_item SET agreed = array_remove(agreed, $2) || CASE WHEN $3 THEN ARRAY[$2] ELSE '{}'::text[] END,
                                dissented = array_remove(dissented, $2) || CASE WHEN $3 THEN '{}'::text[] ELSE ARRAY[$2] END WHERE id = $1`,
        [itemId, caller.departmentCode, agrees],
      );
      return { item: item.seq, agrees };
    }, { anyParticipant: true });
  }

  /**
   * Approve the minutes: every decision is written back — a project's history shows the consultation
   * and its decision (and where it was referred), and the project its latest decision; a duplicate
   * alert takes the meeting's outcome, a fund proposal is approved or rejected by a fund-establishment
   * meeting; the requests and flags the items came from are settled, and the decisions' follow-up
   * tasks are set, each linked to its meeting and item.
   */
  async approveMinutes(caller: TaskCaller, meetingId: string, minutes: string): Promise<Meeting> {
    this.leading(caller, 'approves the minutes');
    if (!minutes?.trim()) throw ValidationError.field('minutes', 'are required');
    const alertDecisions: { id: string; outcome: AlertOutcome; reason: string }[] = [];
    // The alerts' projects, read before the meeting's transaction (the embedded database has one connection).
    const pending = await this.get(caller, meetingId);
    const alertProjects = new Map<string, string[]>();
    for (const i of pending.agenda) if (i.alertId) alertProjects.set(i.alertId, await this.dedup.alert(i.alertId).then((a) => [a.projectA, a.projectB]));
    // The decisions' follow-up tasks, checked as `createTask` checks them (numbered when they are written).
    const tasks = new Map<string, PreparedTask[]>();
    for (const i of pending.agenda)
      for (const t of i.followUpTasks)
        tasks.set(i.id, [...(tasks.get(i.id) ?? []), await this.tasks.prepare(caller, { ...t, number: '', source: `${pending.title} 第 ${i.seq} 项议题`, meetingId, agendaItemId: i.id }, { numbered: false })]);
    return this.change(caller, meetingId, ['held'], 'MINUTES_APPROVED', async (em, m) => {
      const undecided = m.agenda.filter((i) => !i.decision);
      if (undecided.length) throw ValidationError.field('agenda', `items ${undecided.map((i) => i.seq).join(', ')} have no decision yet`);
      await em.query(`UPDATE meeting SET status = 'minutes_approved', minutes = $2 WHERE id = $1`, [meetingId, minutes.trim()]);
      const at = this.clock.now();
      // Deferred, or waiting for more information: the request and the flag come back for a later meeting.
      const settles = (d: Decision | null) => d !== 'defer' && d !== 'more_information';
      const requestSettled = new Map<string, boolean>();
      for (const i of m.agenda) if (i.requestId) requestSettled.set(i.requestId, (requestSettled.get(i.requestId) ?? false) || settles(i.decision));
      // Each item's projects: its own, and an alert's two. Locked once, in id order; their history written in one statement below.
      const itemProjects = new Map(m.agenda.map((i) => [i.id, [...(i.projectId ? [i.projectId] : []), ...(i.alertId ? (alertProjects.get(i.alertId) ?? []) : [])]]));
      await lockProjects(em, [...itemProjects.values()].flat());
      const actor = this.actor(caller);
      const history: Parameters<HistoryRepository['appendMany']>[1] = [];
      const consulted: { projectId: string; item: AgendaItem }[] = [];
      for (const i of m.agenda) {
        if (i.alertId && i.alertOutcome) alertDecisions.push({ id: i.alertId, outcome: i.alertOutcome, reason: `${m.title}: ${i.rationale}` });
        for (const pid of itemProjects.get(i.id)!) {
          history.push({ input: { entityType: 'project', entityId: pid, action: 'CONSULTATION_DECISION', reason: i.rationale, changes: { meeting: m.title, meetingId: m.id, item: i.seq, decision: i.decision, referredTo: i.referredTo, agreed: i.agreed, dissented: i.dissented } }, actor, at });
          consulted.push({ projectId: pid, item: i });
        }
        if (i.requestId) {
          const settled = requestSettled.get(i.requestId) === true;
          await em.query(`UPDATE consultation_request SET status = $3, meeting_id = CASE WHEN $3 = 'pending' THEN NULL ELSE meeting_id END, updated_at = $2 WHERE id = $1 AND status = 'scheduled'`, [i.requestId, at, settled ? 'decided' : 'pending']);
        }
        if (i.flagId) await em.query(`UPDATE project_flag SET status = $3, meeting_id = CASE WHEN $3 = 'open' THEN NULL ELSE meeting_id END, updated_at = $2 WHERE id = $1`, [i.flagId, at, settles(i.decision) ? 'resolved' : 'open']);
        for (const g of i.guidelineIds) {
          await em.query(`UPDATE guideline_draft SET status = 'compiled', updated_at = $2 WHERE id = $1`, [g, at]);
          history.push({ input: { entityType: 'guideline', entityId: g, action: 'COMPILED', reason: i.rationale, changes: { meeting: m.title, item: i.title, decision: i.decision, division: i.division } }, actor, at });
        }
        if (i.fundProposalId) {
          if (m.kind !== 'fund_establishment') throw ValidationError.field('agenda', `item ${i.seq} decides a fund proposal, which only a fund-establishment meeting does`);
          const status = i.decision === 'approve' ? 'approved' : i.decision === 'reject' ? 'rejected' : null;
          if (status) {
            await em.query(`UPDATE fund_proposal SET status = $2, decided_in = $3, updated_at = $4 WHERE id = $1 AND status = 'proposed'`, [i.fundProposalId, status, meetingId, at]);
            history.push({ input: { entityType: 'fund_proposal', entityId: i.fundProposalId, action: status === 'approved' ? 'APPROVED_BY_MEETING' : 'REJECTED_BY_MEETING', reason: i.rationale, changes: { meeting: m.title } }, actor, at });
          }
        }
      }
      await this.history.appendMany(em, history);
      if (consulted.length)
        await em.query(
          `INSERT INTO project_consultation (project_id, agenda_item_id, meeting_id, decision, rationale, referred_to, approved_at)
           SELECT t.p, t.i, $1, t.d, t.r, t.ref, $2 FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[]) AS t(p, i, d, r, ref) ON CONFLICT DO NOTHING`,
          [m.id, at, consulted.map((c) => c.projectId), consulted.map((c) => c.item.id), consulted.map((c) => c.item.decision), consulted.map((c) => c.item.rationale), consulted.map((c) => c.item.referredTo)],
        );
      // The alerts take the meeting's outcomes in this same transaction: the minutes and the alerts stand together.
      for (const d of alertDecisions) await this.dedup.decideByMeeting(this.actor(caller), d.id, d.outcome, d.reason, em);
      // The decisions' tasks, numbered under a lock in this transaction (two meetings' minutes at once take different numbers).
      const numbers = await this.tasks.insertNumbered(em, m.agenda.flatMap((i) => tasks.get(i.id) ?? []));
      return { decisions: m.agenda.length, tasks: numbers };
    });
  }

  async get(caller: TaskCaller | null, id: string): Promise<Meeting> {
    requireUuid('id', id, 'is not a meeting id');
    const m = await this.load(this.ds.manager, id);
    if (!m) throw new NotFoundError('meeting', id);
    if (caller && !this.mayRead(caller, m)) throw new ForbiddenError(`${caller.departmentCode} does not take part in this meeting`);
    return m;
  }

  async list(caller: TaskCaller, filter: { kind?: string; year?: number; department?: string; status?: string } = {}): Promise<Meeting[]> {
    return (await this.loadMany(this.ds.manager, null)).filter(
      (m) =>
        this.mayRead(caller, m) &&
        (!filter.kind || m.kind === filter.kind) &&
        (filter.year === undefined || m.year === filter.year) &&
        (!filter.status || m.status === filter.status) &&
        (!filter.department || m.participants.some((p) => p.departmentCode === filter.department)),
    );
  }

  // ------------------------------------------------------------------ fund proposals

  /** A department proposes a new fund; the overlap check against every fund and sub-fund comes with it. */
  async propose(caller: TaskCaller, input: { name: string; direction: string; budgetFen?: bigint | null }): Promise<FundProposal> {
    if (caller.role === 'READER') throw new ForbiddenError('a read-only key cannot propose funds');
    if (!input.direction?.trim()) throw ValidationError.field('direction', 'is required');
    const overlaps = await this.dedup.fundOverlap(input.name, input.direction);
    const id = randomUUID();
    const at = this.clock.now();
    await this.ds.transaction(async (em) => {
      await em.query(`INSERT INTO fund_proposal (id, department_id, name, direction, budget_fen, overlap_check, status, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,'proposed',$7,$7)`, [
        id, caller.departmentId, input.name.trim(), input.direction.trim(), input.budgetFen?.toString() ?? null, JSON.stringify(overlaps), at,
      ]);
      await this.history.append(em, { entityType: 'fund_proposal', entityId: id, action: 'PROPOSED', changes: { name: input.name.trim(), overlaps: overlaps.map((o) => `${o.level} ${o.fundCode}${o.subFundCode ? `-${o.subFundCode}` : ''} ${o.name}`) } }, this.actor(caller), at);
    });
    return this.proposal(id);
  }

  /**
   * Create the fund a fund-establishment meeting approved (000 §五(二)3), by its proposing department
   * or the leading department; the proposal then goes to the leading-group office.
   */
  async establish(caller: TaskCaller, proposalId: string): Promise<FundProposal> {
    const p = await this.proposal(proposalId);
    if (caller.role !== 'LEADING' && caller.departmentCode !== p.departmentCode) throw new ForbiddenError('the proposing department or the leading department establishes the fund');
    if (p.status !== 'approved') throw new DomainError(ErrorCode.RULE_VIOLATION, `fund proposal "${p.name}" is ${p.status}: only a proposal a fund-establishment meeting approved becomes a fund`, { rule: 'FUND_ESTABLISHMENT_MEETING', current: p.status });
    const dept = (await this.reference.resolveDepartment(p.departmentCode))!;
    const fundId = await this.reference.registerFund({ departmentId: dept.id, jurisdictionCode: dept.jurisdictionCode, name: p.name });
    const at = this.clock.now();
    await this.ds.transaction(async (em) => {
      await em.query(`UPDATE fund_proposal SET status = 'sent_to_leading_group', fund_id = $2, updated_at = $3 WHERE id = $1`, [proposalId, fundId, at]);
      await this.history.append(em, { entityType: 'fund_proposal', entityId: proposalId, action: 'ESTABLISHED', changes: { fundId, status: 'sent_to_leading_group' } }, this.actor(caller), at);
    });
    return this.proposal(proposalId);
  }

  async proposals(): Promise<FundProposal[]> {
    return this.proposalRows(null);
  }

  async proposal(id: string): Promise<FundProposal> {
    requireUuid('fundProposalId', id, 'is not a proposal id');
    const [p] = await this.proposalRows(id);
    if (!p) throw new NotFoundError('fund proposal', id);
    return p;
  }

  /** One proposal, or all of them (null) in one query. */
  private async proposalRows(id: string | null): Promise<FundProposal[]> {
    const rows = (await this.ds.query(
      `SELECT p.*, d.code AS department_code, f.code AS fund_code FROM fund_proposal p JOIN department d ON d.id = p.department_id LEFT JOIN fund f ON f.id = p.fund_id
        WHERE $1::uuid IS NULL OR p.id = $1 ORDER BY p.created_at, p.id`,
      [id],
    )) as { id: string; department_code: string; name: string; direction: string; budget_fen: string | null; overlap_check: FundOverlap[]; status: FundProposal['status']; decided_in: string | null; fund_code: string | null }[];
    return rows.map((r) => ({ id: r.id, departmentCode: r.department_code, name: r.name, direction: r.direction, budgetFen: r.budget_fen === null ? null : BigInt(r.budget_fen), overlaps: r.overlap_check, status: r.status, decidedIn: r.decided_in, fundCode: r.fund_code }));
  }

  // ------------------------------------------------------------------ internals

  private async change(caller: TaskCaller, meetingId: string, from: MeetingStatus[], action: string, work: (em: EntityManager, m: Meeting) => Promise<Record<string, unknown>>, opts: { anyParticipant?: boolean } = {}): Promise<Meeting> {
    requireUuid('meetingId', meetingId, 'is not a meeting id');
    const at = this.clock.now();
    await this.ds.transaction(async (em) => {
      const locked = (await em.query(`SELECT id FROM meeting WHERE id = $1 FOR UPDATE`, [meetingId])) as unknown[];
      if (!locked.length) throw new NotFoundError('meeting', meetingId);
      const m = (await this.load(em, meetingId))!;
      if (!opts.anyParticipant && m.convenedBy !== caller.departmentCode) throw new ForbiddenError(`only the convening department (${m.convenedBy}) edits this meeting`);
      if (!from.includes(m.status)) throw new DomainError(ErrorCode.INVALID_TRANSITION, `meeting "${m.title}" is ${m.status}; this needs ${from.join(' or ')}`, { current: m.status, allowed: from });
      const changes = await work(em, m);
      await em.query(`UPDATE meeting SET updated_at = $2 WHERE id = $1`, [meetingId, at]);
      await this.history.append(em, { entityType: 'meeting', entityId: meetingId, action, changes }, this.actor(caller), at);
    });
    return this.get(null, meetingId);
  }

  private async load(em: EntityManager, id: string): Promise<Meeting | null> {
    return (await this.loadMany(em, [id]))[0] ?? null;
  }

  /** These meetings (all with null), latest first: three queries however many there are. */
  private async loadMany(em: EntityManager, ids: string[] | null): Promise<Meeting[]> {
    const meetings = (await em.query(
      `SELECT m.*, d.code AS convened_code FROM meeting m JOIN department d ON d.id = m.convened_by WHERE $1::uuid[] IS NULL OR m.id = ANY($1::uuid[]) ORDER BY m.starts_at DESC, m.id`,
      [ids],
    )) as { id: string; kind: MeetingKind; title: string; convened_code: string; starts_at: Date; place: string; year: number; status: MeetingStatus; minutes: string; materials: EvidenceRef[] }[];
    if (!meetings.length) return [];
    const mids = meetings.map((m) => m.id);
    const participants = (await em.query(
      `SELECT p.meeting_id, d.code, p.attendees, p.attended FROM meeting_participant p JOIN department d ON d.id = p.department_id WHERE p.meeting_id = ANY($1::uuid[]) ORDER BY d.code`,
      [mids],
    )) as { meeting_id: string; code: string; attendees: string[]; attended: boolean | null }[];
    const items = (await em.query(`SELECT a.*, p.code AS project_code FROM agenda_item a LEFT JOIN project p ON p.id = a.project_id WHERE a.meeting_id = ANY($1::uuid[]) ORDER BY a.seq`, [mids])) as {
      id: string; meeting_id: string; seq: number; kind: AgendaKind; project_id: string | null; project_code: string | null; alert_id: string | null; fund_proposal_id: string | null; guideline_ids: string[]; title: string; reason: string;
      decision: Decision | null; rationale: string; alert_outcome: AlertOutcome | null; referred_to: string | null; division: string | null; request_id: string | null; flag_id: string | null; follow_up_tasks: TaskDraft[];
      agreed: string[]; dissented: string[]; decided_at: Date | null;
    }[];
    return meetings.map((m) => ({
      id: m.id, kind: m.kind, title: m.title, convenedBy: m.convened_code, startsAt: m.starts_at, place: m.place, year: m.year, status: m.status, minutes: m.minutes, materials: m.materials,
      participants: participants.filter((p) => p.meeting_id === m.id).map((p) => ({ departmentCode: p.code, attendees: p.attendees, attended: p.attended })),
      agenda: items.filter((i) => i.meeting_id === m.id).map((i) => ({
        id: i.id, seq: i.seq, kind: i.kind, projectId: i.project_id, projectCode: i.project_code?.trim() ?? null, alertId: i.alert_id, fundProposalId: i.fund_proposal_id, guidelineIds: i.guideline_ids, title: i.title, reason: i.reason,
        decision: i.decision, rationale: i.rationale, alertOutcome: i.alert_outcome, referredTo: i.referred_to, division: i.division, requestId: i.request_id, flagId: i.flag_id, followUpTasks: i.follow_up_tasks,
        agreed: i.agreed, dissented: i.dissented, decidedAt: i.decided_at,
      })),
    }));
  }

  /** Add items after those on the agenda, numbered on. */
  private async insertItems(em: EntityManager, m: Meeting, items: NewItem[]): Promise<void> {
    let seq = m.agenda.length;
    for (const i of items)
      await em.query(`INSERT INTO agenda_item (id, meeting_id, seq, kind, project_id, alert_id, fund_proposal_id, guideline_ids, request_id, flag_id, title, reason) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`, [
        randomUUID(), m.id, ++seq, i.kind, i.projectId ?? null, i.alertId ?? null, i.fundProposalId ?? null, i.guidelineIds ?? [], i.requestId ?? null, i.flagId ?? null, i.title, i.reason,
      ]);
  }

  private mayRead(caller: TaskCaller, m: Meeting): boolean {
    return caller.role === 'LEADING' || caller.role === 'INFORMATION_CENTER' || m.participants.some((p) => p.departmentCode === caller.departmentCode);
  }

  private leading(caller: TaskCaller, what: string): void {
    if (caller.role !== 'LEADING') throw new ForbiddenError(`the leading department ${what}`);
  }

  private actor(caller: TaskCaller): Actor {
    return { departmentId: caller.departmentId, apiKeyId: caller.apiKeyId };
  }
}
