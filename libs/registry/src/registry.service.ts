import { CreditService } from '#credit';
import { DedupService, MatchIndex } from '#dedup';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DATABASE_CONNECTION, type DatabaseConnection } from '#shared/database/index.js';
import type { EntityManager } from 'typeorm';
import { departmentSegment, formatProjectCode, parseProjectCode, validateUscc } from '#encoding';
import { HistoryRepository, diff, type Actor } from '#history';
import { namesFund, ReferenceService, type Department, type Fund } from '#reference';
import { Clock, DomainError, ErrorCode, ForbiddenError, NotFoundError, ValidationError, type FieldProblem } from '#shared/core/index.js';
import { checkFundRules, paymentSchedule, type FundRules } from './fund-rules.js';
import { checkTransition, EXTENDABLE, isProjectStatus, MAX_EXTENSION_MONTHS, ProjectStatus, STATUS_NAMES, type Actor as LifecycleActor } from './lifecycle.js';
import { fenToYuan, yuanToFen, type Fen } from './money.js';
import { normaliseName, validateIdNumber } from './names.js';
import { OrganisationRepository, type Organisation } from './organisation.repository.js';
import { findRecordCandidates, ProjectRepository, type ProjectFilter, type ProjectRow } from './project.repository.js';
import { DelegationRepository } from './delegation.repository.js';
import { UnlinkedRecordRepository, type UnlinkedRecord } from './unlinked-record.repository.js';
import type { Caller, DepartmentRecordInput, LinkRecordResult, Payment, ProjectFieldsInput, ProjectView, RegisterProjectInput } from './registry.types.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Reference data read once before a write's transaction (inside it, only the transaction's connection may be used). */
interface RefSnapshot {
  departments: Department[];
  funds: Fund[];
  categories: { code: string }[];
  methods: { code: string; name: string }[];
  catalogItems: { code: string; name: string }[];
}
const WRITE_ROLES = new Set<Caller['role']>(['STAFF', 'LEADING', 'INFORMATION_CENTER']);

function validDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
}

/** A project's fields as history records them (money as yuan strings, so entries read well and hash stably). */
function snapshot(p: ProjectRow): Record<string, unknown> {
  return {
    code: p.code,
    departmentId: p.departmentId,
    fundId: p.fundId,
    subFundId: p.subFundId,
    categoryCode: p.categoryCode,
    supportMethodCode: p.supportMethodCode,
    catalogItemCode: p.catalogItemCode,
    year: p.year,
    title: p.title,
    summary: p.summary,
    keywords: p.keywords,
    organisationId: p.organisationId,
    leaderId: p.leaderId,
    requestedYuan: p.requestedFen === null ? null : fenToYuan(p.requestedFen),
    approvedYuan: p.approvedFen === null ? null : fenToYuan(p.approvedFen),
    selfRaisedYuan: p.selfRaisedFen === null ? null : fenToYuan(p.selfRaisedFen),
    totalInvestmentYuan: p.totalInvestmentFen === null ? null : fenToYuan(p.totalInvestmentFen),
    plannedStart: p.plannedStart,
    plannedEnd: p.plannedEnd,
    extensionMonths: p.extensionMonths,
    status: p.status,
    attributes: p.attributes,
  };
}

/** What a registration recorded: the fields it set (empty ones left out). */
function registered(p: ProjectRow): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(snapshot(p)).filter(([, v]) => v !== null && v !== '' && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)),
  );
}

/**
 * The unified project registry: registration with a unified code, changes by the owning
 * department, the lifecycle, extensions, the crosswalk of department IDs, and history (留痕)
 * written in the same transaction as every change.
 */
@Injectable()
export class RegistryService {
  constructor(
    private readonly projects: ProjectRepository,
    private readonly organisations: OrganisationRepository,
    private readonly history: HistoryRepository,
    private readonly reference: ReferenceService,
    private readonly clock: Clock,
    private readonly delegations: DelegationRepository,
    private readonly unlinked: UnlinkedRecordRepository,
    @Inject(DATABASE_CONNECTION) private readonly connection: DatabaseConnection,
    private readonly matchIndex: MatchIndex,
    private readonly dedup: DedupService,
    private readonly credit: CreditService,
  ) {}

  // ---------------------------------------------------------------- reads

  /** By unified code, typed as a person may type it; a mistyped code is INVALID_CODE, not NOT_FOUND. */
  async get(code: string): Promise<ProjectView> {
    const row = await this.projects.byCode(this.canonicalCode(code));
    if (!row) throw new NotFoundError('project', code);
    return (await this.views([row]))[0]!;
  }

  async getByLocalId(department: string, localId: string): Promise<ProjectView> {
    const dept = await this.departmentOrFail('department', department);
    const row = await this.projects.byLocalId(dept.id, localId.trim());
    if (!row) throw new NotFoundError(`project with ${dept.code} local ID`, localId);
    return (await this.views([row]))[0]!;
  }

  async list(filter: ProjectFilter, first: number, afterCode?: string): Promise<{ items: ProjectView[]; totalCount: number; countExact: boolean; hasNext: boolean }> {
    if (!Number.isInteger(first) || first < 1 || first > 200) throw ValidationError.field('first', 'must be 1 to 200');
    const page = await this.projects.list(filter, first, afterCode);
    return { items: await this.views(page.rows), totalCount: page.totalCount ?? 0, countExact: page.countExact, hasNext: page.hasNext };
  }

  async organisation(codeOrName: string): Promise<Organisation> {
    const key = codeOrName.trim();
    const v = validateUscc(key);
    if (v.ok) {
      const o = await this.organisations.byUscc(v.code);
      if (!o) throw new NotFoundError('organisation with credit code', v.code);
      return o;
    }
    const found = await this.organisations.byName(key);
    if (found.length === 0) throw new NotFoundError('organisation', key);
    if (found.length > 1) {
      throw new DomainError(ErrorCode.CONFLICT, `"${key}" names ${found.length} organisations; ask by credit code`, { candidates: found.map((o) => o.uscc ?? o.name) });
    }
    return found[0]!;
  }

  /** Canonical form of a typed code, or INVALID_CODE saying what is wrong with it. */
  canonicalCode(code: string): string {
    const parsed = parseProjectCode(code);
    if (!parsed.ok) throw new DomainError(ErrorCode.INVALID_CODE, `"${code}" is not a valid project code: ${parsed.reason}`, { input: code });
    return parsed.code;
  }

  // ---------------------------------------------------------------- writes

  /**
   * What registerMany would refuse, without storing anything (all-or-nothing imports): every rule
   * of a registration, including organisations whose name turns out ambiguous given the rows before.
   */
  async checkMany(caller: Caller, inputs: RegisterProjectInput[]): Promise<({ ok: true } | { ok: false; error: unknown })[]> {
    const results: ({ ok: true } | { ok: false; error: unknown })[] = new Array(inputs.length);
    const ready = await this.prepareAll(caller, inputs, results);
    const out = await this.projects.transaction((em) => this.writeBatch(em, caller, ready, [], { dryRun: true }));
    out.forEach((r, k) => (results[ready[k]!.index] = r.ok ? { ok: true } : r));
    return results;
  }

