import { bigrams, jaccard, normalisePersonName, normaliseText, splitOrganisationName, type OrganisationName } from './normalise.js';

/**
 * The detector's method on plain records: blocking (candidate pairs without comparing every pair)
 * and field-by-field evidence combined into a score with weights that can be explained
 * (Fellegi–Sunter: agreement on a rare value says more than agreement on a common one).
 */
export interface MatchRecord {
  id: string;
  department: string;
  year: number | null;
  title: string;
  organisation: string;
  uscc: string | null;
  leader: string | null;
  amountFen: bigint | null;
  /** The sub-fund or project type as the department names it (重点项目, 后期资助项目, a sub-fund code). */
  subfund?: string | null;
  /** The project's period, ISO dates, when known. */
  startDate?: string | null;
  endDate?: string | null;
}

export interface Features {
  rec: MatchRecord;
  title: string;
  grams: Set<string>;
  org: OrganisationName;
  leader: string;
}

export interface Evidence {
  field: 'uscc' | 'organisation' | 'leader' | 'title' | 'year' | 'amount';
  weight: number;
  detail: string;
}

export interface Match {
  a: string;
  b: string;
  score: number;
  level: 'likely' | 'possible';
  evidence: Evidence[];
}

export function features(rec: MatchRecord): Features {
  return {
    rec,
    title: normaliseText(rec.title),
    grams: new Set(bigrams(rec.title)),
    org: splitOrganisationName(rec.organisation || ''),
    leader: personLeader(rec),
  };
}

/** The leader as a person; a publisher or other body written in the leader column counts as no leader. */
function personLeader(rec: MatchRecord): string {
  if (!rec.leader) return '';
  const l = normalisePersonName(rec.leader);
  if (l === normalisePersonName(rec.organisation ?? '') || /出版社|公司|大学|学院|研究院|研究所|中心|委员会|办公室/.test(l) || l.length > 12) return '';
  return l;
}

/** How often values occur, to down-weight common ones (a generic title, 王伟, a generic bigram). */
export class Frequencies {
  readonly title = new Map<string, number>();
  readonly leader = new Map<string, number>();
  readonly gram = new Map<string, number>();
  readonly core = new Map<string, number>();
  readonly org = new Map<string, number>();
  size = 0;

