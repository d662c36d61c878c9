import * as OpenCC from 'opencc-js';

/**
 * Normal forms for matching, computed once when a record is written. They decide what "the same
 * organisation" and "the same title" mean to the detector, so each rule is here, with a test.
 */
const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' });

/** NFKC (full-width letters, digits, brackets), traditional → simplified, lower-case Latin, no spaces or punctuation. */
export function normaliseText(s: string): string {
  return toSimplified(s.normalize('NFKC'))
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** A person's name as written in different systems: spaces and middle dots dropped, full-width folded. */
export function normalisePersonName(s: string): string {
  return toSimplified(s.normalize('NFKC')).replace(/[\s·•・.]/g, '');
}

/** Legal forms, longest first, and what they are the same as. */
const LEGAL_FORMS: [string, string][] = [
  ['股份有限公司', 'company'],
  ['有限责任公司', 'company'],
  ['集团有限公司', 'company'],
  ['有限公司', 'company'],
  ['股份公司', 'company'],
  ['集团公司', 'company'],
  ['公司', 'company'],
  ['合伙企业', 'partnership'],
  ['研究院', 'institute'],
  ['研究所', 'institute'],
  ['研究中心', 'institute'],
  ['大学', 'university'],
  ['学院', 'university'],
  ['医院', 'hospital'],
  ['合作社', 'cooperative'],
  ['工作室', 'studio'],
  ['经营部', 'shop'],
  ['商行', 'shop'],
  ['厂', 'factory'],
];

/** Words that say what a company does; shared by thousands of unrelated names, so weak evidence. */
const INDUSTRY_WORDS = [
  '信息技术', '信息科技', '网络科技', '智能科技', '电子科技', '生物科技', '医药科技', '新材料科技', '能源科技', '环保科技', '农业科技',
  '控制系统', '办公设备', '设备安装', '通信设备', '医疗器械', '集成电路', '软件开发', '技术开发', '技术服务', '科技发展', '信息咨询',
  '科技', '技术', '电子', '智能', '网络', '通信', '信息', '软件', '生物', '医药', '医疗', '材料', '新材料', '能源', '新能源', '环保', '设备',
  '机械', '装备', '制造', '工业', '实业', '贸易', '商贸', '发展', '投资', '控股', '集团', '股份', '数据', '数字', '光电', '半导体', '微电子',
  '精密', '系统', '自动化', '仪器', '化工', '汽车', '电气', '电力', '节能', '农业', '食品', '物流', '传媒', '文化', '建设', '工程',
];
const INDUSTRY = [...new Set(INDUSTRY_WORDS)].sort((a, b) => b.length - a.length);

const PROVINCES = ['北京', '天津', '上海', '重庆', '河北', '山西', '辽宁', '吉林', '黑龙江', '江苏', '浙江', '安徽', '福建', '江西', '山东', '河南', '湖北', '湖南', '广东', '海南', '四川', '贵州', '云南', '陕西', '甘肃', '青海', '台湾', '内蒙古', '广西', '西藏', '宁夏', '新疆', '香港', '澳门'];
const CITIES = ['合肥', '芜湖', '蚌埠', '淮南', '马鞍山', '淮北', '铜陵', '安庆', '黄山', '滁州', '阜阳', '宿州', '六安', '亳州', '池州', '宣城', '南京', '无锡', '徐州', '常州', '苏州', '南通', '连云港', '淮安', '盐城', '扬州', '镇江', '泰州', '宿迁', '杭州', '宁波', '温州', '嘉兴', '湖州', '绍兴', '金华', '衢州', '舟山', '台州', '丽水', '福州', '厦门', '莆田', '三明', '泉州', '漳州', '南平', '龙岩', '宁德', '济南', '青岛', '淄博', '枣庄', '东营', '烟台', '潍坊', '济宁', '泰安', '威海', '日照', '临沂', '德州', '聊城', '滨州', '菏泽', '石家庄', '唐山', '秦皇岛', '邯郸', '保定', '沧州', '廊坊', '郑州', '洛阳', '武汉', '长沙', '广州', '深圳', '珠海', '佛山', '东莞', '成都', '西安', '昆明', '贵阳', '南宁', '沈阳', '大连', '长春', '哈尔滨', '太原', '南昌', '兰州', '乌鲁木齐', '闵行', '浦东', '徐汇', '嘉定', '松江', '杨浦', '张江'];
const PLACES = [...CITIES, ...PROVINCES].sort((a, b) => b.length - a.length);
const PLACE_SUFFIX = /^(省|市|自治区|特别行政区|区|县|新区|高新区|经济技术开发区|开发区)/;

export interface OrganisationName {
  /** The whole name in normal form. */
  normal: string;
  /** Places named at the front or in brackets (合肥, 安徽), in order. */
  region: string[];
  /** The distinctive part: 讯腾 in 合肥讯腾电子科技有限公司. */
  core: string;
  /** What it does (电子科技), weak evidence. */
  industry: string;
  /** company, institute, university …: the legal forms that mean the same are one value. */
  legalForm: string;
}

function takePlace(s: string): { place: string; rest: string } | null {
  for (const p of PLACES) {
    if (s.startsWith(p)) {
      const after = s.slice(p.length);
      const suffix = PLACE_SUFFIX.exec(after)?.[0] ?? '';
      return { place: p, rest: after.slice(suffix.length) };
    }
  }
  const generic = /^([\p{Script=Han}]{2,3}?)(省|市|自治区|县)/u.exec(s);
  if (generic && generic[0].length < s.length - 1) return { place: generic[1]!, rest: s.slice(generic[0].length) };
  return null;
}

/**
 * Split an organisation's name into region, core, industry and legal form:
 * 合肥讯腾电子科技有限公司 and 讯腾电子科技（合肥）有限公司 are both region 合肥, core 讯腾, industry 电子科技, company.
 */
export function splitOrganisationName(name: string): OrganisationName {
  let s = toSimplified(name.normalize('NFKC')).replace(/\s+/g, '');
  const region: string[] = [];
  // Regions in brackets anywhere: 讯腾电子科技(合肥)有限公司
  s = s.replace(/[(\[【]([^()\[\]【】]{1,12})[)\]】]/g, (_m: string, inner: string) => {
    const p = takePlace(inner);
    if (p && p.rest === '') {
      region.push(p.place);
      return '';
    }
    return inner;
  });
  // Regions at the front: 上海市闵行区… / 安徽合肥…
  const front: string[] = [];
  for (let p = takePlace(s); p && p.rest.length >= 2; p = takePlace(s)) {
    front.push(p.place);
    s = p.rest;
  }
  region.unshift(...front);
  let legalForm = '';
  for (const [suffix, form] of LEGAL_FORMS) {
    if (s.endsWith(suffix)) {
      legalForm = form;
      s = s.slice(0, -suffix.length);
      break;
    }
  }
  const industryParts: string[] = [];
  // Only a company's name ends in what it does; 中国科学技术大学 keeps 技术 in its core.
  for (let changed = legalForm === 'company' || legalForm === ''; changed && s.length > 2; ) {
    changed = false;
    for (const w of INDUSTRY) {
      if (s.endsWith(w) && s.length - w.length >= 2) {
        industryParts.unshift(w);
        s = s.slice(0, -w.length);
        changed = true;
        break;
      }
    }
  }
  const core = normaliseText(s);
  return { normal: normaliseText(name), region: [...new Set(region)], core, industry: industryParts.join(''), legalForm };
}

/** The title's character bigrams (normal form), the unit of title similarity and of the title block. */
export function bigrams(s: string): string[] {
  return bigramsOfNormal(normaliseText(s));
}

/** bigrams of a text already in normal form. */
export function bigramsOfNormal(t: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < t.length; i++) out.push(t.slice(i, i + 2));
  return out;
}