  private async prepare(caller: Caller, input: RegisterProjectInput, ref: RefSnapshot) {
    const problems: FieldProblem[] = [];
    const department = await this.owningDepartment(caller, input.department);
    const fund = this.fundOf(ref, department, input.fund, problems);
    if (!Number.isInteger(input.year) || input.year < 1949 || input.year > 2200) problems.push({ field: 'year', reason: 'must be a year from 1949 to 2200' });
    if (!input.title || !input.title.trim()) problems.push({ field: 'title', reason: 'is required' });
    if (!input.organisation?.name?.trim()) problems.push({ field: 'organisation.name', reason: 'is required' });
    const status = input.status ?? ProjectStatus.DRAFT;
    if (!isProjectStatus(status)) problems.push({ field: 'status', reason: `"${String(status)}" is not a project status` });
    const localId = input.localId?.trim() || null;
    if (localId && localId.length > 100) problems.push({ field: 'localId', reason: 'must be at most 100 characters' });
    const usccCheck = this.checkUscc(input.organisation, problems);
    const fields = fund ? this.resolveFields(ref, fund, input, problems, null) : null;
    if (problems.length || !fund || !fields) throw new ValidationError(problems);
    const fiscalIsApproved = [ProjectStatus.APPROVED, ProjectStatus.IN_IMPLEMENTATION, ProjectStatus.ACCEPTANCE_PASSED, ProjectStatus.ACCEPTANCE_FAILED, ProjectStatus.RECONSIDERATION, ProjectStatus.CLOSED].includes(status);
    this.enforceRules(fund, fields.columns, fiscalIsApproved ? 'approved' : 'requested');
    return { department, fund, status, localId, usccCheck, fields };
  }

  /**
   * A department system's record, idempotent by (department, local ID): registered when new,
   * updated when a field changed (recorded in history with `reason`), left alone otherwise.
   */
  async upsertByLocalId(caller: Caller, input: RegisterProjectInput & { localId: string }, reason: string): Promise<{ outcome: 'created' | 'updated' | 'unchanged'; project: ProjectView }> {
    this.mayWrite(caller);
    const department = await this.owningDepartment(caller, input.department);
    const existing = await this.projects.byLocalId(department.id, input.localId.trim());
    if (!existing) return { outcome: 'created', project: await this.register(caller, input) };
    const { subFund, categoryCode, supportMethodCode, catalogItemCode, title, summary, keywords, leader, requestedYuan, approvedYuan, selfRaisedYuan, totalInvestmentYuan, plannedStart, plannedEnd, attributes } = input;
    const patch = Object.fromEntries(
      Object.entries({ subFund, categoryCode, supportMethodCode, catalogItemCode, title, summary, keywords, leader, requestedYuan, approvedYuan, selfRaisedYuan, totalInvestmentYuan, plannedStart, plannedEnd, attributes }).filter(([, v]) => v !== undefined),
    ) as ProjectFieldsInput;
    const updated = await this.update(caller, existing.code, patch, { reason });
    return { outcome: updated.version === existing.version ? 'unchanged' : 'updated', project: updated };
  }

  async register(caller: Caller, input: RegisterProjectInput): Promise<ProjectView> {
    const [result] = await this.registerMany(caller, [input]);
    if (!result!.ok) throw result!.error;
    // The pre-check: candidates against the whole registry, stored as alerts on this project.
    await this.dedup.precheckQuietly([result!.id]);
    return (await this.views([(await this.projects.byCode(result!.code))!]))[0]!;
  }

  /**
   * For records already in the registry (by department and local ID): whether each would change
   * nothing — decided in memory, by the same field rules `update` applies, without a transaction.
   * A re-import of an unchanged file is then a few reads, not one update per row.
   */
  async unchangedByLocalId(caller: Caller, inputs: (RegisterProjectInput & { localId: string })[]): Promise<boolean[]> {
    this.mayWrite(caller);
    const ref = await this.snapshotRef();
    const idOf = new Map(ref.departments.map((d) => [d.code, d.id]));
    const pairs = inputs.map((i) => ({ departmentId: idOf.get(i.department ?? caller.departmentCode) ?? '', localId: i.localId.trim() }));
    const codes = await this.projects.takenLocalIds(this.projects.manager, pairs.filter((p) => p.departmentId));
    const rows = await this.projects.byCodes([...new Set(codes.values())]);
    const leaders = await this.organisations.personsByIds(rows.map((r) => r.leaderId).filter((x): x is string => x !== null));
    const byCode = new Map(rows.map((r) => [r.code.trim(), r]));
    const actsFor = new Set<string>();
    for (const d of new Set(rows.map((r) => r.departmentId))) if (await this.actsFor(caller, d)) actsFor.add(d);
    return inputs.map((input, n) => {
      const current = byCode.get(codes.get(`${pairs[n]!.departmentId}|${pairs[n]!.localId}`) ?? '');
      // Rows the caller may not change go the way of an update, which refuses them properly.
      if (!current || (caller.role !== 'INFORMATION_CENTER' && !actsFor.has(current.departmentId))) return false;
      const fund = ref.funds.find((f) => f.id === current.fundId)!;
      const problems: FieldProblem[] = [];
      const fields = this.resolveFields(ref, fund, input, problems, current);
      if (problems.length) return false;
      const next: ProjectRow = { ...current, ...fields.columns, title: input.title?.trim() ?? current.title, titleNorm: input.title ? normaliseName(input.title) : current.titleNorm };
      if (Object.keys(diff(snapshot(current), snapshot(next))).length) return false;
      if (input.leader === undefined) return true;
      const now = current.leaderId ? leaders.get(current.leaderId) : undefined;
      if (!input.leader) return !now;
      return Boolean(now && normaliseName(now.name) === normaliseName(input.leader.name) && (fields.leader?.idNumber ?? null) === (now.idNumber ?? null));
    });
  }

  /** Which of these (department code, local ID) pairs are already linked to a project: "CODE|localId" keys. */
  async linkedLocalIds(pairs: { department: string; localId: string }[]): Promise<Set<string>> {
    const departments = await this.reference.departments();
    const idOf = new Map(departments.map((d) => [d.code, d.id]));
    const codeOf = new Map(departments.map((d) => [d.id, d.code]));
    const known = pairs.filter((p) => idOf.has(p.department));
    const taken = await this.projects.takenLocalIds(this.projects.manager, known.map((p) => ({ departmentId: idOf.get(p.department)!, localId: p.localId.trim() })));
    return new Set([...taken.keys()].map((k) => `${codeOf.get(k.split('|')[0]!)}|${k.slice(k.indexOf('|') + 1)}`));
  }

