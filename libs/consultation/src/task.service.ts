import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { ReferenceService } from '#reference';
import { Clock, ForbiddenError, NotFoundError, requireUuid, ValidationError, type FieldProblem } from '#shared/core/index.js';

/** Who acts: a department's key as the gateway or the CLI resolved it. */
export interface TaskCaller {
  departmentId: string;
  departmentCode: string;
  role: 'STAFF' | 'LEADING' | 'INFORMATION_CENTER' | 'READER';
  apiKeyId: string | null;
}

export type DeadlineKind = 'date' | 'year_end' | 'ongoing';
export type TaskStatus = 'open' | 'done' | 'cancelled';

export interface FollowUpTask {
  id: string;
  /** "3" for a task with one item; "3.2" for the second item of task 3. */
  number: string;
  taskNumber: number;
  title: string;
  section: string | null;
  content: string;
  /** Departments as the source names them (市科委), and the codes of those the platform knows (KW). */
  lead: string[];
  cooperating: string[];
  leadCodes: string[];
  cooperatingCodes: string[];
  /** The deadline as written ("2018 年底", "持续推进", "2026-06-30"), its kind, and the day it falls due (none when ongoing). */
  deadlineText: string;
  deadlineKind: DeadlineKind;
  dueDate: string | null;
  status: TaskStatus;
  overdueSince: string | null;
  source: string;
  /** The meeting and agenda item whose decision set the task, if one did. */
  meetingId: string | null;
  agendaItemId: string | null;
  progress: { departmentCode: string; note: string; at: Date }[];
}

export interface TaskFilter {
  /** Department code: tasks it leads or cooperates on. */
  department?: string;
  status?: TaskStatus[];
  /** Only open tasks past their due date (as of today). */
  overdue?: boolean;
  /** Only open tasks due within this many days from today. */
  dueWithinDays?: number;
  /** Only tasks set by this meeting's decisions. */
  meetingId?: string;
}

/** A planned deadline as written: a date, an end of year ("2018 年底", "2018年底", "2018 年末"), or ongoing ("持续推进"). */
export function parseDeadline(text: string): { kind: DeadlineKind; dueDate: string | null } | null {
  const t = text.trim();
  if (/^(持续推进|长期|持续)$/.test(t) || /^ongoing$/i.test(t)) return { kind: 'ongoing', dueDate: null };
  const year = /^(\d{4})\s*年\s*(底|末)$/.exec(t);
  if (year) return { kind: 'year_end', dueDate: `${year[1]}-12-31` };
  if (/^\d{4}-\d{2}-\d{2}$/.test(t) && !Number.isNaN(Date.parse(t))) return { kind: 'date', dueDate: t };
  return null;
}

/** A task's own fields, as a meeting decision carries them before the task has a number. */
export interface TaskDraft {
  title: string;
  content: string;
  lead: string[];
  cooperating?: string[];
  deadline: string;
}

export interface TaskInput extends TaskDraft {
  number: string;
  source?: string;
  /** The meeting and agenda item whose decision the task comes out of. */
  meetingId?: string | null;
  agendaItemId?: string | null;
}

type CheckedTask = Pick<FollowUpTask, 'title' | 'content' | 'lead' | 'cooperating' | 'leadCodes' | 'cooperatingCodes' | 'deadlineText' | 'deadlineKind' | 'dueDate'>;
export type PreparedTask = CheckedTask & Pick<FollowUpTask, 'id' | 'number' | 'taskNumber' | 'source' | 'meetingId' | 'agendaItemId'>;

interface Row {
  id: string;
  number: string;
  task_number: number;
  title: string;
  section: string | null;
  content: string;
  lead: string[];
  cooperating: string[];
  lead_codes: string[];
  cooperating_codes: string[];
  deadline_text: string;
  deadline_kind: DeadlineKind;
  due_date: string | null;
  status: TaskStatus;
  overdue_since: string | null;
  source: string;
  meeting_id: string | null;
  agenda_item_id: string | null;
}

const SELECT = `SELECT *, to_char(due_date, 'YYYY-MM-DD') AS due_date, to_char(overdue_since, 'YYYY-MM-DD') AS overdue_since FROM follow_up_task`;

