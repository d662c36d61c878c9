import { bigramsOfNormal, institutionRootOfNormal, normalisePersonName, normaliseText, splitOrganisationName, stripTitleNotes, titlePeriods, wordsWithin, type OrganisationName } from './normalise.js';

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

/**
 * What kind of funding a record is, from its sub-fund: a research project, the publication of a
 * finished work (成果文库, 后期资助), or the translation of a published work (中华学术外译).
 */
export type Programme = 'research' | 'finished' | 'translation' | '';

export interface Features {
  rec: MatchRecord;
  title: string;
  grams: Set<string>;
  /** The title without a trailing language, edition or format note (（英文）, （第三版）, （期刊）), and its bigrams. */
  titleCore?: string;
  coreGrams?: Set<string>;
  org: OrganisationName;
  /** Bigrams of the organisation's name, to leave its own name out of title similarity. */
  orgGrams?: Set<string>;
  /** The institution the organisation belongs to (北京大学 for 北京大学哲学系); empty for companies and offices. */
  institution?: string;
  leader: string;
  programme?: Programme;
  /** The years or periods the title names (1945-2012), empty when none: see titlePeriods. */
  period?: string;
  /** The bigrams of the title before its subtitle (——以江西省为例, --基于效率的分析), when it has one. */
  mainGrams?: Set<string>;
}

export interface Evidence {
  field: 'uscc' | 'organisation' | 'leader' | 'title' | 'year' | 'amount' | 'programme' | 'period';
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

/** Column headings repeated inside a data file (a second header row): not a value. */
const HEADINGS = new Set(['项目名称', '课题名称', '项目负责人', '负责人', '工作单位', '所在单位', '项目类别']);

export function features(rec: MatchRecord): Features {
  const heading = HEADINGS.has(normaliseText(rec.title));
  const title = heading ? '' : rec.title;
  const leader = personLeader(rec);
  // A publisher applying for a finished work is often written in the leader column with the
  // organisation left empty: it is then the organisation.
  const organisation = rec.organisation && !HEADINGS.has(normaliseText(rec.organisation)) ? rec.organisation : !leader && rec.leader && !HEADINGS.has(normaliseText(rec.leader)) ? rec.leader : '';
  const normal = normaliseText(title);
  const grams = new Set(bigramsOfNormal(normal));
  const stripped = stripTitleNotes(title);
  const core = stripped === title.trim() ? normal : normaliseText(stripped);
  const org = organisationOf(organisation);
  return {
    rec,
    title: normal,
    grams,
    titleCore: core,
    coreGrams: core === normal ? grams : new Set(bigramsOfNormal(core)),
    org: org.org,
    orgGrams: org.grams,
    institution: org.institution,
    leader,
    programme: programmeOf(rec.subfund),
    period: titlePeriods(title),
    mainGrams: mainTitleGrams(stripped),
  };
}

/** A subtitle follows a dash or a colon: 唐代华南少数民族地区的开发和社会变迁--以石刻碑铭和敦煌文书为中心的考察. */
const SUBTITLE = /\s*(?:[-—–－]{1,2}|[:：])\s*/u;
function mainTitleGrams(title: string): Set<string> | undefined {
  const m = SUBTITLE.exec(title);
  if (!m || m.index === 0) return undefined;
  const main = normaliseText(title.slice(0, m.index));
  const rest = normaliseText(title.slice(m.index + m[0].length));
  return main.length >= 4 && rest.length >= 2 ? new Set(bigramsOfNormal(main)) : undefined;
}

/** Organisation names repeat across thousands of records: split each spelling once. */
const orgCache = new Map<string, { org: OrganisationName; institution: string; grams: Set<string> }>();
function organisationOf(name: string): { org: OrganisationName; institution: string; grams: Set<string> } {
  let v = orgCache.get(name);
  if (!v) {
    const org = splitOrganisationName(name);
    v = { org, institution: institutionRootOfNormal(org.normal), grams: new Set(bigramsOfNormal(org.normal)) };
    if (orgCache.size > 100_000) orgCache.clear();
    orgCache.set(name, v);
  }
  return v;
}

/** The kind of funding named by a sub-fund (project type). */
export function programmeOf(subfund: string | null | undefined): Programme {
  if (!subfund) return '';
  if (/外译/.test(subfund)) return 'translation';
  if (/成果文库|后期资助/.test(subfund)) return 'finished';
  return 'research';
}

/** The leader as a person; a publisher or other body (or a column heading) written in the leader column counts as no leader. */
function personLeader(rec: MatchRecord): string {
  if (!rec.leader) return '';
  const l = normalisePersonName(rec.leader);
  if (l === normalisePersonName(rec.organisation ?? '') || /出版社|杂志社|编辑部|公司|大学|学院|研究院|研究所|中心|委员会|办公室|负责人/.test(l) || l.length > 12) return '';
  return l;
}

/** How often values occur, to down-weight common ones (a generic title, 王伟, a generic bigram). */
export class Frequencies {
  readonly title = new Map<string, number>();
  readonly leader = new Map<string, number>();
  readonly gram = new Map<string, number>();
  readonly core = new Map<string, number>();
  readonly org = new Map<string, number>();
  /** Records per institution (北京大学 counts its schools' records too). */
  readonly institution = new Map<string, number>();
  size = 0;

