import { normaliseText } from './normalise.js';

/**
 * A proposed fund against the existing funds and sub-funds (000 §五(二)3: a new fund must not
 * repeat an existing one). Names and support directions are compared by their distinctive terms:
 * the words every fund uses (专项, 资金, 项目, 支持, 发展 …) are taken out first, and what is left is
 * compared as character bigrams, with the shared phrases reported so a reviewer sees why.
 */
export interface FundOverlapTarget {
  kind: 'fund' | 'subFund';
  fundCode: string;
  subFundCode: string | null;
  departmentCode: string;
  name: string;
}

export interface FundOverlap extends FundOverlapTarget {
  /** 0–1: the share of the proposal's distinctive bigrams the existing fund also has (and vice versa, averaged). */
  similarity: number;
  level: 'overlap' | 'related';
  /** Phrases of two or more characters both texts contain. */
  sharedTerms: string[];
}

const GENERIC = ['专项资金', '专项', '资金', '项目', '支持', '发展', '建设', '扶持', '鼓励', '引导', '计划', '工程', '上海市', '上海', '本市', '区级', '市级', '和', '与', '及', '的', '等', '—', '类'];

function distinctive(s: string): string {
  let t = normaliseText(s);
  for (const g of [...GENERIC].sort((a, b) => b.length - a.length)) t = t.split(normaliseText(g) || g).join('|');
  return t;
}

function gramsOf(s: string): Set<string> {
  const out = new Set<string>();
  for (const part of distinctive(s).split('|')) for (let i = 0; i + 1 < part.length; i++) out.add(part.slice(i, i + 2));
  return out;
}

/** Maximal common substrings of at least two characters (distinctive parts only), longest first. */
function sharedTerms(a: string, b: string): string[] {
  const A = distinctive(a).split('|').filter((x) => x.length >= 2);
  const B = distinctive(b).split('|').filter((x) => x.length >= 2);
  const found = new Set<string>();
  for (const x of A) {
    for (const y of B) {
      for (let i = 0; i < x.length; i++) {
        for (let len = x.length - i; len >= 2; len--) {
          const sub = x.slice(i, i + len);
          if (y.includes(sub)) {
            found.add(sub);
            break;
          }
        }
      }
    }
  }
  const all = [...found].sort((p, q) => q.length - p.length);
  return all.filter((t, n) => !all.slice(0, n).some((longer) => longer.includes(t)));
}

export function fundOverlaps(proposal: { name: string; direction?: string | null }, targets: FundOverlapTarget[]): FundOverlap[] {
  const text = `${proposal.name}|${proposal.direction ?? ''}`;
  const mine = gramsOf(text);
  if (mine.size === 0) return [];
  const out: FundOverlap[] = [];
  for (const t of targets) {
    const theirs = gramsOf(t.name);
    if (theirs.size === 0) continue;
    let inter = 0;
    for (const g of mine) if (theirs.has(g)) inter++;
    const similarity = (inter / mine.size + inter / theirs.size) / 2;
    const terms = sharedTerms(text, t.name);
    const longest = terms[0]?.length ?? 0;
    const level = similarity >= 0.45 || longest >= 6 ? 'overlap' : similarity >= 0.2 || longest >= 4 ? 'related' : null;
    if (level) out.push({ ...t, similarity: Math.round(similarity * 1000) / 1000, level, sharedTerms: terms });
  }
  return out.sort((x, y) => (x.level === y.level ? y.similarity - x.similarity : x.level === 'overlap' ? -1 : 1));
}