/** Jaccard similarity of two bigram sets. */
export function jaccard(a: Iterable<string>, b: Iterable<string>): number {
  const A = a instanceof Set ? (a as Set<string>) : new Set(a);
  const B = b instanceof Set ? (b as Set<string>) : new Set(b);
  if (A.size === 0 && B.size === 0) return 0;
  let inter = 0;
  for (const x of A) if (B.has(x)) inter++;
  return inter / (A.size + B.size - inter);
}

/** Words that end the name of an institution; what follows is one of its schools, departments or institutes. */
const INSTITUTION_HEADS = /(社会科学院|科学院|大学|学院|党校|研究院|研究所|出版社|医院)/u;

/**
 * The institution an organisation belongs to, in one spelling: 北京大学 for 北京大学哲学系,
 * 中国社会科学院 for 中国社科院财贸所, 山东社会科学院 for 山东省社科院. Empty for a name with no
 * institution word (a company, a government office): those are compared by core.
 */
export function institutionRoot(name: string): string {
  return institutionRootOfNormal(normaliseText(name));
}

/** institutionRoot of a name already in normal form (normaliseText). */
export function institutionRootOfNormal(normal: string): string {
  let s = normal
    .replace(/社科院/g, '社会科学院')
    .replace(/^中共/, '');
  // 山东省社会科学院 and 山东社会科学院 are one body: the 省 after a province's name is optional.
  for (const p of PROVINCES) {
    if (s.startsWith(p) && s.slice(p.length).startsWith('省')) {
      s = p + s.slice(p.length + 1);
      break;
    }
  }
  // A university's press is a body of its own, not one of the university's schools.
  const m = /出版社|杂志社/.exec(s) ?? INSTITUTION_HEADS.exec(s);
  if (!m) return '';
  const root = s.slice(0, m.index + m[0].length);
  return root.length >= 4 ? root : '';
}