  add(f: Features): void {
    this.size++;
    bump(this.title, f.title);
    if (f.leader) bump(this.leader, f.leader);
    if (f.org.core) bump(this.core, f.org.core);
    if (f.org.normal) bump(this.org, f.org.normal);
    if (f.institution) bump(this.institution, f.institution);
    for (const g of f.grams) bump(this.gram, g);
  }
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** Blocks larger than this say nothing about a pair (a common bigram pair, 北京大学's core): they are skipped. */
export const MAX_BLOCK = 300;

/** How many of a title's rarest bigrams form its blocking keys (every pair of them is a key). */
export const RARE_TITLE_GRAMS = 4;

/**
 * The blocks a record falls in: its credit code (u:), organisation core (o:), leader or the body
 * written in the leader column (l:), and each pair of its title's rarest bigrams (t: then the two
 * bigrams). The batch scan and the pre-check on the stored index both block by exactly these keys.
 */
export function blockingKeys(f: Features, gramCount: (gram: string) => number): string[] {
  const keys: string[] = [];
  if (f.rec.uscc) keys.push(`u:${f.rec.uscc}`);
  if (f.org.core.length >= 2) keys.push(`o:${f.org.core}`);
  const leader = leaderKey(f);
  if (leader) keys.push(`l:${leader}`);
  // The title's rarest bigrams, so that a reworded title still meets its twin.
  const rare = [...f.grams].sort((x, y) => gramCount(x) - gramCount(y)).slice(0, RARE_TITLE_GRAMS);
  for (let j = 0; j < rare.length; j++) for (let k = j + 1; k < rare.length; k++) keys.push(`t:${rare[j]}${rare[k]}`);
  return keys;
}

/** The leader as a blocking key: the person, or a body written in the leader column (《中国经济学人》编辑部, a publisher), which names the applicant. */
export function leaderKey(f: Features): string {
  return f.leader || (f.rec.leader ? normalisePersonName(f.rec.leader) : '');
}

/**
 * Candidate pairs, each once, smaller index first, in the order blocks produce them. Held as numbers in typed arrays,
 * not as strings in a Set: a registry whose blocks yield tens of millions of pairs (a JS Set stops
 * at 2^24 entries) is scanned, not crashed.
 */
export class CandidatePairs implements Iterable<[number, number]> {
  constructor(
    readonly a: Uint32Array,
    readonly b: Uint32Array,
  ) {}

  get length(): number {
    return this.a.length;
  }

  *[Symbol.iterator](): Iterator<[number, number]> {
    for (let i = 0; i < this.a.length; i++) yield [this.a[i]!, this.b[i]!];
  }
}

/** Candidate pairs: records that share a block of at most `maxBlock` members. */
export function candidatePairs(all: Features[], freq: Frequencies, opts: { maxBlock?: number } = {}): CandidatePairs {
  const maxBlock = opts.maxBlock ?? MAX_BLOCK;
  const blocks = new Map<string, number[]>();
  const count = (g: string) => freq.gram.get(g) ?? 0;
  all.forEach((f, i) => {
    for (const key of blockingKeys(f, count)) {
      const b = blocks.get(key);
      if (b) b.push(i);
      else blocks.set(key, [i]);
    }
  });
  // Every pair of every block as a * n + b (exact in a double up to n ≈ 9.4e7), then sorted and made unique.
  const n = all.length;
  let keys = new Float64Array(1 << 16);
  let used = 0;
  for (const members of blocks.values()) {
    if (members.length < 2 || members.length > maxBlock) continue;
    const add = (members.length * (members.length - 1)) / 2;
    if (used + add > keys.length) {
      const grown = new Float64Array(Math.max(keys.length * 2, used + add));
      grown.set(keys.subarray(0, used));
      keys = grown;
    }
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        const p = members[x]!;
        const q = members[y]!;
        keys[used++] = p < q ? p * n + q : q * n + p;
      }
    }
  }
  // Each pair once, in block order (a block's pairs are scored together: their records stay in the CPU's
  // cache, a third faster than index order): the first time a key appears, found in a sorted unique copy.
  const raw = keys.subarray(0, used);
  const sorted = raw.slice().sort();
  let unique = 0;
  for (let i = 0; i < used; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[unique++] = sorted[i]!;
  const seen = new Uint8Array(unique);
  const a = new Uint32Array(unique);
  const b = new Uint32Array(unique);
  let out = 0;
  for (let r = 0; r < used; r++) {
    const k = raw[r]!;
    let lo = 0;
    let hi = unique - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < k) lo = mid + 1;
      else hi = mid;
    }
    if (seen[lo]) continue;
    seen[lo] = 1;
    a[out] = Math.floor(k / n);
    b[out] = k - a[out]! * n;
    out++;
  }
  return new CandidatePairs(a, b);
}