  add(f: Features): void {
    this.size++;
    bump(this.title, f.title);
    if (f.leader) bump(this.leader, f.leader);
    if (f.org.core) bump(this.core, f.org.core);
    if (f.org.normal) bump(this.org, f.org.normal);
    for (const g of f.grams) bump(this.gram, g);
  }
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** Candidate pairs: same credit code, same organisation core, same leader, or two shared rare title bigrams. */
export function candidatePairs(all: Features[], freq: Frequencies, opts: { maxBlock?: number } = {}): [number, number][] {
  const maxBlock = opts.maxBlock ?? 300;
  const blocks = new Map<string, number[]>();
  const add = (key: string, i: number) => {
    const b = blocks.get(key);
    if (b) b.push(i);
    else blocks.set(key, [i]);
  };
  all.forEach((f, i) => {
    if (f.rec.uscc) add(`u:${f.rec.uscc}`, i);
    if (f.org.core.length >= 2) add(`o:${f.org.core}`, i);
    if (f.leader) add(`l:${f.leader}`, i);
    // The title's rarest bigrams, so that a reworded title still meets its twin.
    const rare = [...f.grams].sort((x, y) => (freq.gram.get(x) ?? 0) - (freq.gram.get(y) ?? 0)).slice(0, 4);
    for (let j = 0; j < rare.length; j++) for (let k = j + 1; k < rare.length; k++) add(`t:${rare[j]}${rare[k]}`, i);
  });
  const seen = new Set<string>();
  const out: [number, number][] = [];
  for (const members of blocks.values()) {
    if (members.length < 2 || members.length > maxBlock) continue;
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        const a = members[x]!;
        const b = members[y]!;
        const k = a < b ? `${a}:${b}` : `${b}:${a}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(a < b ? [a, b] : [b, a]);
      }
    }
  }
  return out;
}

const log2 = (x: number) => Math.log(x) / Math.LN2;

/** Evidence for one pair, and the score it adds up to. */
export function compare(x: Features, y: Features, freq: Frequencies): { score: number; evidence: Evidence[] } {
  const ev: Evidence[] = [];
  const a = x.rec;
  const b = y.rec;
  // Organisation: the credit code is decisive either way; otherwise the name's parts, weighed by how
  // many records share them (agreeing on 北京大学 says little, on a small company much).
  let sameOrg = false;
  const orgFreq = Math.max(freq.org.get(x.org.normal) ?? 1, freq.org.get(y.org.normal) ?? 1);
  const rarity = (f: number, top: number) => Math.max(0.5, top - log2(f) / 3);
  if (a.uscc && b.uscc) {
    if (a.uscc === b.uscc) {
      ev.push({ field: 'uscc', weight: 5, detail: `same credit code ${a.uscc}` });
      sameOrg = true;
    } else ev.push({ field: 'uscc', weight: -6, detail: `different credit codes ${a.uscc} / ${b.uscc}` });
  }
  if (!(a.uscc && b.uscc)) {
    if (x.org.normal && x.org.normal === y.org.normal) {
      ev.push({ field: 'organisation', weight: rarity(orgFreq, 4), detail: `same name ${x.org.normal}${orgFreq > 10 ? ` (${orgFreq} records)` : ''}` });
      sameOrg = true;
    } else if (x.org.core.length >= 2 && x.org.core === y.org.core) {
      const f = freq.core.get(x.org.core) ?? 1;
      ev.push({ field: 'organisation', weight: rarity(f, 3.5), detail: `same organisation core "${x.org.core}" (${x.org.normal} / ${y.org.normal})` });
      sameOrg = true;
    } else if (x.org.core && y.org.core && Math.min(x.org.core.length, y.org.core.length) >= 3 && (x.org.core.startsWith(y.org.core) || y.org.core.startsWith(x.org.core))) {
      ev.push({ field: 'organisation', weight: 1, detail: `one organisation within the other: "${x.org.normal}" / "${y.org.normal}"` });
      sameOrg = true;
    } else if (x.org.normal && y.org.normal) ev.push({ field: 'organisation', weight: orgFreq > 100 ? -0.5 : -2, detail: `different organisations ${x.org.normal} / ${y.org.normal}` });
  }
  // Leader: a rare name agreeing says more than 王伟 agreeing; two different people at a large
  // institution are two teams.
  const sameLeader = Boolean(x.leader && x.leader === y.leader);
  if (x.leader && y.leader) {
    if (sameLeader) {
      const f = freq.leader.get(x.leader) ?? 1;
      ev.push({ field: 'leader', weight: Math.max(1, 3.5 - log2(f) / 2), detail: `same leader ${x.leader}${f > 3 ? ` (a common name, ${f} records)` : ''}` });
    } else ev.push({ field: 'leader', weight: sameOrg && orgFreq > 100 ? -4 : -1, detail: `different leaders ${x.leader} / ${y.leader}` });
  }
  // Title: bigram similarity, discounted when the title is one many organisations use.
  const j = jaccard(x.grams, y.grams);
  let tw = j >= 0.9 ? 6 : j >= 0.7 ? 4.5 : j >= 0.5 ? 3 : j >= 0.35 ? 1 : j >= 0.2 ? -1.5 : -4;
  const generic = Math.max(freq.title.get(x.title) ?? 1, freq.title.get(y.title) ?? 1);
  // A title many organisations use (企业技术中心能力提升项目) says little about two different
  // organisations; within one organisation it still says the same project came twice.
  if (tw > 0 && generic > 3 && !sameOrg) tw = Math.max(0.5, tw - log2(generic));
  ev.push({ field: 'title', weight: tw, detail: `title similarity ${j.toFixed(2)}${generic > 3 ? ` (a title ${generic} records share)` : ''}` });
  // Years and money.
  if (a.year !== null && b.year !== null) {
    const gap = Math.abs(a.year - b.year);
    if (gap <= 1) ev.push({ field: 'year', weight: 0.5, detail: gap === 0 ? 'same year' : 'consecutive years' });
    else if (gap >= 8) ev.push({ field: 'year', weight: -1, detail: `${gap} years apart` });
  }
  if (a.amountFen !== null && b.amountFen !== null && a.amountFen === b.amountFen && a.amountFen > 0n) ev.push({ field: 'amount', weight: 0.5, detail: 'same amount' });
  let score = ev.reduce((s, e) => s + e.weight, 0);
  // Without the same organisation or the same leader, a similar title alone is two teams taking one
  // topic — unless one side names no person (a publisher applying for a finished work): then the same
  // title is worth a reviewer's look, no more.
  if (!sameOrg && !sameLeader) score = Math.min(score, (!x.leader || !y.leader) && j >= 0.9 ? POSSIBLE : 2);
  return { score, evidence: ev };
}

export const LIKELY = 9;
export const POSSIBLE = 6;

export function levelOf(score: number): Match['level'] | null {
  return score >= LIKELY ? 'likely' : score >= POSSIBLE ? 'possible' : null;
}

/** Every alert among the records (the batch scan's method). */
export function findMatches(records: MatchRecord[]): { matches: Match[]; candidates: number } {
  const all = records.map(features);
  const freq = new Frequencies();
  for (const f of all) freq.add(f);
  const pairs = candidatePairs(all, freq);
  const matches: Match[] = [];
  for (const [i, k] of pairs) {
    const { score, evidence } = compare(all[i]!, all[k]!, freq);
    const level = levelOf(score);
    if (level) matches.push({ a: all[i]!.rec.id, b: all[k]!.rec.id, score, level, evidence });
  }
  return { matches, candidates: pairs.length };
}
