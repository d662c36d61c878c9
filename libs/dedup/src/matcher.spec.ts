import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { projectRoot } from '#shared/core/index.js';
import { compare, features, findMatches, Frequencies, levelOf, programmeOf, titleSimilarity, type MatchRecord } from './matcher.js';

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

  it('leaves a company\'s own name out of title similarity: two different centres of one company are not one project', () => {
    const a: MatchRecord = { id: 'a', department: '经信', year: 2020, title: '凌佳美品电子商务企业技术中心能力建设', organisation: '安徽凌佳美品电子商务有限公司', uscc: '91340104MA2NXNYR16', leader: '吴晨', amountFen: null };
    const b: MatchRecord = { ...a, id: 'b', year: 2023, title: '凌佳美品电子商务触觉传感器制造业创新中心建设', leader: '雷彬建' };
    const { score, evidence } = compare(features(a), features(b), freq);
    expect(levelOf(score)).toBeNull();
    expect(evidence.find((e) => e.field === 'title')!.detail).toMatch(/own name left out/);
  });
});

/** Real records from ../shared/bench/real (national social-science fund), with a small frequency table. */
describe('duplicate detection on research projects', () => {
  const rec = (id: string, subfund: string, year: number, title: string, organisation: string, leader: string): MatchRecord => ({ id, department: '国家社会科学基金', subfund, year, title, organisation, uscc: null, leader, amountFen: null });
  const filler = ['中国古代文学研究', '中国近代史研究', '马克思主义哲学研究', '当代中国社会研究', '汉语方言研究', '中国经济发展战略研究', '文学理论研究', '社会保障制度研究'];
  const freqOf = (recs: MatchRecord[]) => {
    const f = new Frequencies();
    for (const r of recs) f.add(features(r));
    filler.forEach((t, i) => {
      for (let k = 0; k < 20; k++) f.add(features(rec(`f${i}-${k}`, '一般项目', 2000 + k, t, `大学${i}`, `学者${i}${k}`)));
    });
    return f;
  };

  it('tells the kind of funding from the project type', () => {
    expect(programmeOf('成果文库')).toBe('finished');
    expect(programmeOf('后期资助项目')).toBe('finished');
    expect(programmeOf('中华学术外译项目')).toBe('translation');
    expect(programmeOf('一般项目')).toBe('research');
    expect(programmeOf(null)).toBe('');
  });

  it('finds a finished work funded again in the 成果文库 under a university and its school, and says why', () => {
    const a = rec('P020539', '成果文库', 2013, '中国古代文学观念发生史', '华中师范大学', '王齐洲');
    const b = rec('P046948', '一般项目', 2005, '中国古代文学观念的发生学研究', '华中师范大学文学院', '王齐洲');
    const { score, evidence } = compare(features(a), features(b), freqOf([a, b]));
    expect(levelOf(score)).not.toBeNull();
    expect(evidence.find((e) => e.field === 'organisation')!.detail).toMatch(/same institution 华中师范大学/);
    expect(evidence.find((e) => e.field === 'programme')!.detail).toMatch(/成果文库.*the same work funded again/);
  });

  it('keeps the same person\'s two studies on one theme below an alert when most of the wording differs', () => {
    const a = rec('P005471', '一般项目', 2016, '中央苏区粮食工作研究', '井冈山大学', '黄惠运');
    const b = rec('P035377', '一般项目', 2010, '中央苏区社会保障研究', '井冈山大学', '黄惠运');
    expect(levelOf(compare(features(a), features(b), freqOf([a, b])).score)).toBeNull();
  });

  it('sees two named people at one university with one title as two teams', () => {
    const a = rec('P000094', '重点项目', 2017, '技术和绿色贸易壁垒法律问题研究', '吉林大学法学院', '那力');
    const b = rec('P047145', '青年项目', 2017, '技术和绿色贸易壁垒法律问题研究', '吉林大学', '朱晓勤');
    const { score, evidence } = compare(features(a), features(b), freqOf([a, b]));
    expect(levelOf(score)).toBeNull();
    expect(evidence.find((e) => e.field === 'leader')!.weight).toBeLessThan(0);
  });

  it('matches a publisher\'s translation project written with the publisher in the leader column and a language note', () => {
    const a = rec('P010250', '中华学术外译项目', 2015, '中国民众的国际观', '社会科学文献出版社', '社会科学文献出版社');
    const b = rec('P025233', '中华学术外译项目', 2012, '中国民众的国际观（英文）', '', '社会科学文献出版社');
    const { score, evidence } = compare(features(a), features(b), freqOf([a, b]));
    expect(levelOf(score)).not.toBeNull();
    expect(evidence.find((e) => e.field === 'organisation')!.detail).toMatch(/same name 社会科学文献出版社/);
  });

  it('surfaces a translator\'s project on a funded work only when asked, and never as likely', () => {
    const a = rec('P010291', '中华学术外译项目', 2015, '文学伦理学批评导论', '浙江大学', '周露');
    const b = rec('P043274', '一般项目', 2007, '文学伦理学批评导论', '华中师范大学', '聂珍钊');
    const freq = freqOf([a, b]);
    expect(levelOf(compare(features(a), features(b), freq).score)).toBeNull();
    const { score, evidence } = compare(features(a), features(b), freq, { translationsAcrossLeaders: true });
    expect(levelOf(score)).toBe('possible');
    expect(evidence.find((e) => e.field === 'leader')!.detail).toMatch(/translator/);
  });

  it('lifts a title whose every word, in order, is in the other title (the longer only qualifies the study)', () => {
    const a = rec('P034935', '西部项目', 2010, '新疆佛教兴衰研究', '新疆社会科学院', '才吾加甫');
    const b = rec('P052181', '一般项目', 2000, '新疆佛教研究', '新疆社会科学院宗教研究所', '才吾加甫');
    const { score, evidence } = compare(features(a), features(b), freqOf([a, b]));
    expect(levelOf(score)).not.toBeNull();
    expect(evidence.find((e) => e.field === 'title')!.detail).toMatch(/every word of the shorter title in the longer/);
  });

  it('does not take two volumes of one history, naming different periods, for one work', () => {
    const a = rec('P025678', '重点项目', 2012, '中华人民共和国经济史（1958-1965年）', '中国社科院', '董志凯');
    const b = rec('P037600', '成果文库', 2010, '中华人民共和国经济史（1953－1957）', '中国社会科学院经济研究所', '董志凯');
    const { score, evidence } = compare(features(a), features(b), freqOf([a, b]));
    expect(levelOf(score)).toBeNull();
    const title = evidence.find((e) => e.field === 'title')!;
    expect(title.weight).toBeLessThanOrEqual(0);
    expect(title.detail).toMatch(/different periods \(1958-1965 \/ 1953-1957\)/);
  });

  it('compares a title with a subtitle by its main title too when the other has none', () => {
    const a = rec('P041384', '一般项目', 2008, '唐代华南少数民族地区的开发和社会变迁--以石刻碑铭和敦煌文书为中心的考察', '中山大学历史系', '王承文');
    const b = rec('P054140', '青年项目', 1997, '隋唐五代华南少数民族地区的开发', '中山大学历史系', '王承文');
    const freq = freqOf([a, b]);
    const { sim } = titleSimilarity(features(a), features(b), freq);
    const whole = titleSimilarity({ ...features(a), mainGrams: undefined }, features(b), freq).sim;
    expect(sim).toBeGreaterThan(whole);
    expect(levelOf(compare(features(a), features(b), freq).score)).not.toBeNull();
  });

  it('weighs the same person funded for similar work by two departments at once, and a rare name at two organisations as one person', () => {
    const a = rec('P055508', '一般项目', 1994, '中国国有企业建立现代企业制度的实证研究', '复旦大学管理学院', '包季鸣');
    const b: MatchRecord = { ...rec('P075661', '面上项目', 1995, '中国国有企业建立现代企业制度操作性方案研究', '复旦大学', '包季鸣'), department: '国家自然科学基金' };
    const twice = compare(features(a), features(b), freqOf([a, b])).evidence.find((e) => e.field === 'programme')!;
    expect(twice.weight).toBeGreaterThan(0);
    expect(twice.detail).toMatch(/two departments \(国家社会科学基金 1994 \/ 国家自然科学基金 1995\)/);
    // The same two studies at one department years apart: no such evidence.
    const later = compare(features(a), features({ ...b, department: '国家社会科学基金', year: 2006 }), freqOf([a, b])).evidence;
    expect(later.find((e) => e.field === 'programme')).toBeUndefined();
    const c = rec('P028170', '一般项目', 2012, '敦煌与西北地区出土蒙古文文献综合研究', '西北民族大学', '敖特根');
    const d = rec('P043409', '一般项目', 2007, '敦煌莫高窟北区出土蒙古文文献研究', '兰州大学', '敖特根');
    const org = compare(features(c), features(d), freqOf([c, d])).evidence.find((e) => e.field === 'organisation')!;
    expect(org.weight).toBe(0);
    expect(org.detail).toMatch(/rare name/);
  });

  it('ignores a repeated header row', () => {
    const a = rec('P057960', '项目类别', 0, '项目名称', '工作单位', '项目负责人');
    const b = { ...a, id: 'P057962' };
    expect(levelOf(compare(features(a), features(b), freqOf([a, b])).score)).toBeNull();
  });
});