const log2 = (x: number) => Math.log(x) / Math.LN2;

/**
 * Bigram weights, log2(1 + records / records with the bigram), kept per Frequencies and per title
 * (recomputed when the counts change), so that comparing a pair costs one pass over a title.
 */
interface Weighed {
  grams: string[];
  weights: number[];
  total: number;
}
const weightCache = new WeakMap<Frequencies, { size: number; gram: Map<string, number>; w: Map<string, number>; titles: WeakMap<Set<string>, Weighed> }>();
function weighed(set: Set<string>, freq: Frequencies): Weighed {
  let c = weightCache.get(freq);
  if (!c || c.size !== freq.size || c.gram !== freq.gram) {
    c = { size: freq.size, gram: freq.gram, w: new Map(), titles: new WeakMap() };
    weightCache.set(freq, c);
  }
  let t = c.titles.get(set);
  if (!t) {
    const n = Math.max(freq.size, 1);
    t = { grams: [...set], weights: [], total: 0 };
    for (const g of t.grams) {
      let v = c.w.get(g);
      if (v === undefined) {
        v = log2(1 + n / Math.max(freq.gram.get(g) ?? 1, 1));
        c.w.set(g, v);
      }
      t.weights.push(v);
      t.total += v;
    }
    c.titles.set(set, t);
  }
  return t;
}

/**
 * Weighted Dice of two titles' bigrams, the count of bigrams they share and the union's size. A shared
 * bigram for which `leaveOut` holds counts on neither side (it is evidence of something else).
 */
function weightedOverlap(x: Set<string>, y: Set<string>, freq: Frequencies, leaveOut?: (g: string) => boolean): { dice: number; shared: number; union: number; left: number } {
  const [p, q] = x.size <= y.size ? [x, y] : [y, x];
  const wp = weighed(p, freq);
  const wq = weighed(q, freq);
  let sw = 0;
  let shared = 0;
  let left = 0;
  let leftWeight = 0;
  for (let i = 0; i < wp.grams.length; i++) {
    const g = wp.grams[i]!;
    if (q.has(g)) {
      if (leaveOut?.(g)) {
        left++;
        leftWeight += wp.weights[i]!;
      } else {
        sw += wp.weights[i]!;
        shared++;
      }
    }
  }
  const total = wp.total + wq.total - 2 * leftWeight;
  return { dice: total > 0 ? (2 * sw) / total : 0, shared, union: p.size + q.size - 2 * left - shared, left };
}

