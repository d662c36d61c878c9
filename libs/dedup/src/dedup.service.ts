import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { validateUscc } from '#encoding';
import { ReferenceService } from '#reference';
import { Clock, ForbiddenError, NotFoundError, requireUuid, ValidationError, type FieldProblem } from '#shared/core/index.js';
import { AlertRepository, ALERT_STATUSES, type AlertFilter, type AlertStatus, type DuplicateAlert, type RecordOutcome, type ScoredPair } from './alert.repository.js';
import { fundOverlaps, type FundOverlap, type FundOverlapTarget } from './fund-overlap.js';
import { countKeys, MatchIndex, type IndexedProject } from './match-index.repository.js';
import { compare, scorePairs, features, Frequencies, levelOf, type Evidence, type Features, type Match, type MatchRecord } from './matcher.js';

/** Who asks: a department's key as the gateway or the CLI resolved it. */
export interface DedupCaller {
  departmentId: string;
  departmentCode: string;
  role: 'STAFF' | 'LEADING' | 'INFORMATION_CENTER' | 'READER';
  apiKeyId: string | null;
}

/** A project as the pre-check is given it: a draft not yet registered, or a stored project's fields. */
export interface DuplicateDraft {
  department?: string | null;
  subFund?: string | null;
  year?: number | null;
  title: string;
  organisation: { name: string; uscc?: string | null };
  leader?: string | null;
  amountFen?: bigint | null;
  startDate?: string | null;
  endDate?: string | null;
}

export interface DuplicateCandidate {
  project: IndexedProject;
  score: number;
  level: Match['level'];
  evidence: Evidence[];
}

export interface ScanScope {
  year?: number;
  /** Department code. */
  department?: string;
  /** Only pairs that involve these projects (an import's projects). */
  projectIds?: string[];
}

export interface ScanReport {
  scope: ScanScope & { projectIds?: never; projects?: number };
  indexed: number;
  refreshed: number;
  candidatePairs: number;
  alerts: { likely: number; possible: number };
  outcome: RecordOutcome;
  millis: { load: number; score: number; record: number };
}

/** Candidates returned by a pre-check, best first. */
const MAX_CANDIDATES = 20;
/**
 * Projects a pre-check compares at most: those sharing the most blocks, then the smallest, first. At a
 * million projects a draft's blocks hold a few hundred projects at worst, most of them sharing a
 * single large block (a common leader's name, a common pair of title bigrams) and nothing else; a
 * true duplicate shares its organisation or leader and its title's rare bigrams, so several blocks.
 */
const MAX_COMPARED = 100;

/**
 * Duplicate-funding detection (DOMAIN §5): the pre-check of one project against the whole
 * registry, the batch scan, stored alerts and their review, and the new-fund overlap check.
 * The pre-check and the scan use the same method (matcher.ts) on the same stored normal forms.
 */
@Injectable()
export class DedupService {
  private readonly log = new Logger('Dedup');

  constructor(
    private readonly index: MatchIndex,
    private readonly alerts: AlertRepository,
    private readonly reference: ReferenceService,
    private readonly clock: Clock,
  ) {}

  /** Candidates for a draft that is not registered (nothing is stored). */
  async check(draft: DuplicateDraft): Promise<DuplicateCandidate[]> {
    const rec = this.draftRecord(draft);
    return this.candidatesFor(features(rec), null);
  }

  /**
   * The pre-check of stored projects (just registered or changed): candidates against the whole
   * registry, stored as alerts (once per pair) and returned.
   */
  async precheck(projectIds: string[]): Promise<{ candidates: Map<string, DuplicateCandidate[]>; outcome: RecordOutcome }> {
    const out = new Map<string, DuplicateCandidate[]>();
    const projects = await this.index.byIds(projectIds);
    const pairs: ScoredPair[] = [];
    for (const p of projects) {
      const found = await this.candidatesFor(features(p), p.id);
      out.set(p.id, found);
      for (const c of found) pairs.push({ a: p, b: c.project, score: c.score, level: c.level, evidence: c.evidence });
    }
    const outcome = pairs.length ? await this.alerts.record(pairs, this.clock.now()) : { raised: 0, rescored: 0, reopened: 0, keptDecided: 0 };
    return { candidates: out, outcome };
  }

  /** The pre-check without failing the caller: a registration has committed; its alerts come with the next scan if this fails. */
  async precheckQuietly(projectIds: string[]): Promise<void> {
    try {
      await this.precheck(projectIds);
    } catch (err) {
      this.log.error(`duplicate pre-check of ${projectIds.length} project(s) failed; the next scan covers them: ${(err as Error).message}`);
    }
  }