/**
 * A title without a trailing note of language, edition, format or volume: 中国民众的国际观（英文）,
 * 为马克思辩护（第三版）, 中国教育学前沿（期刊） are the work itself. Years and other notes stay, they
 * tell volumes of a series apart.
 */
const TITLE_NOTE = /[（(【[](?:[^（）()【】[\]]{0,6}?[文语]版?|[^（）()【】[\]]{0,4}版|[季月双周]?刊|期刊|杂志|上、?下|上中下|全?[一二三四五六七八九十\d]+[卷册](?:本)?|[一二三四五六七八九十\d]+卷本)[)）】\]]\s*$/u;
export function titleCore(title: string): string {
  const t = stripTitleNotes(toSimplified(title.normalize('NFKC')));
  return normaliseText(t);
}

/** The title without its trailing notes, or the title itself when it has none (no normalisation). */
export function stripTitleNotes(title: string): string {
  let t = title.trim();
  for (let m = TITLE_NOTE.exec(t); m; m = TITLE_NOTE.exec(t)) t = t.slice(0, m.index).trim();
  return t;
}

/**
 * Weighted Dice similarity of two bigram sets: each shared bigram counts by its weight (its rarity),
 * so sharing 卢卡奇 says much and sharing 研究 little, and a missing 研究 costs little.
 */
export function weightedDice(a: Set<string>, b: Set<string>, weight: (gram: string) => number): number {
  let wa = 0;
  let wb = 0;
  let shared = 0;
  for (const g of a) {
    const w = weight(g);
    wa += w;
    if (b.has(g)) shared += w;
  }
  for (const g of b) wb += weight(g);
  return wa + wb > 0 ? (2 * shared) / (wa + wb) : 0;
}

/**
 * Whether every word of the shorter title appears, in the same order, in the longer one: the shorter
 * splits into pieces of at least two characters each found in the longer after the one before
 * (新疆佛教研究 in 新疆佛教兴衰研究; 中印石窟寺研究 in 中印佛教石窟寺比较研究). Both in normal form; the
 * longer title only adds qualifiers. Greedy: at each step the longest piece that still occurs.
 */
export function wordsWithin(short: string, long: string): boolean {
  if (short.length < 4 || short.length >= long.length) return false;
  let from = 0;
  for (let i = 0; i < short.length; ) {
    let found = -1;
    let n = short.length - i;
    for (; n >= 2; n--) {
      found = long.indexOf(short.slice(i, i + n), from);
      if (found >= 0) break;
    }
    if (found < 0) return false;
    from = found + n;
    i += n;
  }
  return true;
}

/** A year from the 16th to the 21st century, alone or as the start or end of a range. */
const YEAR_RANGE = /(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)(?:年)?(?:\s*[-—–－~～至到]+\s*(1[5-9]\d\d|20\d\d)(?!\d))?/gu;

/**
 * The years or periods a title names (1945-2012 in 台湾地区少数民族政策研究（1945—2012）, 2013 in
 * 中国低碳发展报告（2013）), as one string; empty when it names none. Two titles naming different
 * periods are two volumes of a series or one subject studied over two eras.
 */
export function titlePeriods(title: string): string {
  const t = title.normalize('NFKC');
  const out: string[] = [];
  for (const m of t.matchAll(YEAR_RANGE)) out.push(m[2] ? `${m[1]}-${m[2]}` : m[1]!);
  return out.join(',');
}