/**
 * Title similarity: bigram overlap weighted by how rare each bigram is among all titles (研究 says
 * little, 卢卡奇 much), on the whole titles or on the titles without a language or edition note,
 * whichever is closer. `contained`: one title is the whole of the other's beginning or end
 * (冷战与新中国外交的缘起 / 冷战与新中国外交的缘起1949-1955). With `ownName` (one organisation on both
 * sides), bigrams of the organisation's name that both titles share are left out: one company's
 * titles often begin with its own name (凌佳美品电子商务企业技术中心能力建设 /
 * 凌佳美品电子商务触觉传感器制造业创新中心建设), which is organisation evidence, not title evidence.
 */
export function titleSimilarity(x: Features, y: Features, freq: Frequencies, ownName = false): { sim: number; overlap: number; contained: boolean; nameLeftOut: boolean; within: boolean } {
  let leaveOut: ((g: string) => boolean) | undefined;
  if (ownName) {
    const xn = x.orgGrams ?? new Set(bigramsOfNormal(x.org.normal));
    const yn = y.orgGrams ?? new Set(bigramsOfNormal(y.org.normal));
    leaveOut = (g) => xn.has(g) || yn.has(g);
  }
  const whole = weightedOverlap(x.grams, y.grams, freq, leaveOut);
  let sim = whole.dice;
  if (x.coreGrams && y.coreGrams && (x.coreGrams !== x.grams || y.coreGrams !== y.grams)) sim = Math.max(sim, weightedOverlap(x.coreGrams, y.coreGrams, freq, leaveOut).dice);
  // A subtitle names the case or the angle (——以江西省为例): a title with one may be the other title
  // with a case added. Only one side: two subtitles under one main title are volumes of a series
  // (创造性介入：中国外交新取向 / 创造性介入：中国之全球角色的生成).
  if (Boolean(x.mainGrams) !== Boolean(y.mainGrams)) sim = Math.max(sim, weightedOverlap(x.mainGrams ?? x.coreGrams ?? x.grams, y.mainGrams ?? y.coreGrams ?? y.grams, freq, leaveOut).dice);
  const xc = x.titleCore ?? x.title;
  const yc = y.titleCore ?? y.title;
  if (xc && xc === yc) sim = 1;
  const [short, long] = xc.length <= yc.length ? [xc, yc] : [yc, xc];
  const contained = short.length >= 4 && short !== long && (long.startsWith(short) || long.endsWith(short));
  return { sim, overlap: whole.union > 0 ? whole.shared / whole.union : 0, contained, nameLeftOut: whole.left > 0, within: !contained && wordsWithin(short, long) };
}

const PROGRAMME_NAME: Record<Programme, string> = { research: 'a research project', finished: 'a finished work funded for publication', translation: 'a translation', '': '' };


export interface CompareOptions {
  /**
   * A translation project (中华学术外译) names its translator or publisher, not the author: with this
   * on, a translation and another project with a near-identical title are surfaced (possible, never
   * likely) whoever the leaders are. Off by default: see the method notes in the report.
   */
  translationsAcrossLeaders?: boolean;
}

/**
 * Months two project periods share, shown to the reviewer but not weighed: on the synthetic set a
 * weight of 0.5 lifted a company's related projects (same years, other work) into "likely" five
 * times as often as it lifted true duplicates.
 */
const PERIOD_WEIGHT = 0;

function periodOverlap(a: MatchRecord, b: MatchRecord): Evidence | null {
  if (!a.startDate || !a.endDate || !b.startDate || !b.endDate) return null;
  const month = (d: string) => Number(d.slice(0, 4)) * 12 + Number(d.slice(5, 7)) - 1;
  const shared = Math.min(month(a.endDate), month(b.endDate)) - Math.max(month(a.startDate), month(b.startDate)) + 1;
  if (shared > 0) return { field: 'period', weight: PERIOD_WEIGHT, detail: `periods overlap by ${shared} months (${a.startDate}–${a.endDate} / ${b.startDate}–${b.endDate})` };
  return { field: 'period', weight: 0, detail: `periods do not overlap (${a.startDate}–${a.endDate} / ${b.startDate}–${b.endDate})` };
}

/** At most this many records with one leader's name: the name names one person. */
const RARE_NAME = 3;

