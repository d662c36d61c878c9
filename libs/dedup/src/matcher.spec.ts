import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { projectRoot } from '#shared/core/index.js';
import { compare, features, findMatches, Frequencies, levelOf, type MatchRecord } from './matcher.js';

/** ../shared/bench/synthetic/records.csv, read as the detector reads records. */
function synthetic(): Map<string, MatchRecord> {
  const rows = parse(readFileSync(join(projectRoot(), '..', 'shared', 'bench', 'synthetic', 'records.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  return new Map(
    rows.map((r) => [r.id!, { id: r.id!, department: r.department!, year: Number(r.year), title: r.title!, organisation: r.org_name!, uscc: r.uscc || null, leader: r.leader || null, amountFen: null }]),
  );
}

describe('duplicate detection method', () => {
  const recs = synthetic();
  const all = [...recs.values()].map(features);
  const freq = new Frequencies();
  for (const f of all) freq.add(f);
  const f = (id: string) => features(recs.get(id)!);

  it('matches an organisation written two ways with the credit code missing on one side, a traditional-character title, and explains why', () => {
    // 合肥讯腾电子科技有限公司 (no code) / 讯腾电子科技（合肥）有限公司 (913401006629185743); 數控機床… in traditional characters.
    const { score, evidence } = compare(f('D070000008'), f('D070000009'), freq);
    expect(levelOf(score)).not.toBeNull();
    expect(evidence.map((e) => e.field)).toEqual(expect.arrayContaining(['organisation', 'leader', 'title']));
    expect(evidence.find((e) => e.field === 'organisation')!.detail).toMatch(/same organisation core "讯腾"/);
    expect(evidence.find((e) => e.field === 'leader')!.detail).toMatch(/same leader 姜华澄/);
  });

  it('does not match unrelated companies that share a generic title', () => {
    const generic = [...recs.values()].filter((r) => r.title === '产学研合作项目');
    expect(generic.length).toBeGreaterThan(100);
    let matched = 0;
    for (let i = 0; i < 40; i++) {
      const a = generic[i]!;
      const b = generic[i + 40]!;
      if (a.organisation === b.organisation || (a.uscc && a.uscc === b.uscc)) continue;
      const { score, evidence } = compare(features(a), features(b), freq);
      if (levelOf(score)) matched++;
      expect(evidence.find((e) => e.field === 'title')!.detail).toMatch(/records share/);
    }
    expect(matched).toBe(0);
  });

  it('keeps two different credit codes apart whatever the title', () => {
    const a: MatchRecord = { id: 'a', department: 'KW', year: 2024, title: '工业机器人精密减速器研发及产业化', organisation: '甲公司', uscc: '91320191790421052D', leader: '张三', amountFen: null };
    const b: MatchRecord = { ...a, id: 'b', uscc: '91341602MA2UR8R5XX' };
    const small = new Frequencies();
    small.add(features(a));
    small.add(features(b));
    expect(levelOf(compare(features(a), features(b), small).score)).not.toBe('likely');
  });

  it('finds planted duplicates across departments in a sample with full pair completeness', () => {
    const sample = [...recs.values()].slice(0, 3000);
    const { matches, candidates } = findMatches(sample);
    expect(candidates).toBeGreaterThan(matches.length);
    expect(matches.length).toBeGreaterThan(0);
    for (const m of matches) expect(m.evidence.length).toBeGreaterThan(0);
  });
});
