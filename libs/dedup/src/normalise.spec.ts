import { bigrams, institutionRoot, jaccard, normalisePersonName, normaliseText, splitOrganisationName, titleCore, titlePeriods, weightedDice, wordsWithin } from './normalise.js';

describe('normal forms for duplicate detection', () => {
  it('folds full-width characters, traditional characters, punctuation and spacing', () => {
    expect(normaliseText('數控機床主轴國產化開發和推广應用')).toBe('数控机床主轴国产化开发和推广应用');
    expect(normaliseText('ＡＩ芯片（二期）：研发 & 产业化')).toBe('ai芯片二期研发产业化');
    expect(normalisePersonName('阿依古丽·买买提')).toBe('阿依古丽买买提');
  });

  // Pairs from ../shared/bench/synthetic: the same organisation written two ways.
  it.each([
    ['合肥讯腾电子科技有限公司', '讯腾电子科技（合肥）有限公司'],
    ['合肥鑫众办公设备有限公司', '鑫众办公设备（合肥）有限公司'],
    ['合肥仁丰智能科技有限公司', '合肥仁丰智能科技有限责任公司'],
    ['合肥仁丰智能科技有限公司', '仁丰智能科技（合肥）有限公司'],
    ['安徽达尔智能控制系统股份有限公司', '安徽达尔智能控制系统有限公司'],
    ['合肥桐科电子科技有限公司', '合肥桐科电子科技有限责任公司'],
  ])('sees %s and %s as one core, region and legal form', (a, b) => {
    const x = splitOrganisationName(a);
    const y = splitOrganisationName(b);
    expect(x.core).toBe(y.core);
    expect(x.region).toEqual(y.region);
    expect(x.legalForm).toBe(y.legalForm);
  });

  it('splits a name into region, core, industry and legal form', () => {
    expect(splitOrganisationName('讯腾电子科技（合肥）有限公司')).toEqual({ normal: '讯腾电子科技合肥有限公司', region: ['合肥'], core: '讯腾', industry: '电子科技', legalForm: 'company' });
    expect(splitOrganisationName('上海市闵行区华芯集成电路有限公司')).toMatchObject({ region: ['上海', '闵行'], core: '华芯', industry: '集成电路' });
    expect(splitOrganisationName('芜湖云深办公设备有限公司')).toMatchObject({ region: ['芜湖'], core: '云深', industry: '办公设备' });
    expect(splitOrganisationName('中国科学技术大学')).toMatchObject({ legalForm: 'university', core: '中国科学技术' });
  });

  it('keeps organisations apart that share only region, industry and form', () => {
    expect(splitOrganisationName('合肥讯腾电子科技有限公司').core).not.toBe(splitOrganisationName('合肥科安电子科技有限公司').core);
  });

  it('measures title similarity on character bigrams, reworded titles staying close', () => {
    const a = bigrams('基于边缘智能的纺织印染5G小基站开发');
    const b = bigrams('基于边缘智能的纺织染印5G小基站研发');
    expect(jaccard(a, b)).toBeGreaterThan(0.5);
    expect(jaccard(bigrams('数控机床主轴国产化开发及应用推广'), bigrams('數控機床主轴國產化開發和推广應用'))).toBeGreaterThan(0.6);
    expect(jaccard(bigrams('工业机器人精密减速器研发'), bigrams('细胞治疗制备工艺优化'))).toBe(0);
  });

  // Real spellings from ../shared/bench/real: a university and its school, an abbreviation, an optional 省.
  it.each([
    ['北京大学', '北京大学哲学系', '北京大学'],
    ['中国社科院财贸所', '中国社会科学院财政与贸易经济研究所', '中国社会科学院'],
    ['山东省社科院', '山东社会科学院历史研究所', '山东社会科学院'],
    ['中共北京市委党校', '北京市委党校', '北京市委党校'],
  ])('sees %s and %s as one institution', (a, b, root) => {
    expect(institutionRoot(a)).toBe(root);
    expect(institutionRoot(b)).toBe(root);
  });

  it('keeps a university press, other universities and companies apart from the university', () => {
    expect(institutionRoot('中国人民大学出版社')).toBe('中国人民大学出版社');
    expect(institutionRoot('吉林大学法学院')).not.toBe(institutionRoot('厦门大学法学院'));
    expect(institutionRoot('合肥讯腾电子科技有限公司')).toBe('');
  });

  it('drops a trailing language, edition or format note from a title, but not a period', () => {
    expect(titleCore('中国民众的国际观（英文）')).toBe('中国民众的国际观');
    expect(titleCore('为马克思辩护：对马克思哲学的一种新解释（第三版）')).toBe('为马克思辩护对马克思哲学的一种新解释');
    expect(titleCore('中国教育学前沿（期刊）')).toBe('中国教育学前沿');
    expect(titleCore('中国宪法学说史研究（上、下）')).toBe('中国宪法学说史研究');
    expect(titleCore('中国近代经济史（1927--1937）')).toBe('中国近代经济史19271937');
  });

  it('weighs shared rare bigrams more than shared common ones', () => {
    const common = new Set(['研究', '中国']);
    const w = (g: string) => (common.has(g) ? 0.2 : 3);
    const a = new Set(bigrams('卢卡奇思想研究'));
    const b = new Set(bigrams('卢卡奇思想'));
    const c = new Set(bigrams('中国哲学研究'));
    expect(weightedDice(a, b, w)).toBeGreaterThan(0.85);
    expect(weightedDice(a, b, w)).toBeGreaterThan(jaccard(a, b));
    expect(weightedDice(a, c, w)).toBeLessThan(jaccard(a, c));
  });

  it('sees every word of a shorter title, in order, within a longer one', () => {
    expect(wordsWithin('新疆佛教研究', '新疆佛教兴衰研究')).toBe(true);
    expect(wordsWithin('中印石窟寺研究', '中印佛教石窟寺比较研究')).toBe(true);
    expect(wordsWithin('电子文件管理研究', '机关企事业单位电子文件管理模式与方法研究')).toBe(true);
    // A word missing, or the words in another order: not within.
    expect(wordsWithin('中国经学史', '中国经学思想研究')).toBe(false);
    expect(wordsWithin('国际经济关系政治化问题研究', '美国对外经济制裁问题研究当代国际经济关系政治化的个案分析')).toBe(false);
    expect(wordsWithin('明清散曲研究', '元散曲研究')).toBe(false);
  });

  it('reads the years and periods a title names', () => {
    expect(titlePeriods('台湾地区少数民族政策研究（1945—2012）')).toBe('1945-2012');
    expect(titlePeriods('英属印度与中国西南边疆 (1774--1911)')).toBe('1774-1911');
    expect(titlePeriods('中华人民共和国经济史（1958-1965年）')).toBe('1958-1965');
    expect(titlePeriods('中国低碳发展报告（2013）')).toBe('2013');
    expect(titlePeriods('20世纪中国文学语言变迁史')).toBe('');
    expect(titlePeriods('年产150000吨饲料生产线')).toBe('');
  });
});