/** Evidence for one pair, and the score it adds up to. */
export function compare(x: Features, y: Features, freq: Frequencies, opts: CompareOptions = {}): { score: number; evidence: Evidence[] } {
  const ev: Evidence[] = [];
  const a = x.rec;
  const b = y.rec;
  const sameLeader = Boolean(x.leader && x.leader === y.leader);
  const px = x.programme ?? programmeOf(a.subfund);
  const py = y.programme ?? programmeOf(b.subfund);
  const translation = px === 'translation' || py === 'translation';
  const publication = translation || px === 'finished' || py === 'finished';
  // Different leaders on a translation: the translator's project may still be the author's work.
  const acrossLeaders = translation && Boolean(opts.translationsAcrossLeaders);
  // Organisation: the credit code is decisive either way; otherwise the name's parts, weighed by how
  // many records share them (agreeing on 北京大学 says little, on a small company much).
  let sameOrg = false;
  const orgFreq = Math.max(freq.org.get(x.org.normal) ?? 1, freq.org.get(y.org.normal) ?? 1);
  const rarity = (f: number, top: number) => Math.max(0.5, top - log2(f) / 3);
  const company = (a.uscc && a.uscc === b.uscc) || (x.org.legalForm === 'company' && y.org.legalForm === 'company');
  if (a.uscc && b.uscc) {
    if (a.uscc === b.uscc) {
      ev.push({ field: 'uscc', weight: 5, detail: `same credit code ${a.uscc}` });
      sameOrg = true;
    } else ev.push({ field: 'uscc', weight: -6, detail: `different credit codes ${a.uscc} / ${b.uscc}` });
  }
  if (!(a.uscc && b.uscc)) {
    // A name few records carry (at most RARE_NAME) names one person: a different organisation is then
    // that person having moved, and says nothing; with a common name it may be two people.
    const rareName = sameLeader && (freq.leader.get(x.leader) ?? 1) <= RARE_NAME;
    const different = (): Evidence =>
      sameLeader
        ? { field: 'organisation', weight: rareName ? 0 : -0.5, detail: `different organisations ${x.org.normal} / ${y.org.normal} (${rareName ? 'a rare name: the same person, who moved' : 'the same person may have moved'} or named another body)` }
        : { field: 'organisation', weight: orgFreq > 100 ? -0.5 : -2, detail: `different organisations ${x.org.normal} / ${y.org.normal}` };
    if (x.org.normal && x.org.normal === y.org.normal) {
      ev.push({ field: 'organisation', weight: rarity(orgFreq, 4), detail: `same name ${x.org.normal}${orgFreq > 10 ? ` (${orgFreq} records)` : ''}` });
      sameOrg = true;
    } else if (x.institution && x.institution === y.institution) {
      // 北京大学 / 北京大学哲学系: a university and one of its schools, or one body spelt two ways.
      const f = freq.institution.get(x.institution) ?? 1;
      ev.push({ field: 'organisation', weight: rarity(f, 3), detail: `same institution ${x.institution} (${x.org.normal} / ${y.org.normal}${f > 10 ? `; ${f} records` : ''})` });
      sameOrg = true;
    } else if (x.institution && y.institution) {
      ev.push(different());
    } else if (x.org.core.length >= 2 && x.org.core === y.org.core) {
      const f = freq.core.get(x.org.core) ?? 1;
      ev.push({ field: 'organisation', weight: rarity(f, 3.5), detail: `same organisation core "${x.org.core}" (${x.org.normal} / ${y.org.normal})` });
      sameOrg = true;
    } else if (x.org.core && y.org.core && Math.min(x.org.core.length, y.org.core.length) >= 3 && (x.org.core.startsWith(y.org.core) || y.org.core.startsWith(x.org.core))) {
      ev.push({ field: 'organisation', weight: 1, detail: `one organisation within the other: "${x.org.normal}" / "${y.org.normal}"` });
      sameOrg = true;
    } else if (x.org.normal && y.org.normal) ev.push(different());
  }
  // Leader: a rare name agreeing says more than 王伟 agreeing. Two different people at a university or
  // institute are two teams; at a company the named person of one project often changes; a
  // translation names its translator, not the author, so there a different name says nothing.
  const twoPeople = Boolean(x.leader && y.leader && !sameLeader);
  if (sameLeader) {
    const f = freq.leader.get(x.leader) ?? 1;
    ev.push({ field: 'leader', weight: Math.max(1, 3.5 - log2(f) / 2), detail: `same leader ${x.leader}${f > 3 ? ` (a common name, ${f} records)` : ''}` });
  } else if (twoPeople) {
    if (acrossLeaders) ev.push({ field: 'leader', weight: 0, detail: `different leaders ${x.leader} / ${y.leader} (a translation project names its translator, not the author)` });
    else if (company) ev.push({ field: 'leader', weight: -1, detail: `different leaders ${x.leader} / ${y.leader} (a company's contact person may change)` });
    else ev.push({ field: 'leader', weight: sameOrg ? -4 : -2, detail: `different leaders ${x.leader} / ${y.leader}` });
  }
  // Title: rarity-weighted bigram similarity, discounted when the title is one many organisations use.
  const { sim, overlap, contained, nameLeftOut, within } = titleSimilarity(x, y, freq, sameOrg);
  let tw = sim >= 0.9 ? 6 : sim >= 0.75 ? 5 : sim >= 0.6 ? 4 : sim >= 0.5 ? 3.5 : sim >= 0.4 ? 2.5 : sim >= 0.3 ? 0 : sim >= 0.2 ? -2 : -4;
  // Rare shared words alone do not make one study: when most of the wording differs (under 0.3 of
  // the bigrams shared), the same person's two titles are two studies on one theme.
  if (overlap < 0.3 && !contained) tw = Math.min(tw, 0);
  // Every word of the shorter title, in order, in the longer (新疆佛教研究 / 新疆佛教兴衰研究): the
  // longer only qualifies the same study, which bigram overlap undervalues on short titles.
  const qualified = within && tw > 0 && tw < 6;
  if (qualified) tw = Math.min(6, tw + 1);
  // Two titles naming different periods (（1953-1957） / （1958-1965年）) are two volumes of a series or
  // one subject over two eras, however alike the rest of the wording.
  const periods = Boolean(x.period && y.period && x.period !== y.period);
  if (periods) tw = Math.min(tw, 0);
  const generic = Math.max(freq.title.get(x.title) ?? 1, freq.title.get(y.title) ?? 1);
  // A title many organisations use (企业技术中心能力提升项目) says little about two different
  // organisations; within one organisation it still says the same project came twice.
  if (tw > 0 && generic > 3 && !sameOrg) tw = Math.max(0.5, tw - log2(generic));
  ev.push({
    field: 'title',
    weight: tw,
    detail: `title similarity ${sim.toFixed(2)} (rare words weighted; plain bigram overlap ${overlap.toFixed(2)}${nameLeftOut ? '; the organisation\'s own name left out' : ''})${contained ? ', one title contains the other' : ''}${qualified ? ', every word of the shorter title in the longer, in order' : ''}${periods ? `, but the titles name different periods (${x.period} / ${y.period})` : ''}${generic > 3 ? ` (a title ${generic} records share)` : ''}`,
  });
  const nearIdentical = sim >= 0.9 || (contained && sim >= 0.6);
  // Programme: a finished work published (成果文库, 后期资助) or translated (外译) after the research
  // project that produced it is the same work funded again; a translation of a work with the same
  // title is that work, whoever the translator is.
  if (publication && px !== py && (sameLeader || (acrossLeaders && nearIdentical)) && sim >= 0.4) {
    const [pub, other] = px === 'research' || px === '' ? [py, px] : [px, py];
    const sub = (p: Programme) => (p === px ? a.subfund : b.subfund) ?? '';
    ev.push({
      field: 'programme',
      weight: acrossLeaders && nearIdentical && !sameLeader ? 3 : 1.5,
      detail: `${sub(pub)} (${PROGRAMME_NAME[pub]}) and ${sub(other) || 'another project'}${other ? ` (${PROGRAMME_NAME[other]})` : ''}: the same work funded again`,
    });
  } else if (acrossLeaders && px === py && nearIdentical && !sameLeader && !sameOrg) {
    ev.push({ field: 'programme', weight: 3, detail: `two translations of works with the same title` });
  }
  // Years and money. Publication and translation follow the research by years, so a gap says nothing there.
  if (a.year !== null && b.year !== null) {
    const gap = Math.abs(a.year - b.year);
    if (gap <= 1) ev.push({ field: 'year', weight: 0.5, detail: gap === 0 ? 'same year' : 'consecutive years' });
    else if (gap >= 10 && !publication) ev.push({ field: 'year', weight: -0.5, detail: `${gap} years apart` });
  }
  // The same person funded for similar work by two departments at once (within two years): the
  // double funding the detector exists for, not a follow-on project at the same funder.
  if (sameLeader && tw > 0 && a.department && b.department && a.department !== b.department && a.year !== null && b.year !== null && Math.abs(a.year - b.year) <= 2) {
    ev.push({ field: 'programme', weight: 1, detail: `funded by two departments (${a.department} ${a.year} / ${b.department} ${b.year}) for similar work at the same time` });
  }
  if (a.amountFen !== null && b.amountFen !== null && a.amountFen === b.amountFen && a.amountFen > 0n) ev.push({ field: 'amount', weight: 0.5, detail: 'same amount' });
  const period = periodOverlap(a, b);
  if (period) ev.push(period);
  let score = ev.reduce((s, e) => s + e.weight, 0);
  if (!sameOrg && !sameLeader) {
    // Without the same organisation or the same leader, a similar title alone is two teams taking one
    // topic — unless one side names no person (a publisher applying for a finished work) or is a
    // translation: then the same title is worth a reviewer's look, no more.
    score = Math.min(score, (!x.leader || !y.leader || acrossLeaders) && nearIdentical ? POSSIBLE + 0.5 : 2);
  } else if (acrossLeaders && !sameLeader) {
    // A translation by another person: worth a reviewer's look, never more.
    score = Math.min(score, LIKELY - 0.5);
  } else if (twoPeople && !company) {
    // Two named people at one university or institute are two teams, whatever the title.
    score = Math.min(score, POSSIBLE - 1);
  } else if (tw <= 0) {
    // The same person or body on a study whose title is not similar: another study, at most related.
    score = Math.min(score, POSSIBLE - 1);
  } else if (!x.leader && !y.leader && !nearIdentical) {
    // A publisher applies for many books, often a series with near-identical titles
    // (中国经济学前沿 / 中国法学前沿): without a person, only a near-identical title counts.
    score = Math.min(score, POSSIBLE - 1);
  }
  return { score, evidence: ev };
}