  /**
   * Register many projects (an import's rows) in few statements: validated one by one as
   * `register` validates, then organisations, leaders, codes, crosswalk and history written set by
   * set, in transactions of up to 500. `register` is this with one project, so both follow the
   * same rules. Each input gets its own result; a bad one does not stop the others.
   */
  async registerMany(caller: Caller, inputs: RegisterProjectInput[]): Promise<({ ok: true; code: string; id: string } | { ok: false; error: unknown })[]> {
    const results: ({ ok: true; code: string; id: string } | { ok: false; error: unknown })[] = new Array(inputs.length);
    const ready = await this.prepareAll(caller, inputs, results);
    // Up to three lanes on a server, one on the embedded database. Rows linked by a credit code or a name
    // (one organisation, however written) always share a lane.
    const lanes = this.connection.poolSize > 3 ? 3 : this.connection.poolSize > 2 ? 2 : 1;
    const laneOf = organisationGroups(ready.map((r) => ({ uscc: r.prepared.usccCheck?.code ?? null, name: normaliseName(r.input.organisation.name) })), lanes);
    // Match counts of the committed batches, applied once at the end (see MatchIndex.refresh).
    const matchCounts = new Map<string, number>();
    const write = async (chunk: typeof ready): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        try {
          const codes = await this.allocateCodes(chunk);
          const counts = new Map<string, number>();
          const out = await this.projects.transaction((em) => this.writeBatch(em, caller, chunk, codes, { matchCounts: counts }));
          for (const [k, n] of counts) matchCounts.set(k, (matchCounts.get(k) ?? 0) + n);
          out.forEach((r, k) => (results[chunk[k]!.index] = r));
          return;
        } catch (err) {
          // Another registration created one of the same organisations or took a local ID meanwhile: read again and retry.
          const race = err instanceof BatchRace || isUniqueViolation(err);
          if (race && attempt < 4) continue;
          if (race && chunk.length > 1) {
            // Still racing: one project at a time, so that one conflict does not fail the others.
            for (const one of chunk) await write([one]);
            return;
          }
          for (const c of chunk) results[c.index] = { ok: false, error: race ? new DomainError(ErrorCode.CONFLICT, `${(err as Error).message}; try again`) : err };
          return;
        }
      }
    };
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        const mine = ready.filter((_r, n) => laneOf[n] === lane);
        for (let start = 0; start < mine.length; start += 2000) await write(mine.slice(start, start + 2000));
      }),
    );
    await this.matchIndex.applyCounts(matchCounts);
    // The credit review of every project stored: records of its organisation and leader, its fund's rules.
    await this.credit.reviewQuietly(results.flatMap((r) => (r?.ok ? [r.id] : [])), 'registration', caller);
    return results;
  }

  /** Validate each input as a registration; the ones that fail get their error in `results`. */
  private async prepareAll(caller: Caller, inputs: RegisterProjectInput[], results: ({ ok: false; error: unknown } | object)[]) {
    this.mayWrite(caller);
    const ref = await this.snapshotRef();
    const ready: { index: number; input: RegisterProjectInput; prepared: Awaited<ReturnType<RegistryService['prepare']>> }[] = [];
    for (let i = 0; i < inputs.length; i++) {
      try {
        ready.push({ index: i, input: inputs[i]!, prepared: await this.prepare(caller, inputs[i]!, ref) });
      } catch (error) {
        results[i] = { ok: false, error };
      }
    }
    return ready;
  }

  /**
   * Unified codes for a batch, taken before its write transaction in one statement that commits at
   * once: batches and single registrations never wait on each other's counters, and a batch that
   * fails leaves a gap in the sequence (numbers are never reused).
   */
  private async allocateCodes(chunk: { input: RegisterProjectInput; prepared: Awaited<ReturnType<RegistryService['prepare']>> }[]): Promise<string[]> {
    const groups = new Map<string, { g: { jurisdiction: string; year: number; departmentSeg: string; subFundSeg: string }; ks: number[] }>();
    chunk.forEach((c, k) => {
      const { department, fund, fields } = c.prepared;
      const sub = fields.columns.subFundId ? fund.subFunds.find((x) => x.id === fields.columns.subFundId)! : null;
      const g = { jurisdiction: department.jurisdictionCode, year: c.input.year, departmentSeg: departmentSegment(department.code), subFundSeg: sub?.code ?? '00' };
      const key = `${g.jurisdiction}|${g.year}|${g.departmentSeg}|${g.subFundSeg}`;
      groups.set(key, { g, ks: [...(groups.get(key)?.ks ?? []), k] });
    });
    const ordered = [...groups.keys()].sort().map((key) => groups.get(key)!);
    const firsts = await this.projects.takeSequencesMany(this.projects.manager, ordered.map(({ g, ks }) => ({ ...g, count: ks.length })));
    const codes: string[] = new Array(chunk.length);
    ordered.forEach(({ g, ks }, n) => {
      ks.forEach((k, m) => (codes[k] = formatProjectCode({ jurisdiction: g.jurisdiction, year: g.year, department: g.departmentSeg.replace(/0+$/, ''), subFund: g.subFundSeg, sequence: firsts[n]! + m })));
    });
    return codes;
  }

  private async writeBatch(
    em: EntityManager,
    caller: Caller,
    chunk: { input: RegisterProjectInput; prepared: Awaited<ReturnType<RegistryService['prepare']>> }[],
    codes: string[],
    opts: { dryRun?: boolean; matchCounts?: Map<string, number> } = {},
  ): Promise<({ ok: true; code: string; id: string } | { ok: false; error: unknown })[]> {
    const at = this.clock.now();
    const actor = this.actor(caller);
    const out: ({ ok: true; code: string; id: string } | { ok: false; error: unknown } | null)[] = chunk.map(() => null);

    // Local IDs already taken (by earlier imports, or twice in this batch).
    const taken = await this.projects.takenLocalIds(em, chunk.filter((c) => c.prepared.localId).map((c) => ({ departmentId: c.prepared.department.id, localId: c.prepared.localId! })));
    chunk.forEach((c, k) => {
      const code = c.prepared.localId ? taken.get(`${c.prepared.department.id}|${c.prepared.localId}`) : undefined;
      if (code) out[k] = { ok: false, error: new DomainError(ErrorCode.CONFLICT, `${c.prepared.department.code} local ID "${c.prepared.localId}" already belongs to project ${code}`, { field: 'localId', projectCode: code }) };
    });

    // Organisations, resolved row by row by the same rules a single registration follows, against
    // what the database holds plus what this batch creates.
    const live = chunk.map((c, k) => ({ c, k })).filter(({ k }) => out[k] === null);
    const names = live.map(({ c }) => c.input.organisation.name);
    await this.organisations.lockNames(em, names);
    const byUscc = await this.organisations.idsByUscc(em, [...new Set(live.map(({ c }) => c.prepared.usccCheck?.code).filter((x): x is string => Boolean(x)))]);
    const byName = await this.organisations.byNames(em, names);
    const codeOf = new Map<string, string | null>();
    for (const list of byName.values()) for (const o of list) codeOf.set(o.id, o.uscc);
    const knownNames = await this.organisations.namesOf(em, [...new Set([...byUscc.values(), ...[...byName.values()].flat().map((o) => o.id)])]);
    const newOrgs: { id: string; uscc: string | null; usccStatus: string | null; name: string }[] = [];
    const created = new Set<string>();
    /** The name each organisation created in this batch was registered under (its REGISTERED entry). */
    const registeredName = new Map<string, string>();
    const codeAdds: { id: string; uscc: string; status: string }[] = [];
    const nameAdds: { organisationId: string; name: string; departmentId: string | null }[] = [];
    const history: { input: Parameters<HistoryRepository['append']>[1]; actor: Actor; at: Date }[] = [];
    const orgOf = new Map<number, string>();
    for (const { c, k } of live) {
      const name = c.input.organisation.name;
      const norm = normaliseName(name);
      const uscc = c.prepared.usccCheck;
      let id: string | undefined;
      if (uscc) {
        id = byUscc.get(uscc.code);
        if (!id) {
          const codeless = (byName.get(norm) ?? []).filter((o) => codeOf.get(o.id) === null);
          if (codeless.length === 1) {
            id = codeless[0]!.id;
            codeAdds.push({ id, uscc: uscc.code, status: uscc.status });
            codeOf.set(id, uscc.code);
            history.push({ input: { entityType: 'organisation', entityId: id, action: 'CODE_ADDED', changes: { uscc: { before: null, after: uscc.code }, usccStatus: uscc.status } }, actor, at });
          } else {
            id = randomUUID();
            newOrgs.push({ id, uscc: uscc.code, usccStatus: uscc.status, name });
            created.add(id);
            registeredName.set(id, norm);
            codeOf.set(id, uscc.code);
            history.push({ input: { entityType: 'organisation', entityId: id, action: 'REGISTERED', changes: { uscc: uscc.code, usccStatus: uscc.status, name: name.trim() } }, actor, at });
          }
          byUscc.set(uscc.code, id);
        }
      } else {
        let found = byName.get(norm) ?? [];
        const coded = found.filter((o) => codeOf.get(o.id) !== null);
        if (found.length > 1 && coded.length === 1) found = coded;
        if (found.length > 1) {
          out[k] = { ok: false, error: ValidationError.field('organisation.uscc', `"${name}" names ${found.length} organisations (${found.map((o) => codeOf.get(o.id) ?? 'no code').join(', ')}); give the credit code`) };
          continue;
        }
        if (found.length === 1) id = found[0]!.id;
        else {
          id = randomUUID();
          newOrgs.push({ id, uscc: null, usccStatus: null, name });
          created.add(id);
          registeredName.set(id, norm);
          codeOf.set(id, null);
          history.push({ input: { entityType: 'organisation', entityId: id, action: 'REGISTERED', changes: { uscc: null, usccStatus: null, name: name.trim() } }, actor, at });
        }
      }
      if (!knownNames.has(`${id}|${norm}`)) {
        knownNames.add(`${id}|${norm}`);
        nameAdds.push({ organisationId: id, name, departmentId: c.prepared.department.id });
        byName.set(norm, [...(byName.get(norm) ?? []).filter((o) => o.id !== id), { id, uscc: codeOf.get(id) ?? null }]);
        if (registeredName.get(id) !== norm) history.push({ input: { entityType: 'organisation', entityId: id, action: 'NAME_ADDED', changes: { name: name.trim() } }, actor, at });
      }
      orgOf.set(k, id);
    }
    // The same local ID twice in this batch: the first row that can be stored keeps it.
    const inBatch = new Map<string, number>();
    chunk.forEach((c, k) => {
      if (out[k] !== null || !c.prepared.localId) return;
      const key = `${c.prepared.department.id}|${c.prepared.localId}`;
      if (inBatch.has(key)) out[k] = { ok: false, error: new DomainError(ErrorCode.CONFLICT, `${c.prepared.department.code} local ID "${c.prepared.localId}" is given twice in this batch`, { field: 'localId' }) };
      else inBatch.set(key, k);
    });
    if (opts.dryRun) return out.map((r) => r ?? { ok: true as const, code: '', id: '' });
    if (!(await this.organisations.insertMany(em, newOrgs, at))) throw new BatchRace('an organisation with the same credit code was registered at the same time');
    if (!(await this.organisations.setUsccMany(em, codeAdds, at))) throw new BatchRace('a credit code was given to another organisation at the same time');
    await this.organisations.addNames(em, nameAdds, at);

    // Leaders.
    const rows = chunk.map((c, k) => ({ c, k })).filter(({ k }) => out[k] === null);
    const withLeader = rows.filter(({ c }) => c.prepared.fields.leader);
    const leaderIds = await this.resolveLeaders(
      em,
      withLeader.map(({ c, k }) => ({ ...c.prepared.fields.leader!, organisationId: orgOf.get(k)! })),
      created,
    );
    const leaderOf = new Map<number, string>(withLeader.map(({ k }, n) => [k, leaderIds[n]!]));

    const projectRows: ProjectRow[] = rows.map(({ c, k }) => ({
      id: randomUUID(),
      code: codes[k]!,
      departmentId: c.prepared.department.id,
      fundId: c.prepared.fund.id,
      ...c.prepared.fields.columns,
      year: c.input.year,
      title: c.input.title.trim(),
      titleNorm: normaliseName(c.input.title),
      organisationId: orgOf.get(k)!,
      leaderId: leaderOf.get(k) ?? null,
      extensionMonths: null,
      status: c.prepared.status,
      version: 1,
      createdAt: at,
      updatedAt: at,
    }));
    await this.projects.insertMany(em, projectRows);
    const links = rows
      .map(({ c }, n) => ({ c, row: projectRows[n]! }))
      .filter(({ c }) => c.prepared.localId)
      .map(({ c, row }) => ({ departmentId: c.prepared.department.id, localId: c.prepared.localId!, projectId: row.id, departmentCode: c.prepared.department.code }));
    if (!(await this.projects.linkLocalIds(em, links, at))) throw new BatchRace('a local ID was linked by another registration at the same time');
    rows.forEach(({ c }, n) => {
      const row = projectRows[n]!;
      history.push({ input: { entityType: 'project', entityId: row.id, action: 'REGISTERED', changes: registered(row) }, actor, at });
      if (c.prepared.localId) history.push({ input: { entityType: 'project', entityId: row.id, action: 'LOCAL_ID_LINKED', changes: { departmentCode: c.prepared.department.code, localId: c.prepared.localId } }, actor, at });
    });
    await this.history.appendMany(em, history);
    await this.matchIndex.refresh(em, projectRows.map((r) => r.id), opts.matchCounts);
    rows.forEach(({ k }, n) => (out[k] = { ok: true, code: projectRows[n]!.code, id: projectRows[n]!.id }));
    return out as ({ ok: true; code: string; id: string } | { ok: false; error: unknown })[];
  }

  async update(caller: Caller, code: string, patch: ProjectFieldsInput, opts: { expectedVersion?: number; reason?: string } = {}): Promise<ProjectView> {
    this.mayWrite(caller);
    const canonical = this.canonicalCode(code);
    const ref = await this.snapshotRef();
    const at = this.clock.now();
    let material = false;
    const view = await this.projects.transaction(async (em) => {
      const current = await this.lockedOwnProject(em, ref, caller, canonical);
      if (opts.expectedVersion !== undefined && opts.expectedVersion !== current.version) {
        throw new DomainError(ErrorCode.CONFLICT, `project ${current.code} is at version ${current.version}, not ${opts.expectedVersion}: reload and apply the change again`, { version: current.version });
      }
      const fund = ref.funds.find((f) => f.id === current.fundId)!;
      const problems: FieldProblem[] = [];
      if (patch.title !== undefined && !patch.title.trim()) problems.push({ field: 'title', reason: 'cannot be empty' });
      const fields = this.resolveFields(ref, fund, patch, problems, current);
      if (problems.length) throw new ValidationError(problems);
      const leaderId = patch.leader === undefined ? current.leaderId : fields.leader ? (await this.resolveLeaders(em, [{ ...fields.leader, organisationId: current.organisationId }]))[0]! : null;
      const next: ProjectRow = {
        ...current,
        ...fields.columns,
        title: patch.title !== undefined ? patch.title.trim() : current.title,
        titleNorm: patch.title !== undefined ? normaliseName(patch.title) : current.titleNorm,
        leaderId,
      };
      const changes = diff(snapshot(current), snapshot(next));
      if (Object.keys(changes).length === 0) return (await this.views([current], em))[0]!;
      const approvedStage = current.approvedFen !== null || next.approvedFen !== null;
      this.enforceRules(fund, next, approvedStage && next.approvedFen !== null ? 'approved' : 'requested');
      next.version = current.version + 1;
      next.updatedAt = at;
      const { id: _id, code: _code, createdAt: _c, ...cols } = next;
      await this.projects.update(em, current.id, cols);
      await this.history.append(em, { entityType: 'project', entityId: current.id, action: 'UPDATED', reason: opts.reason ?? '', changes }, this.actor(caller), at);
      await this.matchIndex.refresh(em, [current.id]);
      material = next.titleNorm !== current.titleNorm || next.leaderId !== current.leaderId;
      return (await this.views([next], em))[0]!;
    });
    // A changed title or leader is checked again at once; decided alerts whose projects changed reopen.
    if (material) await this.dedup.precheckQuietly([view.id]);
    return view;
  }

  async transition(caller: Caller, code: string, to: ProjectStatus, opts: { reason?: string; approvedYuan?: string; diligent?: boolean | null } = {}): Promise<ProjectView> {
    if (!isProjectStatus(to)) throw ValidationError.field('to', `"${String(to)}" is not a project status`);
    // 001: when acceptance fails, the department judges whether the team worked diligently (then nobody is recorded as dishonest).
    if (to === ProjectStatus.ACCEPTANCE_FAILED && typeof opts.diligent !== 'boolean') throw ValidationError.field('diligent', 'say whether the team worked diligently (勤勉尽责) when acceptance fails: true or false');
    if (to !== ProjectStatus.ACCEPTANCE_FAILED && opts.diligent !== undefined && opts.diligent !== null) throw ValidationError.field('diligent', 'is judged only when acceptance fails');
    const canonical = this.canonicalCode(code);
    if (to === ProjectStatus.APPROVED) {
      // Who may, and from where, first; then a fresh credit review: a block stops approval unless the
      // leading department overrode it. (The review writes in its own transaction, so it comes before ours.)
      const project = await this.projects.byCode(canonical);
      if (!project) throw new NotFoundError('project', code);
      await this.assertTransition(this.projects.manager, caller, project, to);
      await this.credit.assertAllows(project.id, 'approval', caller);
    }
    const ref = await this.snapshotRef();
    const at = this.clock.now();
    return this.projects.transaction(async (em) => {
      const current = await this.projects.lockByCode(em, canonical);
      if (!current) throw new NotFoundError('project', code);
      await this.assertTransition(em, caller, current, to);
      const next: ProjectRow = { ...current, status: to, version: current.version + 1, updatedAt: at };
      if (opts.approvedYuan !== undefined && opts.approvedYuan !== null) {
        if (to !== ProjectStatus.APPROVED) throw ValidationError.field('approvedYuan', 'can only be given when approving');
        next.approvedFen = yuanToFen('approvedYuan', opts.approvedYuan);
      }
      if (to === ProjectStatus.APPROVED) {
        if (next.approvedFen === null) next.approvedFen = next.requestedFen;
        const fund = ref.funds.find((f) => f.id === current.fundId)!;
        this.enforceRules(fund, next, 'approved');
      }
      const { id: _id, code: _code, createdAt: _c, ...cols } = next;
      await this.projects.update(em, current.id, cols);
      const changes: Record<string, unknown> = diff(snapshot(current), snapshot(next));
      if (to === ProjectStatus.ACCEPTANCE_FAILED) {
        await em.query(`UPDATE project SET acceptance_diligent = $2 WHERE id = $1`, [current.id, opts.diligent]);
        changes.acceptanceDiligent = opts.diligent;
      }
      await this.history.append(em, { entityType: 'project', entityId: current.id, action: 'TRANSITION', reason: opts.reason ?? '', changes }, this.actor(caller), at);
      await this.matchIndex.refresh(em, [current.id]);
      return (await this.views([next], em))[0]!;
    });
  }

  /** Extension (延期): once, by 1 to 12 months, while approved or in implementation (001). */
  async recordExtension(caller: Caller, code: string, months: number, reason: string): Promise<ProjectView> {
    this.mayWrite(caller);
    if (!Number.isInteger(months) || months < 1 || months > MAX_EXTENSION_MONTHS) throw ValidationError.field('months', `must be a whole number from 1 to ${MAX_EXTENSION_MONTHS}`);
    if (!reason || !reason.trim()) throw ValidationError.field('reason', 'is required for an extension');
    const canonical = this.canonicalCode(code);
    const ref = await this.snapshotRef();
    const at = this.clock.now();
    return this.projects.transaction(async (em) => {
      const current = await this.lockedOwnProject(em, ref, caller, canonical);
      if (current.extensionMonths !== null) {
        throw new DomainError(ErrorCode.RULE_VIOLATION, `project ${current.code} was already extended by ${current.extensionMonths} months; a project may be extended once`, { rule: 'ONE_EXTENSION' });
      }
      if (!EXTENDABLE.has(current.status as ProjectStatus)) {
        throw new DomainError(ErrorCode.INVALID_TRANSITION, `project ${current.code} is ${current.status}; only approved projects or projects in implementation can be extended`, {
          current: current.status,
          allowed: [...EXTENDABLE],
        });
      }
      if (!current.plannedEnd) throw ValidationError.field('plannedEnd', `project ${current.code} has no planned end date to extend; set it first`);
      const next: ProjectRow = { ...current, extensionMonths: months, plannedEnd: addMonths(current.plannedEnd, months), version: current.version + 1, updatedAt: at };
      await this.projects.update(em, current.id, { extensionMonths: next.extensionMonths, plannedEnd: next.plannedEnd, version: next.version, updatedAt: at });
      await this.history.append(em, { entityType: 'project', entityId: current.id, action: 'EXTENDED', reason, changes: diff(snapshot(current), snapshot(next)) }, this.actor(caller), at);
      await this.matchIndex.refresh(em, [current.id]);
      return (await this.views([next], em))[0]!;
    });
  }

  /**
   * Record a payment (拨付) by the fund's plan: the approval stage once approved, the acceptance stage
   * once acceptance passed; never more than the stage's share (or, without a plan, the approved
   * amount). A fresh credit review comes first: a block stops the payment unless overridden.
   */
  async recordPayment(caller: Caller, code: string, input: { stage: string; amountYuan: string; paidOn: string; reason?: string }): Promise<Payment[]> {
    this.mayWrite(caller);
    const canonical = this.canonicalCode(code);
    const ref = await this.snapshotRef();
    const problems: FieldProblem[] = [];
    let amount: Fen | null = null;
    try {
      amount = yuanToFen('amountYuan', input.amountYuan);
      if (amount <= 0n) problems.push({ field: 'amountYuan', reason: 'must be more than zero' });
    } catch (err) {
      if (err instanceof ValidationError) problems.push(...err.problems);
      else throw err;
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.paidOn ?? '') || Number.isNaN(Date.parse(input.paidOn))) problems.push({ field: 'paidOn', reason: 'must be a date YYYY-MM-DD' });
    if (problems.length) throw new ValidationError(problems);
    const before = await this.projects.byCode(canonical);
    if (!before) throw new NotFoundError('project', code);
    // Only its own department pays a project; then a fresh credit review (in its own transaction, so before ours).
    if (!(await this.actsFor(caller, before.departmentId))) throw new ForbiddenError(`project ${before.code} belongs to another department; only its own department records its payments`);
    await this.credit.assertAllows(before.id, 'payment', caller);
    const at = this.clock.now();
    await this.projects.transaction(async (em) => {
      const current = await this.lockedOwnProject(em, ref, caller, canonical);
      const payable: Record<string, ProjectStatus[]> = { APPROVAL: [ProjectStatus.APPROVED, ProjectStatus.IN_IMPLEMENTATION, ProjectStatus.ACCEPTANCE_PASSED], ACCEPTANCE: [ProjectStatus.ACCEPTANCE_PASSED, ProjectStatus.CLOSED] };
      const fund = ref.funds.find((f) => f.id === current.fundId)!;
      const plan = paymentSchedule(fund.rules as FundRules, current.approvedFen ?? 0n);
      const stages = plan.length ? plan.map((s) => s.stage) : ['APPROVAL', 'ACCEPTANCE'];
      if (!stages.includes(input.stage)) throw ValidationError.field('stage', `must be one of ${stages.join(', ')} (the fund's payment plan)`);
      if (current.approvedFen === null) throw new DomainError(ErrorCode.INVALID_TRANSITION, `project ${current.code} has no approved amount yet; payments follow approval`, { current: current.status, allowed: [ProjectStatus.APPROVED] });
      if (!payable[input.stage]!.includes(current.status as ProjectStatus))
        throw new DomainError(ErrorCode.INVALID_TRANSITION, `project ${current.code} is ${current.status}; the ${input.stage} payment needs ${payable[input.stage]!.join(' or ')}`, { current: current.status, allowed: payable[input.stage] });
      const paid = (await em.query(`SELECT stage, COALESCE(sum(amount_fen), 0)::text AS fen FROM project_payment WHERE project_id = $1 GROUP BY stage`, [current.id])) as { stage: string; fen: string }[];
      const paidIn = (stage?: string) => paid.filter((p) => !stage || p.stage === stage).reduce((s, p) => s + BigInt(p.fen), 0n);
      const limit = plan.length ? plan.find((s) => s.stage === input.stage)!.amountFen : current.approvedFen;
      const already = plan.length ? paidIn(input.stage) : paidIn();
      if (already + amount! > limit)
        throw new DomainError(ErrorCode.RULE_VIOLATION, `${input.stage} payments would reach ${fenToYuan(already + amount!)} yuan, more than the ${fenToYuan(limit)} yuan the plan allows`, { rule: 'PAYMENT_PLAN', limit: fenToYuan(limit), paid: fenToYuan(already) });
      await em.query(`INSERT INTO project_payment (id, project_id, stage, amount_fen, paid_on, department_id, reason, recorded_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, [randomUUID(), current.id, input.stage, amount!.toString(), input.paidOn, caller.departmentId, input.reason ?? '', at]);
      await this.history.append(em, { entityType: 'project', entityId: current.id, action: 'PAYMENT_RECORDED', reason: input.reason ?? '', changes: { stage: input.stage, amountYuan: fenToYuan(amount!), paidOn: input.paidOn } }, this.actor(caller), at);
    });
    return this.payments(before.id);
  }

  /** A project's payments, oldest first. */
  async payments(projectId: string): Promise<Payment[]> {
    const rows = (await this.projects.manager.query(`SELECT stage, amount_fen::text AS fen, to_char(paid_on, 'YYYY-MM-DD') AS paid_on, reason FROM project_payment WHERE project_id = $1 ORDER BY paid_on, recorded_at`, [projectId])) as { stage: string; fen: string; paid_on: string; reason: string }[];
    return rows.map((r) => ({ stage: r.stage, amountFen: BigInt(r.fen), paidOn: r.paid_on, reason: r.reason }));
  }

  /** Link a department's own ID to a project (the crosswalk). One local ID, one project, per department. */
  async linkLocalId(caller: Caller, code: string, localId: string, department?: string): Promise<ProjectView> {
    this.mayWrite(caller);
    const id = localId?.trim();
    if (!id || id.length > 100) throw ValidationError.field('localId', 'must be 1 to 100 characters');
    const dept = await this.owningDepartment(caller, department);
    const canonical = this.canonicalCode(code);
    const at = this.clock.now();
    return this.projects.transaction(async (em) => {
      const project = await this.projects.lockByCode(em, canonical);
      if (!project) throw new NotFoundError('project', code);
      const res = await this.projects.linkLocalId(em, dept.id, id, project.id, at);
      if (!res.linked && res.existingProjectId !== project.id) {
        const other = await em.query(`SELECT code FROM project WHERE id = $1`, [res.existingProjectId]);
        throw new DomainError(ErrorCode.CONFLICT, `${dept.code} local ID "${id}" already belongs to project ${(other as { code: string }[])[0]?.code}`, { field: 'localId' });
      }
      if (res.linked) {
        await this.history.append(em, { entityType: 'project', entityId: project.id, action: 'LOCAL_ID_LINKED', changes: { departmentCode: dept.code, localId: id } }, this.actor(caller), at);
        await this.unlinked.resolve(em, dept.id, id, at);
      }
      return (await this.views([project], em))[0]!;
    });
  }

  /**
   * Link a department's record (its local ID, title, year, organisation) to the project it
   * describes. Linked only when exactly one project of that department matches; otherwise the
   * record is listed for the department (unlinkedRecords) with the candidates, never guessed.
   */
  async linkRecord(caller: Caller, record: DepartmentRecordInput): Promise<LinkRecordResult> {
    this.mayWrite(caller);
    const problems: FieldProblem[] = [];
    const localId = record.localId?.trim();
    if (!localId || localId.length > 100) problems.push({ field: 'localId', reason: 'must be 1 to 100 characters' });
    if (!record.title?.trim()) problems.push({ field: 'title', reason: 'is required' });
    if (!Number.isInteger(record.year)) problems.push({ field: 'year', reason: 'must be a year' });
    if (!record.organisation?.uscc?.trim() && !record.organisation?.name?.trim()) problems.push({ field: 'organisation', reason: 'give its credit code or name' });
    if (problems.length) throw new ValidationError(problems);
    const dept = await this.owningDepartment(caller, record.department);
    const at = this.clock.now();
    return this.projects.transaction(async (em) => {
      const already = await this.projects.byLocalId(dept.id, localId!, em);
      if (already) return { linked: true, project: (await this.views([already], em))[0]!, reason: null, candidates: [already.code] };
      const uscc = record.organisation.uscc ? validateUscc(record.organisation.uscc) : null;
      const orgIds = uscc?.ok
        ? [(await this.organisations.byUscc(uscc.code, em))?.id].filter((x): x is string => Boolean(x))
        : (await this.organisations.byName(record.organisation.name ?? '', em)).map((o) => o.id);
      const candidates = await findRecordCandidates(em, { departmentId: dept.id, year: record.year, titleNorm: normaliseName(record.title), organisationIds: orgIds });
      if (candidates.length === 1) {
        const project = (await this.projects.lockByCode(em, candidates[0]!))!;
        const res = await this.projects.linkLocalId(em, dept.id, localId!, project.id, at);
        if (res.linked) {
          await this.history.append(em, { entityType: 'project', entityId: project.id, action: 'LOCAL_ID_LINKED', reason: 'matched by record', changes: { departmentCode: dept.code, localId } }, this.actor(caller), at);
          await this.unlinked.resolve(em, dept.id, localId!, at);
          return { linked: true, project: (await this.views([project], em))[0]!, reason: null, candidates };
        }
      }
      const reason = candidates.length === 0 ? 'NO_MATCH' : 'AMBIGUOUS';
      await this.unlinked.report({ departmentId: dept.id, localId: localId!, reason, candidates, record: { ...record, department: dept.code }, reportedAt: at }, em);
      return { linked: false, project: null, reason, candidates };
    });
  }

  /** A department's records that could not be linked to exactly one project. */
  async unlinkedRecords(caller: Caller, department?: string): Promise<UnlinkedRecord[]> {
    const dept = department ? await this.departmentOrFail('department', department) : (await this.reference.departmentById(caller.departmentId))!;
    return this.unlinked.open(dept.id);
  }

  /** Rename an organisation; the old name stays among its names. */
  async renameOrganisation(caller: Caller, codeOrName: string, newName: string, reason: string): Promise<Organisation> {
    this.mayWrite(caller);
    if (!newName?.trim()) throw ValidationError.field('name', 'is required');
    const org = await this.organisation(codeOrName);
    const at = this.clock.now();
    await this.projects.transaction(async (em) => {
      const locked = await this.organisations.lockById(em, org.id);
      if (!locked || locked.name === newName.trim()) return;
      await this.organisations.addNames(em, [{ organisationId: org.id, name: locked.name, departmentId: null }], locked.createdAt);
      await this.organisations.addNames(em, [{ organisationId: org.id, name: newName, departmentId: caller.departmentId }], at);
      await this.organisations.rename(em, org.id, newName, at);
      await this.history.append(em, { entityType: 'organisation', entityId: org.id, action: 'RENAMED', reason, changes: { name: { before: locked.name, after: newName.trim() } } }, this.actor(caller), at);
      const projects = (await em.query(`SELECT id FROM project WHERE organisation_id = $1`, [org.id])) as { id: string }[];
      await this.matchIndex.refresh(em, projects.map((p) => p.id));
    });
    return (await this.organisations.byIds([org.id])).get(org.id)!;
  }

  // ---------------------------------------------------------------- internals

  private async snapshotRef(): Promise<RefSnapshot> {
    const { departments, funds, categories, supportMethods, catalogs } = await this.reference.snapshot();
    return { departments, funds, categories, methods: supportMethods, catalogItems: catalogs.flatMap((c) => c.items) };
  }

  private mayWrite(caller: Caller): void {
    if (!WRITE_ROLES.has(caller.role)) throw new ForbiddenError(`${caller.departmentCode} holds a ${caller.role} key, which reads but does not change the registry`);
  }

  private actor(caller: Caller): Actor {
    return { departmentId: caller.departmentId, apiKeyId: caller.apiKeyId };
  }

  /** What the caller is to this project: its owner (or the owner's delegated agency), the leading department, both or neither. */
  /** The lifecycle allows this move, and the caller may make it. */
  private async assertTransition(em: EntityManager, caller: Caller, current: ProjectRow, to: ProjectStatus): Promise<void> {
    const actors = await this.actorsFor(em, caller, current);
    const from = current.status as ProjectStatus;
    const check = checkTransition(from, to, actors);
    if (!check.ok && check.kind === 'invalid') {
      throw new DomainError(
        ErrorCode.INVALID_TRANSITION,
        `project ${current.code} is ${from} (${STATUS_NAMES[from]}); it cannot move to ${to} (${STATUS_NAMES[to]}). Allowed: ${check.allowed.join(', ') || 'none, this state is final'}`,
        { current: from, requested: to, allowed: check.allowed },
      );
    }
    if (!check.ok) {
      throw new ForbiddenError(`${caller.departmentCode} (${caller.role}) may not move project ${current.code} to ${to}: this needs ${check.needs.map((n) => (n === 'OWNER' ? 'the owning department' : 'the leading department')).join(' or ')}`);
    }
  }

  private async actorsFor(em: EntityManager, caller: Caller, project: ProjectRow): Promise<LifecycleActor[]> {
    const actors: LifecycleActor[] = [];
    if ((caller.role === 'STAFF' || caller.role === 'LEADING') && (await this.actsFor(caller, project.departmentId, em))) actors.push('OWNER');
    if (caller.role === 'LEADING') actors.push('LEADING');
    return actors;
  }

  /** The caller's own department, or a department that has delegated its projects to the caller's agency. */
  private async actsFor(caller: Caller, departmentId: string, em?: EntityManager): Promise<boolean> {
    if (caller.departmentId === departmentId) return true;
    return this.delegations.active(caller.departmentId, departmentId, this.clock.now().toISOString().slice(0, 10), em);
  }

  private async lockedOwnProject(em: EntityManager, ref: RefSnapshot, caller: Caller, code: string): Promise<ProjectRow> {
    const current = await this.projects.lockByCode(em, code);
    if (!current) throw new NotFoundError('project', code);
    const owner = await this.actsFor(caller, current.departmentId, em);
    if (!owner && caller.role !== 'INFORMATION_CENTER') {
      const dept = ref.departments.find((d) => d.id === current.departmentId);
      throw new ForbiddenError(`project ${current.code} belongs to ${dept?.code ?? 'another department'}; only its own department changes it`);
    }
    return current;
  }

  private async owningDepartment(caller: Caller, requested?: string | null): Promise<Department> {
    if (!requested || !requested.trim()) return (await this.reference.departmentById(caller.departmentId))!;
    const dept = await this.departmentOrFail('department', requested);
    if (caller.role !== 'INFORMATION_CENTER' && !(await this.actsFor(caller, dept.id))) {
      throw new ForbiddenError(`${caller.departmentCode} cannot act for ${dept.code}; only the information center, or an agency ${dept.code} has delegated to, acts for another department`);
    }
    return dept;
  }

  private departmentOrFail(field: string, nameOrCode: string): Promise<Department> {
    return this.reference.requireDepartment(field, nameOrCode);
  }

  private fundOf(ref: RefSnapshot, department: Department, code: string, problems: FieldProblem[]): Fund | null {
    if (!code || !code.trim()) {
      problems.push({ field: 'fund', reason: 'is required' });
      return null;
    }
    const key = code.trim();
    const funds = ref.funds;
    const fund = funds.find((f) => namesFund(f, key));
    if (!fund) {
      problems.push({ field: 'fund', reason: `"${code}" is not a known fund` });
      return null;
    }
    if (fund.departmentId !== department.id) {
      problems.push({ field: 'fund', reason: `${fund.code} (${fund.shortName}) is not a fund of ${department.code}` });
      return null;
    }
    return fund;
  }

  private checkUscc(org: RegisterProjectInput['organisation'] | undefined, problems: FieldProblem[]): { code: string; status: 'valid' | 'unverified' } | null {
    const raw = org?.uscc?.trim();
    if (!raw) return null;
    const v = validateUscc(raw);
    if (!v.ok) {
      problems.push({ field: 'organisation.uscc', reason: `"${raw}" is not a credit code: ${v.problems.map((p) => (p.position ? `position ${p.position}: ${p.reason}` : p.reason)).join('; ')}` });
      return null;
    }
    if (v.status === 'unverified' && !org?.allowUnverifiedUscc) {
      problems.push({ field: 'organisation.uscc', reason: `${v.checkProblems.map((p) => p.reason).join('; ')}; to store it anyway, marked unverified, set allowUnverifiedUscc` });
      return null;
    }
    return { code: v.code, status: v.status };
  }

  private resolveFields(ref: RefSnapshot, fund: Fund, input: ProjectFieldsInput, problems: FieldProblem[], current: ProjectRow | null) {
    const pick = <K extends keyof ProjectFieldsInput>(k: K) => input[k];
    // Sub-fund: by its code within the fund or its number in the classification table.
    let subFundId = current?.subFundId ?? null;
    if (input.subFund !== undefined) {
      if (input.subFund === null || input.subFund === '') subFundId = null;
      else {
        const key = String(input.subFund).trim();
        const sub = fund.subFunds.find((s) => s.code === key.padStart(2, '0') || String(s.number) === key || s.name === key);
        if (!sub) problems.push({ field: 'subFund', reason: `"${key}" is not a sub-fund of ${fund.code} (${fund.subFunds.map((s) => `${s.code} ${s.name}`).join('; ') || 'it has none'})` });
        else subFundId = sub.id;
      }
    }
    const sub = fund.subFunds.find((s) => s.id === subFundId);
    let categoryCode = current?.categoryCode ?? null;
    if (input.categoryCode !== undefined) categoryCode = input.categoryCode || null;
    if (sub && input.subFund !== undefined && input.categoryCode === undefined) categoryCode = sub.categoryCode;
    if (sub?.categoryCode && categoryCode && categoryCode !== sub.categoryCode) problems.push({ field: 'categoryCode', reason: `sub-fund ${sub.code} belongs to category ${sub.categoryCode}, not ${categoryCode}` });
    if (categoryCode && !ref.categories.some((c) => c.code === categoryCode)) problems.push({ field: 'categoryCode', reason: `"${categoryCode}" is not a category` });

    let supportMethodCode = current?.supportMethodCode ?? null;
    if (input.supportMethodCode !== undefined) {
      supportMethodCode = input.supportMethodCode || null;
      const methods = ref.methods;
      const m = supportMethodCode ? methods.find((x) => x.code === supportMethodCode!.toUpperCase() || x.name === supportMethodCode) : null;
      if (supportMethodCode && !m) problems.push({ field: 'supportMethodCode', reason: `"${supportMethodCode}" is not a support method (${methods.map((x) => `${x.code} ${x.name}`).join(', ')})` });
      supportMethodCode = m?.code ?? null;
    }

    let catalogItemCode = current?.catalogItemCode ?? null;
    if (input.catalogItemCode !== undefined) catalogItemCode = input.catalogItemCode || null;
    if (input.catalogItemCode !== undefined && catalogItemCode) {
      const items = ref.catalogItems;
      const item = items.find((i) => i.code === catalogItemCode!.toUpperCase() || i.name === catalogItemCode);
      if (!item) problems.push({ field: 'catalogItemCode', reason: `"${catalogItemCode}" is not a key-technology catalog item` });
      catalogItemCode = item?.code ?? null;
    }
    if (fund.usesCatalog && !catalogItemCode) problems.push({ field: 'catalogItemCode', reason: `fund ${fund.code} requires a key-technology catalog item` });

    const money = (field: 'requestedYuan' | 'approvedYuan' | 'selfRaisedYuan' | 'totalInvestmentYuan', cur: Fen | null): Fen | null => {
      const v = pick(field);
      if (v === undefined) return cur;
      if (v === null || String(v).trim() === '') return null;
      try {
        return yuanToFen(field, String(v));
      } catch (err) {
        if (err instanceof ValidationError) problems.push(...err.problems);
        return cur;
      }
    };
    const requestedFen = money('requestedYuan', current?.requestedFen ?? null);
    const approvedFen = money('approvedYuan', current?.approvedFen ?? null);
    const selfRaisedFen = money('selfRaisedYuan', current?.selfRaisedFen ?? null);
    const totalInvestmentFen = money('totalInvestmentYuan', current?.totalInvestmentFen ?? null);

    const date = (field: 'plannedStart' | 'plannedEnd', cur: string | null): string | null => {
      const v = pick(field);
      if (v === undefined) return cur;
      if (v === null || v === '') return null;
      if (!validDate(String(v))) {
        problems.push({ field, reason: `"${v}" is not a date (YYYY-MM-DD)` });
        return cur;
      }
      return String(v);
    };
    const plannedStart = date('plannedStart', current?.plannedStart ?? null);
    const plannedEnd = date('plannedEnd', current?.plannedEnd ?? null);
    if (plannedStart && plannedEnd && plannedEnd < plannedStart) problems.push({ field: 'plannedEnd', reason: `${plannedEnd} is before the start ${plannedStart}` });

    let leader: { name: string; idNumber: string | null } | null = null;
    if (input.leader) {
      if (!input.leader.name?.trim()) problems.push({ field: 'leader.name', reason: 'is required when a leader is given' });
      let idNumber: string | null = null;
      if (input.leader.idNumber) {
        const v = validateIdNumber(input.leader.idNumber);
        if (!v.ok) problems.push({ field: 'leader.idNumber', reason: v.reason });
        else idNumber = v.value;
      }
      leader = { name: input.leader.name?.trim() ?? '', idNumber };
    }
    const keywords = input.keywords === undefined ? (current?.keywords ?? []) : (input.keywords ?? []).map((k) => k.trim()).filter(Boolean);
    if (keywords.length > 50) problems.push({ field: 'keywords', reason: 'at most 50 keywords' });
    const summary = input.summary === undefined ? (current?.summary ?? '') : (input.summary ?? '');
    if (summary.length > 20_000) problems.push({ field: 'summary', reason: 'must be at most 20,000 characters' });
    if (input.title !== undefined && input.title.length > 500) problems.push({ field: 'title', reason: 'must be at most 500 characters' });
    const attributes = input.attributes === undefined ? (current?.attributes ?? {}) : (input.attributes ?? {});

    return {
      leader,
      /** Resolved values under the project row's own column names. */
      columns: { subFundId, categoryCode, supportMethodCode, catalogItemCode, requestedFen, approvedFen, selfRaisedFen, totalInvestmentFen, plannedStart, plannedEnd, keywords, summary, attributes },
    };
  }

  private enforceRules(fund: Fund, p: { requestedFen: Fen | null; approvedFen: Fen | null; selfRaisedFen: Fen | null; totalInvestmentFen: Fen | null }, stage: 'requested' | 'approved'): void {
    const violations = checkFundRules(fund.rules as FundRules, {
      fiscal: stage === 'approved' ? p.approvedFen : p.requestedFen,
      fiscalLabel: stage,
      requested: p.requestedFen,
      selfRaised: p.selfRaisedFen,
      totalInvestment: p.totalInvestmentFen,
    });
    if (violations.length) {
      throw new DomainError(ErrorCode.RULE_VIOLATION, `fund ${fund.code} rules: ${violations.map((v) => v.message).join('; ')}`, { fund: fund.code, violations });
    }
  }

  /**
   * The person behind each leader: the one with that ID number; without one, the one person of
   * that name who already led a project of that organisation; otherwise a new person.
   */
  private async resolveLeaders(em: EntityManager, items: { name: string; idNumber: string | null; organisationId: string }[], newOrganisations: Set<string> = new Set()): Promise<string[]> {
    const byIdNumber = await this.organisations.personIdsByIdNumber(em, items.map((l) => l.idNumber).filter((x): x is string => Boolean(x)));
    // An organisation registered just now has had no leaders yet.
    const leading = await this.organisations.leadersFor(em, items.filter((l) => !l.idNumber && !newOrganisations.has(l.organisationId)).map((l) => ({ name: l.name, organisationId: l.organisationId })));
    const newPeople: { id: string; name: string; idNumber: string | null }[] = [];
    const chosen = items.map((l) => {
      const key = `${normaliseName(l.name)}|${l.organisationId}`;
      let id = l.idNumber ? byIdNumber.get(l.idNumber) : (leading.get(key)?.length === 1 ? leading.get(key)![0] : undefined);
      if (!id) {
        id = randomUUID();
        newPeople.push({ id, name: l.name, idNumber: l.idNumber });
        if (l.idNumber) byIdNumber.set(l.idNumber, id);
      }
      // Later rows of this batch naming the same person at this organisation without an ID number find them.
      if (!leading.get(key)?.includes(id)) leading.set(key, [...(leading.get(key) ?? []), id]);
      return id;
    });
    const stored = await this.organisations.insertPersons(em, newPeople);
    return chosen.map((id) => stored.get(id) ?? id);
  }

  private async views(rows: ProjectRow[], em?: EntityManager): Promise<ProjectView[]> {
    // One after another: inside a transaction they share one connection.
    const orgs = await this.organisations.byIds(rows.map((r) => r.organisationId), em);
    const people = await this.organisations.personsByIds(rows.map((r) => r.leaderId).filter((x): x is string => x !== null), em);
    const links = await this.projects.localIds(rows.map((r) => r.id), em);
    return rows.map((r) => ({
      id: r.id,
      code: r.code,
      departmentId: r.departmentId,
      fundId: r.fundId,
      subFundId: r.subFundId,
      categoryCode: r.categoryCode,
      supportMethodCode: r.supportMethodCode,
      catalogItemCode: r.catalogItemCode,
      year: r.year,
      title: r.title,
      summary: r.summary,
      keywords: r.keywords,
      organisation: orgs.get(r.organisationId)!,
      leader: r.leaderId ? (people.get(r.leaderId) ?? null) : null,
      requestedFen: r.requestedFen,
      approvedFen: r.approvedFen,
      selfRaisedFen: r.selfRaisedFen,
      totalInvestmentFen: r.totalInvestmentFen,
      plannedStart: r.plannedStart,
      plannedEnd: r.plannedEnd,
      extensionMonths: r.extensionMonths,
      status: r.status as ProjectStatus,
      attributes: r.attributes,
      localIds: links.get(r.id) ?? [],
      version: r.version,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    }));
  }
}

/** Another registration got there first; the batch is read again and retried. */
class BatchRace extends Error {}

/** A write that lost a race with another (unique key taken, deadlock broken, serialization): worth another try. */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { driverError?: { code?: string } })?.driverError?.code ?? (err as { code?: string })?.code;
  return code === '23505' || code === '40P01' || code === '40001';
}

function hashString(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** A lane per row such that rows sharing a credit code or a name (transitively) share a lane. */
export function organisationGroups(rows: { uscc: string | null; name: string }[], lanes: number): number[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    for (let y = x; parent.get(y) !== r; ) {
      const next = parent.get(y)!;
      parent.set(y, r);
      y = next;
    }
    return r;
  };
  const add = (x: string) => {
    if (!parent.has(x)) parent.set(x, x);
  };
  for (const r of rows) {
    const n = `n:${r.name}`;
    add(n);
    if (r.uscc) {
      const u = `u:${r.uscc}`;
      add(u);
      const [a, b] = [find(n), find(u)];
      if (a !== b) parent.set(a, b);
    }
  }
  return rows.map((r) => (lanes === 1 ? 0 : Math.abs(hashString(find(`n:${r.name}`))) % lanes));
}
