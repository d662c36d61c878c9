/**
 * The project lifecycle (DOMAIN §4; 000 §五(五), 001, 002 §三) as a state machine.
 * Every transition names who may make it: the owning department (or, later, its delegated
 * agency), or the leading department.
 */
export enum ProjectStatus {
  DRAFT = 'DRAFT',
  ACCEPTED = 'ACCEPTED',
  PRELIMINARY_CHECK = 'PRELIMINARY_CHECK',
  EXPERT_REVIEW = 'EXPERT_REVIEW',
  CONSULTATION = 'CONSULTATION',
  APPROVED = 'APPROVED',
  IN_IMPLEMENTATION = 'IN_IMPLEMENTATION',
  ACCEPTANCE_PASSED = 'ACCEPTANCE_PASSED',
  ACCEPTANCE_FAILED = 'ACCEPTANCE_FAILED',
  RECONSIDERATION = 'RECONSIDERATION',
  CLOSED = 'CLOSED',
  REJECTED = 'REJECTED',
  WITHDRAWN = 'WITHDRAWN',
  TERMINATED = 'TERMINATED',
}

export const STATUS_NAMES: Record<ProjectStatus, string> = {
  DRAFT: '申报',
  ACCEPTED: '受理',
  PRELIMINARY_CHECK: '初审',
  EXPERT_REVIEW: '评审',
  CONSULTATION: '会商',
  APPROVED: '立项',
  IN_IMPLEMENTATION: '实施',
  ACCEPTANCE_PASSED: '验收通过',
  ACCEPTANCE_FAILED: '验收不通过',
  RECONSIDERATION: '复核',
  CLOSED: '结项',
  REJECTED: '不予立项',
  WITHDRAWN: '撤项',
  TERMINATED: '终止',
};

export type Actor = 'OWNER' | 'LEADING';

interface Edge {
  to: ProjectStatus;
  by: Actor[];
}

const S = ProjectStatus;
const owner: Actor[] = ['OWNER'];

const EDGES: Record<ProjectStatus, Edge[]> = {
  [S.DRAFT]: [
    { to: S.ACCEPTED, by: owner },
    { to: S.REJECTED, by: owner },
    { to: S.WITHDRAWN, by: owner },
  ],
  [S.ACCEPTED]: [
    { to: S.PRELIMINARY_CHECK, by: owner },
    { to: S.REJECTED, by: owner },
    { to: S.WITHDRAWN, by: owner },
  ],
  [S.PRELIMINARY_CHECK]: [
    { to: S.EXPERT_REVIEW, by: owner },
    { to: S.REJECTED, by: owner },
    { to: S.WITHDRAWN, by: owner },
  ],
  [S.EXPERT_REVIEW]: [
    { to: S.CONSULTATION, by: owner },
    { to: S.APPROVED, by: owner },
    { to: S.REJECTED, by: owner },
    { to: S.WITHDRAWN, by: owner },
  ],
  [S.CONSULTATION]: [
    { to: S.APPROVED, by: owner },
    { to: S.REJECTED, by: owner },
    { to: S.EXPERT_REVIEW, by: owner },
    { to: S.WITHDRAWN, by: owner },
  ],
  [S.APPROVED]: [
    { to: S.IN_IMPLEMENTATION, by: owner },
    // 撤项 after approval is a major change that needs prior approval (001); recorded by the owner.
    { to: S.WITHDRAWN, by: owner },
    // The leading office may terminate a project, suspend payment and recover money (002 §四).
    { to: S.TERMINATED, by: ['LEADING'] },
  ],
  [S.IN_IMPLEMENTATION]: [
    { to: S.ACCEPTANCE_PASSED, by: owner },
    { to: S.ACCEPTANCE_FAILED, by: owner },
    { to: S.WITHDRAWN, by: owner },
    { to: S.TERMINATED, by: ['LEADING'] },
  ],
  // Acceptance failed: one reconsideration (复核) may be requested; failing that, termination (001).
  [S.ACCEPTANCE_FAILED]: [
    { to: S.RECONSIDERATION, by: owner },
    { to: S.TERMINATED, by: ['OWNER', 'LEADING'] },
  ],
  [S.RECONSIDERATION]: [
    { to: S.ACCEPTANCE_PASSED, by: owner },
    { to: S.TERMINATED, by: ['OWNER', 'LEADING'] },
  ],
  [S.ACCEPTANCE_PASSED]: [{ to: S.CLOSED, by: owner }],
  [S.CLOSED]: [],
  [S.REJECTED]: [],
  [S.WITHDRAWN]: [],
  [S.TERMINATED]: [],
};

/** Transitions allowed from a state, with who may make each. */
export function allowedTransitions(from: ProjectStatus): { to: ProjectStatus; by: Actor[] }[] {
  return EDGES[from].map((e) => ({ to: e.to, by: [...e.by] }));
}

export type TransitionCheck =
  | { ok: true }
  | { ok: false; kind: 'invalid'; allowed: ProjectStatus[] }
  | { ok: false; kind: 'forbidden'; needs: Actor[] };

/** Whether `actors` (what the caller is: owner, leading department, or both) may move a project from → to. */
export function checkTransition(from: ProjectStatus, to: ProjectStatus, actors: Actor[]): TransitionCheck {
  const edge = EDGES[from].find((e) => e.to === to);
  if (!edge) return { ok: false, kind: 'invalid', allowed: EDGES[from].map((e) => e.to) };
  if (!edge.by.some((a) => actors.includes(a))) return { ok: false, kind: 'forbidden', needs: edge.by };
  return { ok: true };
}

export function isFinal(status: ProjectStatus): boolean {
  return EDGES[status].length === 0;
}

/** Extension: once, by 1 to 12 months, while approved or in implementation (001). */
export const EXTENDABLE = new Set([S.APPROVED, S.IN_IMPLEMENTATION]);
export const MAX_EXTENSION_MONTHS = 12;

export function isProjectStatus(v: string): v is ProjectStatus {
  return (Object.values(ProjectStatus) as string[]).includes(v);
}
