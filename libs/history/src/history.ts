import { createHash } from 'node:crypto';

/** Who made a change: a department's key, or the platform itself (seed, migration). */
export interface Actor {
  departmentId: string | null;
  apiKeyId: string | null;
}

export const SYSTEM_ACTOR: Actor = { departmentId: null, apiKeyId: null };

export interface HistoryInput {
  entityType: 'project' | 'organisation' | 'crosswalk' | 'duplicate_alert' | 'credit_record' | 'meeting' | 'fund_proposal' | 'guideline' | 'consultation_request';
  entityId: string;
  action: string;
  reason?: string;
  /** What changed: field → { before, after }, or a description of the event. */
  changes: Record<string, unknown>;
}

export interface HistoryEntry extends Required<HistoryInput> {
  id: string;
  seq: number;
  at: Date;
  departmentId: string | null;
  apiKeyId: string | null;
  prevHash: string | null;
  hash: string;
}

/** JSON with object keys sorted, so a hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

/** The hash of an entry: SHA-256 over its content and the previous entry's hash. */
export function entryHash(e: Omit<HistoryEntry, 'id' | 'hash'>): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        entityType: e.entityType,
        entityId: e.entityId,
        seq: e.seq,
        at: e.at.toISOString(),
        departmentId: e.departmentId,
        apiKeyId: e.apiKeyId,
        action: e.action,
        reason: e.reason,
        changes: e.changes,
        prevHash: e.prevHash,
      }),
    )
    .digest('hex');
}

export interface ChainProblem {
  seq: number;
  problem: string;
}

/** Check one record's chain: sequence without gaps, each hash right, each linked to the one before. */
export function verifyChain(entries: HistoryEntry[]): ChainProblem[] {
  const problems: ChainProblem[] = [];
  let prev: HistoryEntry | undefined;
  entries.forEach((e, i) => {
    if (e.seq !== i + 1) problems.push({ seq: e.seq, problem: `sequence ${e.seq} where ${i + 1} was expected (an entry is missing)` });
    if (e.prevHash !== (prev?.hash ?? null)) problems.push({ seq: e.seq, problem: 'does not link to the entry before it' });
    if (entryHash(e) !== e.hash) problems.push({ seq: e.seq, problem: 'its content does not match its hash (changed after it was written)' });
    prev = e;
  });
  return problems;
}

/** Field-by-field difference of two flat records (only fields that changed). */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, { before: unknown; after: unknown }> {
  const out: Record<string, { before: unknown; after: unknown }> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (canonicalJson(before[k]) !== canonicalJson(after[k])) out[k] = { before: before[k] ?? null, after: after[k] ?? null };
  }
  return out;
}