/**
 * Follow-up tasks of the linkage (004; DOMAIN §7): created by the leading department or loaded from
 * a task table, progress recorded by the departments involved, overdue and due-soon tasks listed per
 * department, and marked by the daily job.
 */
@Injectable()
export class TaskService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly reference: ReferenceService,
    private readonly clock: Clock,
  ) {}

  today(): string {
    return this.clock.now().toISOString().slice(0, 10);
  }

  /** Load a task table (seeds/tasks/*.json): one task per item, numbered "n" or "n.k"; idempotent by number. */
  async load(table: { source: string; tasks: { number: number; title: string; section: string | null; items: { content: string; lead: string[]; cooperating: string[]; deadline: string }[] }[] }): Promise<number> {
    let added = 0;
    for (const t of table.tasks) {
      for (const [k, item] of t.items.entries()) {
        const number = t.items.length === 1 ? String(t.number) : `${t.number}.${k + 1}`;
        const deadline = parseDeadline(item.deadline);
        if (!deadline) throw ValidationError.field(`tasks[${t.number}].deadline`, `"${item.deadline}" is not a date, an end of year or 持续推进`);
        const rows = (await this.ds.query(
          `INSERT INTO follow_up_task (id, number, task_number, title, section, content, lead, cooperating, lead_codes, cooperating_codes, deadline_text, deadline_kind, due_date, status, source, created_at, updated_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,'open',$14,$15,$15) ON CONFLICT (number) DO NOTHING RETURNING id`,
          [randomUUID(), number, t.number, t.title, t.section, item.content, item.lead, item.cooperating, await this.codes(item.lead), await this.codes(item.cooperating), item.deadline, deadline.kind, deadline.dueDate, table.source, this.clock.now()],
        )) as unknown[];
        added += rows.length;
      }
    }
    return added;
  }

  /** A task out of a decision or set directly, by the leading department. */
  async create(caller: TaskCaller, input: TaskInput): Promise<FollowUpTask> {
    const task = await this.prepare(caller, input);
    await this.insert(this.ds.manager, task);
    return this.get(task.id);
  }

  /**
   * Everything `create` checks, without writing: the leading department, a free number, the fields.
   * A meeting's minutes prepare their tasks without a number (`insertNumbered` gives them the next
   * free ones in the minutes' transaction).
   */
  async prepare(caller: TaskCaller, input: TaskInput, opts: { numbered?: boolean } = {}): Promise<PreparedTask> {
    if (caller.role !== 'LEADING') throw new ForbiddenError('the leading department sets follow-up tasks');
    const numbered = opts.numbered ?? true;
    const problems: FieldProblem[] = [];
    if (numbered && (!input.number?.trim() || input.number.length > 20)) problems.push({ field: 'number', reason: 'must be 1 to 20 characters' });
    const checked = await this.check(input, '', problems);
    if (problems.length) throw new ValidationError(problems);
    if (numbered) {
      const existing = (await this.ds.query(`SELECT 1 FROM follow_up_task WHERE number = $1`, [input.number.trim()])) as unknown[];
      if (existing.length) throw ValidationError.field('number', `task ${input.number} exists already`);
    }
    const taskNumber = Number.parseInt(input.number, 10);
    return {
      ...checked, id: randomUUID(), number: input.number.trim(), taskNumber: Number.isFinite(taskNumber) ? taskNumber : 0,
      source: input.source ?? caller.departmentCode, meetingId: input.meetingId ?? null, agendaItemId: input.agendaItemId ?? null,
    };
  }

  /** A task's own fields checked as `create` checks them, each problem named under `prefix` (e.g. "followUpTasks[0]."). */
  async check(input: TaskDraft, prefix = '', problems: FieldProblem[] = []): Promise<CheckedTask> {
    const field = (name: string) => `${prefix}${name}`;
    if (!input.title?.trim()) problems.push({ field: field('title'), reason: 'is required' });
    if (!input.content?.trim()) problems.push({ field: field('content'), reason: 'is required' });
    if (!input.lead?.length) problems.push({ field: field('lead'), reason: 'name at least one lead department' });
    const deadline = parseDeadline(input.deadline ?? '');
    if (!deadline) problems.push({ field: field('deadline'), reason: 'must be a date YYYY-MM-DD, an end of year such as "2026 年底", or 持续推进' });
    const leadCodes = await this.codes(input.lead ?? [], true, field('lead'), problems);
    const cooperatingCodes = await this.codes(input.cooperating ?? [], true, field('cooperating'), problems);
    return {
      title: input.title?.trim() ?? '', content: input.content?.trim() ?? '', lead: input.lead ?? [], cooperating: input.cooperating ?? [], leadCodes, cooperatingCodes,
      deadlineText: input.deadline?.trim() ?? '', deadlineKind: deadline?.kind ?? 'ongoing', dueDate: deadline?.dueDate ?? null,
    };
  }

  /**
   * Write prepared tasks in the caller's transaction, numbered after the last task: the numbers are
   * taken under a transaction lock, so two transactions doing this at once do not take the same one.
   */
  async insertNumbered(em: EntityManager, tasks: PreparedTask[]): Promise<string[]> {
    if (!tasks.length) return [];
    await em.query(`SELECT pg_advisory_xact_lock(hashtext('follow_up_task.number'))`);
    const [{ n }] = (await em.query(`SELECT coalesce(max(task_number), 0) + 1 AS n FROM follow_up_task`)) as { n: number }[];
    const numbered = tasks.map((t, k) => ({ ...t, number: String(Number(n) + k), taskNumber: Number(n) + k }));
    for (const t of numbered) await this.insert(em, t);
    return numbered.map((t) => t.number);
  }

  /** Write a prepared task, in the caller's transaction. */
  async insert(em: EntityManager, t: PreparedTask): Promise<void> {
    await em.query(
      `INSERT INTO follow_up_task (id, number, task_number, title, section, content, lead, cooperating, lead_codes, cooperating_codes, deadline_text, deadline_kind, due_date, status, source, meeting_id, agenda_item_id, created_at, updated_at)
       VALUES ($1,$2,$3,$4,NULL,$5,$6,$7,$8,$9,$10,$11,$12,'open',$13,$14,$15,$16,$16)`,
      [t.id, t.number, t.taskNumber, t.title, t.content, t.lead, t.cooperating, t.leadCodes, t.cooperatingCodes, t.deadlineText, t.deadlineKind, t.dueDate, t.source, t.meetingId, t.agendaItemId, this.clock.now()],
    );
  }

  async get(id: string): Promise<FollowUpTask> {
    requireUuid('id', id, 'is not a task id');
    const rows = (await this.ds.query(`${SELECT} WHERE id = $1`, [id])) as Row[];
    if (!rows[0]) throw new NotFoundError('task', id);
    return (await this.withProgress(rows))[0]!;
  }

  async list(filter: TaskFilter = {}): Promise<FollowUpTask[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => (params.push(v), `$${params.length}`);
    const today = this.today();
    if (filter.department) {
      const d = await this.reference.requireDepartment('department', filter.department);
      where.push(`(${p(d.code)} = ANY(lead_codes) OR $${params.length} = ANY(cooperating_codes))`);
    }
    if (filter.status?.length) where.push(`status = ANY(${p(filter.status)}::text[])`);
    if (filter.overdue) where.push(`status = 'open' AND due_date < ${p(today)}::date`);
    if (filter.dueWithinDays !== undefined) {
      if (!Number.isInteger(filter.dueWithinDays) || filter.dueWithinDays < 0 || filter.dueWithinDays > 3660) throw ValidationError.field('dueWithinDays', 'must be 0 to 3660');
      where.push(`status = 'open' AND due_date >= ${p(today)}::date AND due_date <= ${p(today)}::date + ${p(filter.dueWithinDays)}::int`);
    }
    if (filter.meetingId) {
      requireUuid('meetingId', filter.meetingId, 'is not a meeting id');
      where.push(`meeting_id = ${p(filter.meetingId)}`);
    }
    const rows = (await this.ds.query(`${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY task_number, number`, params)) as Row[];
    return this.withProgress(rows);
  }

  /** A department involved (or the leading department) notes progress. */
  async recordProgress(caller: TaskCaller, id: string, note: string): Promise<FollowUpTask> {
    const task = await this.get(id);
    this.mayReport(caller, task);
    if (!note?.trim() || note.length > 4000) throw ValidationError.field('note', 'must be 1 to 4,000 characters');
    await this.ds.query(`INSERT INTO follow_up_progress (task_id, department_id, note, at) VALUES ($1, $2, $3, $4)`, [id, caller.departmentId, note.trim(), this.clock.now()]);
    return this.get(id);
  }

  /** A lead department (or the leading department) closes a task as done or cancelled, with a note. */
  async close(caller: TaskCaller, id: string, status: 'done' | 'cancelled', note: string): Promise<FollowUpTask> {
    const task = await this.get(id);
    if (caller.role !== 'LEADING' && !task.leadCodes.includes(caller.departmentCode)) throw new ForbiddenError(`only a lead department of task ${task.number} (${task.lead.join('、')}) or the leading department closes it`);
    if (status !== 'done' && status !== 'cancelled') throw ValidationError.field('status', 'must be done or cancelled');
    if (!note?.trim()) throw ValidationError.field('note', 'say why the task is closed');
    if (task.status !== 'open') throw ValidationError.field('status', `task ${task.number} is ${task.status} already`);
    await this.ds.transaction(async (em) => {
      await em.query(`UPDATE follow_up_task SET status = $2, updated_at = $3 WHERE id = $1`, [id, status, this.clock.now()]);
      await em.query(`INSERT INTO follow_up_progress (task_id, department_id, note, at, kind) VALUES ($1, $2, $3, $4, $5)`, [id, caller.departmentId, `[${status}] ${note.trim()}`, this.clock.now(), status]);
    });
    return this.get(id);
  }

  /** The daily mark: open tasks past their due date get the day they became overdue. */
  async markOverdue(): Promise<number> {
    const rows = (await this.ds.query(
      `UPDATE follow_up_task SET overdue_since = due_date + 1 WHERE status = 'open' AND due_date < $1::date AND overdue_since IS NULL RETURNING id`,
      [this.today()],
    )) as [unknown[], number] | unknown[];
    return Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
  }

  private mayReport(caller: TaskCaller, task: FollowUpTask): void {
    if (caller.role === 'READER') throw new ForbiddenError('a read-only key cannot record progress');
    if (caller.role === 'LEADING' || task.leadCodes.includes(caller.departmentCode) || task.cooperatingCodes.includes(caller.departmentCode)) return;
    throw new ForbiddenError(`only the departments of task ${task.number} (${[...task.lead, ...task.cooperating].join('、')}) record its progress`);
  }

  /** Codes of the departments the platform knows among these names; with `strict`, an unknown name is a problem. */
  private async codes(names: string[], strict = false, field = 'lead', problems: FieldProblem[] = []): Promise<string[]> {
    const out: string[] = [];
    for (const n of names) {
      const d = await this.reference.resolveDepartment(n);
      if (d) out.push(d.code);
      else if (strict) problems.push({ field, reason: `"${n}" is not a known department` });
    }
    return [...new Set(out)];
  }

  private async withProgress(rows: Row[]): Promise<FollowUpTask[]> {
    if (rows.length === 0) return [];
    const notes = (await this.ds.query(
      `SELECT g.task_id, d.code, g.note, g.at FROM follow_up_progress g JOIN department d ON d.id = g.department_id WHERE g.task_id = ANY($1::uuid[]) ORDER BY g.id`,
      [rows.map((r) => r.id)],
    )) as { task_id: string; code: string; note: string; at: Date }[];
    return rows.map((r) => ({
      id: r.id,
      number: r.number,
      taskNumber: r.task_number,
      title: r.title,
      section: r.section,
      content: r.content,
      lead: r.lead,
      cooperating: r.cooperating,
      leadCodes: r.lead_codes,
      cooperatingCodes: r.cooperating_codes,
      deadlineText: r.deadline_text,
      deadlineKind: r.deadline_kind,
      dueDate: r.due_date,
      status: r.status,
      overdueSince: r.overdue_since,
      source: r.source,
      meetingId: r.meeting_id,
      agendaItemId: r.agenda_item_id,
      progress: notes.filter((n) => n.task_id === r.id).map((n) => ({ departmentCode: n.code, note: n.note, at: n.at })),
    }));
  }
}