  /** A stored project's candidates, by its unified code (nothing is stored). */
  async checkProject(code: string): Promise<DuplicateCandidate[]> {
    const p = await this.index.byCode(code);
    if (!p) throw new NotFoundError('project', code);
    return this.candidatesFor(features(p), p.id);
  }

  private async candidatesFor(f: Features, selfId: string | null): Promise<DuplicateCandidate[]> {
    // A stored project is counted in the index already; a draft counts itself, as the batch method does.
    const selfKeys = countKeys(f);
    const own = await this.index.frequencies(selfKeys);
    if (!selfId) own.add(f);
    const ids = (await this.index.candidates(f, own, MAX_COMPARED + 1)).filter((id) => id !== selfId).slice(0, MAX_COMPARED);
    if (ids.length === 0) return [];
    const others = (await this.index.byIds(ids)).map((p) => ({ p, f: features(p) }));
    // What the method weighs on the other side: its title, its name, and its title's bigrams.
    const freq = await this.index.frequencies([...selfKeys, ...others.flatMap(({ f: o }) => [`t${o.title}`, `o${o.org.normal}`, ...[...o.grams].map((g) => `g${g}`)])]);
    if (!selfId) freq.add(f);
    const found: DuplicateCandidate[] = [];
    for (const o of others) {
      const { score, evidence } = compare(f, o.f, freq);
      const level = levelOf(score);
      if (level) found.push({ project: o.p, score: round2(score), level, evidence });
    }
    return found.sort((x, y) => y.score - x.score || (x.project.code < y.project.code ? -1 : 1)).slice(0, MAX_CANDIDATES);
  }

  /**
   * The batch scan: every project, or the pairs that involve one year, one department or a list of
   * projects, against the whole registry. Alerts are stored once per pair.
   */
  async scan(scope: ScanScope, progress: (done: number, total: number) => Promise<void> | void = () => undefined): Promise<ScanReport> {
    if (scope.department) {
      const ref = await this.reference.snapshot();
      if (!ref.departments.some((d) => d.code === scope.department)) throw ValidationError.field('department', `"${scope.department}" is not a department code`);
    }
    let t = Date.now();
    const refreshed = await this.index.refreshStale();
    const total = await this.index.count();
    const records: IndexedProject[] = [];
    for await (const page of this.index.all()) {
      records.push(...page);
      await progress(records.length, total * 2);
    }
    const load = Date.now() - t;
    t = Date.now();
    const all = records.map(features);
    const freq = new Frequencies();
    for (const f of all) freq.add(f);
    const wanted = new Set(scope.projectIds ?? []);
    const inScope = (p: IndexedProject) =>
      (scope.projectIds === undefined || wanted.has(p.id)) && (scope.year === undefined || p.year === scope.year) && (scope.department === undefined || p.department === scope.department);
    const pairs = scorePairs(all, freq, { keep: (i, k) => inScope(records[i]!) || inScope(records[k]!) });
    const scored: ScoredPair[] = pairs.scored.map((m) => ({ a: records[m.i]!, b: records[m.k]!, score: round2(m.score), level: m.level, evidence: m.evidence }));
    const score = Date.now() - t;
    await progress(total + Math.floor(total / 2), total * 2);
    // Every stored title was counted: the bigram counts the pre-check uses become exact again.
    await this.index.replaceCounts(all);
    t = Date.now();
    const outcome = await this.alerts.record(scored, this.clock.now());
    await progress(total * 2, total * 2);
    return {
      scope: { year: scope.year, department: scope.department, projects: scope.projectIds?.length },
      indexed: total,
      refreshed,
      candidatePairs: pairs.candidates,
      alerts: { likely: scored.filter((s) => s.level === 'likely').length, possible: scored.filter((s) => s.level === 'possible').length },
      outcome,
      millis: { load, score, record: Date.now() - t },
    };
  }

  async alert(id: string): Promise<DuplicateAlert> {
    requireUuid('id', id, 'is not an alert id');
    const a = await this.alerts.get(id);
    if (!a) throw new NotFoundError('duplicate alert', id);
    return a;
  }

  listAlerts(filter: AlertFilter, first: number, after?: { score: number; id: string }) {
    if (!Number.isInteger(first) || first < 1 || first > 500) throw ValidationError.field('first', 'must be 1 to 500');
    return this.alerts.list(filter, first, after);
  }