export const LIKELY = 9;
export const POSSIBLE = 6;

export function levelOf(score: number): Match['level'] | null {
  return score >= LIKELY ? 'likely' : score >= POSSIBLE ? 'possible' : null;
}

/** Every alert among the records (the batch scan's method). */
export function findMatches(records: MatchRecord[], opts: CompareOptions = {}): { matches: Match[]; candidates: number } {
  const all = records.map(features);
  const freq = new Frequencies();
  for (const f of all) freq.add(f);
  const { candidates, scored } = scorePairs(all, freq, opts);
  return { matches: scored.map((m) => ({ a: all[m.i]!.rec.id, b: all[m.k]!.rec.id, score: m.score, level: m.level, evidence: m.evidence })), candidates };
}

/**
 * The batch method: candidate pairs of the records, each scored, those at an alert level kept (by index
 * into `all`). `keep` drops a pair before it is scored (a scan of one year's or one department's pairs).
 */
export function scorePairs(
  all: Features[],
  freq: Frequencies,
  opts: CompareOptions & { keep?: (i: number, k: number) => boolean } = {},
): { candidates: number; scored: { i: number; k: number; score: number; level: 'likely' | 'possible'; evidence: Evidence[] }[] } {
  const pairs = candidatePairs(all, freq);
  const scored: { i: number; k: number; score: number; level: 'likely' | 'possible'; evidence: Evidence[] }[] = [];
  for (const [i, k] of pairs) {
    if (opts.keep && !opts.keep(i, k)) continue;
    const { score, evidence } = compare(all[i]!, all[k]!, freq, opts);
    const level = levelOf(score);
    if (level) scored.push({ i, k, score, level, evidence });
  }
  return { candidates: pairs.length, scored };
}