  /**
   * Review an alert: a department whose project is in the pair sets the status with a written reason.
   * The decision holds for this pair until either project changes materially.
   */
  async review(caller: DedupCaller, id: string, status: AlertStatus, reason: string): Promise<DuplicateAlert> {
    const problems: FieldProblem[] = [];
    if (!ALERT_STATUSES.includes(status)) problems.push({ field: 'status', reason: `must be one of ${ALERT_STATUSES.join(', ')}` });
    const why = (reason ?? '').trim();
    if (why.length < 2) problems.push({ field: 'reason', reason: 'a written reason is required (审核意见必填)' });
    if (why.length > 2000) problems.push({ field: 'reason', reason: 'must be at most 2,000 characters' });
    if (problems.length) throw new ValidationError(problems);
    if (caller.role === 'READER') throw new ForbiddenError('a read-only key cannot review duplicate alerts');
    requireUuid('id', id, 'is not an alert id');
    // decide() locks and reads the alert (not found → NOT_FOUND) before the guard sees it.
    return this.alerts.decide(id, status, why, { departmentId: caller.departmentId, apiKeyId: caller.apiKeyId }, this.clock.now(), (alert) => {
      if (alert.departmentA !== caller.departmentCode && alert.departmentB !== caller.departmentCode)
        throw new ForbiddenError(`only the departments of the two projects (${alert.departmentA}, ${alert.departmentB}) review this alert`);
    });
  }

  /**
   * A consultation meeting decided the alert (its minutes approved): the meeting's outcome, recorded in
   * the alert's history, in the transaction that approves the minutes (both stand, or neither).
   */
  async decideByMeeting(actor: { departmentId: string | null; apiKeyId: string | null }, id: string, status: Exclude<AlertStatus, 'open'>, reason: string, within?: EntityManager): Promise<DuplicateAlert> {
    return this.alerts.decide(id, status, reason, actor, this.clock.now(), () => undefined, within);
  }

  /** A proposed fund's name and support direction against every existing fund and sub-fund. */
  async fundOverlap(name: string, direction?: string | null): Promise<FundOverlap[]> {
    const problems: FieldProblem[] = [];
    if (!name?.trim()) problems.push({ field: 'name', reason: 'is required' });
    if (name && name.length > 200) problems.push({ field: 'name', reason: 'must be at most 200 characters' });
    if (direction && direction.length > 5000) problems.push({ field: 'direction', reason: 'must be at most 5,000 characters' });
    if (problems.length) throw new ValidationError(problems);
    const ref = await this.reference.snapshot();
    const deptCode = new Map(ref.departments.map((d) => [d.id, d.code]));
    const targets: FundOverlapTarget[] = [];
    for (const fund of ref.funds) {
      const departmentCode = deptCode.get(fund.departmentId) ?? '';
      targets.push({ kind: 'fund', fundCode: fund.code, subFundCode: null, departmentCode, name: fund.name });
      for (const s of fund.subFunds) targets.push({ kind: 'subFund', fundCode: fund.code, subFundCode: s.code, departmentCode, name: s.name });
    }
    return fundOverlaps({ name, direction }, targets);
  }

  /** Stored projects as the detector sees them. */
  projects(ids: string[]): Promise<IndexedProject[]> {
    return this.index.byIds(ids);
  }

  private draftRecord(d: DuplicateDraft): MatchRecord {
    const problems: FieldProblem[] = [];
    if (!d.title?.trim()) problems.push({ field: 'title', reason: 'is required' });
    else if (d.title.length > 500) problems.push({ field: 'title', reason: 'must be at most 500 characters' });
    if (!d.organisation?.name?.trim()) problems.push({ field: 'organisation.name', reason: 'is required' });
    let uscc: string | null = null;
    if (d.organisation?.uscc?.trim()) {
      const v = validateUscc(d.organisation.uscc);
      if (v.ok) uscc = v.code;
      else problems.push({ field: 'organisation.uscc', reason: v.problems.map((p) => p.reason).join('; ') });
    }
    if (d.year !== undefined && d.year !== null && (!Number.isInteger(d.year) || d.year < 1949 || d.year > 2200)) problems.push({ field: 'year', reason: 'must be a year between 1949 and 2200' });
    for (const k of ['startDate', 'endDate'] as const) if (d[k] && !/^\d{4}-\d{2}-\d{2}$/.test(d[k]!)) problems.push({ field: k, reason: 'must be a date YYYY-MM-DD' });
    if (problems.length) throw new ValidationError(problems);
    return {
      id: '',
      department: d.department ?? '',
      subfund: d.subFund ?? null,
      year: d.year ?? null,
      title: d.title,
      organisation: d.organisation.name,
      uscc,
      leader: d.leader?.trim() || null,
      amountFen: d.amountFen ?? null,
      startDate: d.startDate ?? null,
      endDate: d.endDate ?? null,
    };
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;
