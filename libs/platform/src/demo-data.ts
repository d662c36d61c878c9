import { orgCodeCheckChar, USCC_CHARSET, usccCheckChar } from '#encoding';
import type { CreditRecordInput } from '#credit';
import type { ProjectStatus, RegisterProjectInput } from '#registry';

/**
 * A demo data set, generated deterministically: a few hundred projects of the three funding
 * departments over five years, fictional organisations with well-formed credit codes, and
 * planted near-duplicates (the same organisation applying with a reworded title to another
 * department or sub-fund) so that a first-time user sees what the platform is for.
 */
export interface DemoProject {
  departmentCode: 'JXW' | 'KW' | 'ZJ';
  localId: string;
  input: RegisterProjectInput;
  /** Set on the planted copy: the local ID of the project it duplicates. */
  duplicateOf?: string;
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DISTRICTS = [
  ['310104', '徐汇'],
  ['310112', '闵行'],
  ['310115', '浦东新'],
  ['310114', '嘉定'],
  ['310117', '松江'],
  ['310110', '杨浦'],
] as const;
const CORES = ['申联', '华芯', '博睿', '中科微', '联影达', '瑞铂', '恒拓', '云启', '浦江源', '新昇', '智航', '凌云', '天擎', '合微', '东岳', '知行', '宏润', '海晟', '星图', '卓越'];
const INDUSTRIES = ['智能装备', '集成电路', '生物医药', '信息技术', '新材料', '机器人', '医疗器械', '新能源'];
const TOPICS = ['工业机器人精密减速器', '12英寸晶圆缺陷检测设备', '车规级功率半导体', '细胞治疗CAR-T制备工艺', '高端医学影像探测器', '固态锂电池隔膜材料', '工业互联网安全平台', '5G小基站射频芯片', '手术机器人控制系统', '燃料电池电堆', '高分子可降解材料', '数控机床主轴', '类脑计算芯片', '体外诊断试剂', '自主无人配送系统', '工业设计仿真软件'];
const KINDS: Record<number, string[]> = {
  1: ['引进消化吸收再创新', '产学研联合攻关'],
  2: ['企业技术中心能力提升', '制造业创新中心建设'],
  3: ['研发及产业化', '首轮流片验证'],
  4: ['共性技术创新中心建设'],
  5: ['科技小巨人企业培育'],
  6: ['高新技术成果转化与应用'],
  7: ['生物医药成果转化与产业化'],
  8: ['技术创新联盟建设'],
  9: ['行业标准研制'],
  10: ['产学研协同中心建设'],
};
const FUND_OF: Record<number, { dept: 'JXW' | 'KW' | 'ZJ'; fund: string }> = {
  1: { dept: 'JXW', fund: 'CYJSCX' },
  2: { dept: 'JXW', fund: 'CYJSCX' },
  3: { dept: 'JXW', fund: 'RJJCDL' },
  4: { dept: 'JXW', fund: 'RJJCDL' },
  5: { dept: 'KW', fund: 'CGZHYY' },
  6: { dept: 'KW', fund: 'CGZHYY' },
  7: { dept: 'KW', fund: 'CGZHYY' },
  8: { dept: 'ZJ', fund: 'ZJZZCX' },
  9: { dept: 'ZJ', fund: 'ZJZZCX' },
  10: { dept: 'ZJ', fund: 'ZJZZCX' },
};
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = ['建国', '晓明', '丽华', '志强', '海燕', '文博', '思远', '雨欣', '国庆', '立新', '佳怡', '子涵'];
const STATUSES: ProjectStatus[] = ['DRAFT', 'ACCEPTED', 'EXPERT_REVIEW', 'APPROVED', 'IN_IMPLEMENTATION', 'IN_IMPLEMENTATION', 'ACCEPTANCE_PASSED', 'CLOSED', 'REJECTED'] as ProjectStatus[];
const METHODS = ['GRANT', 'GRANT', 'POST_SUBSIDY', 'AWARD_IN_LIEU', 'LOAN_INTEREST'];
/** Statuses reached only after approval: a demo project in one carries an approved amount (90% of the request). */
const APPROVED_STATUSES = new Set(['APPROVED', 'IN_IMPLEMENTATION', 'ACCEPTANCE_PASSED', 'CLOSED']);

/** Reworded the way applicants reword a title for a second department. */
const REWORDINGS: [RegExp, string][] = [
  [/研发及产业化/, '研制与产业化应用'],
  [/建设/, '建设项目'],
  [/产学研/, '校企合作'],
  [/能力提升/, '创新能力提升'],
  [/转化与应用/, '转化及推广应用'],
];

function uscc(rand: () => number, division: string): string {
  const chars = USCC_CHARSET.replace(/[^0-9A-HJ-NP-RT-UW-Y]/g, '');
  let body = '';
  for (let i = 0; i < 8; i++) body += i < 2 ? 'MA'[i] : chars[Math.floor(rand() * chars.length)];
  const first17 = `91${division}${body}${orgCodeCheckChar(body)}`;
  return first17 + usccCheckChar(first17);
}

/** The demo's 60 organisations, drawn first from the seeded sequence. */
function organisationsFrom(rand: () => number): { name: string; district: string; uscc: string }[] {
  return Array.from({ length: 60 }, (_, i) => {
    const [division, district] = DISTRICTS[i % DISTRICTS.length]!;
    const core = CORES[i % CORES.length]! + (i >= CORES.length ? ['科技', '精密', '智能'][Math.floor(i / CORES.length) - 1] : '');
    const industry = INDUSTRIES[i % INDUSTRIES.length]!;
    const name = `上海${core}${industry}${i % 3 === 0 ? '股份有限公司' : '有限公司'}`;
    return { name, district, uscc: uscc(rand, division) };
  });
}

function demoOrganisations(seed = 20261123): { name: string; district: string; uscc: string }[] {
  return organisationsFrom(prng(seed));
}

export function demoProjects(count = 300, seed = 20261123): DemoProject[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const orgs = organisationsFrom(rand);
  const out: DemoProject[] = [];
  const perDept: Record<string, number> = { JXW: 0, KW: 0, ZJ: 0 };
  for (let i = 0; out.length < count; i++) {
    const subFund = 1 + (i % 10);
    const { dept, fund } = FUND_OF[subFund]!;
    const org = pick(orgs);
    const year = 2021 + Math.floor(rand() * 5);
    const requestedWan = 50 + Math.floor(rand() * 19) * 50;
    const totalWan = requestedWan * (2 + Math.floor(rand() * 4));
    const title = `${pick(TOPICS)}${pick(KINDS[subFund]!)}`;
    const localId = `DEMO-${dept}-${String(++perDept[dept]!).padStart(4, '0')}`;
    const leader = `${pick([...SURNAMES])}${pick(GIVEN)}`;
    // Drawn in the order the fields were always drawn, so the demo set stays the same.
    const method = pick(METHODS);
    const plannedStart = `${year}-0${1 + Math.floor(rand() * 9)}-01`;
    const status = pick(STATUSES);
    const base: DemoProject = {
      departmentCode: dept,
      localId,
      input: {
        fund,
        subFund: String(subFund),
        year,
        title,
        organisation: { uscc: org.uscc, name: org.name },
        leader: { name: leader },
        supportMethodCode: method,
        requestedYuan: String(requestedWan * 10_000),
        selfRaisedYuan: String((totalWan - requestedWan) * 10_000),
        totalInvestmentYuan: String(totalWan * 10_000),
        plannedStart,
        plannedEnd: `${year + 2}-12-31`,
        status,
        approvedYuan: APPROVED_STATUSES.has(status) ? String(requestedWan * 9_000) : null,
        localId,
        summary: `${org.name}开展${title}。`,
        keywords: [title.slice(0, 4)],
      },
    };
    out.push(base);
    // About one in twelve is planted again at another department, reworded, often without the code.
    if (i % 12 === 5 && out.length < count) {
      const otherSub = [6, 3, 9, 1, 7, 10][i % 6]!;
      const other = FUND_OF[otherSub === subFund ? 1 + (subFund % 10) : otherSub]!;
      const otherSubFund = otherSub === subFund ? 1 + (subFund % 10) : otherSub;
      const reworded = REWORDINGS.reduce((t, [re, to]) => (re.test(t) ? t.replace(re, to) : t), title);
      const copyId = `DEMO-${other.dept}-${String(++perDept[other.dept]!).padStart(4, '0')}`;
      const nameVariant = org.name.endsWith('股份有限公司') ? org.name.replace('股份有限公司', '股份公司') : org.name.replace('有限公司', '有限责任公司');
      out.push({
        departmentCode: other.dept,
        localId: copyId,
        duplicateOf: localId,
        input: {
          ...base.input,
          fund: other.fund,
          subFund: String(otherSubFund),
          year: Math.min(2025, year + (i % 2)),
          title: reworded === title ? `${title}(二期)` : reworded,
          organisation: Math.floor(i / 12) % 2 === 0 ? { name: nameVariant } : { uscc: org.uscc, name: nameVariant },
          status: 'DRAFT' as ProjectStatus,
          localId: copyId,
          summary: `${nameVariant}申请${reworded}。`,
        },
      });
    }
  }
  out.push(...dishonestyRelevant(orgs));
  return out;
}

/**
 * The dishonesty records departments decided on the credit cases below, and two new applications
 * by the same organisations: one blocked (funds misused, no applications to linkage funds until
 * 2027-05-31), one warned (a false application, publicly notified, no restriction on applying).
 */
export function demoCredit(): { records: { departmentCode: string; input: CreditRecordInput }[]; applications: DemoProject[] } {
  const cases = dishonestyRelevant(demoOrganisations());
  const misused = cases[0]!.input;
  const falseApp = cases[2]!.input;
  const records = [
    {
      departmentCode: 'JXW',
      input: {
        organisation: { uscc: misused.organisation.uscc, name: misused.organisation.name },
        projectCode: null,
        behaviour: 'MISUSE_OF_FUNDS',
        severity: 'serious',
        decisionNumber: '沪经信审〔2024〕12号',
        decisionDate: '2024-05-20',
        legalBasis: '沪经信规〔2017〕116号 第五条(六);专项审计报告',
        effectiveDate: '2024-06-01',
        restrictionMonths: 36,
        measures: ['NO_LINKAGE_APPLICATIONS', 'FUNDS_RECOVERED', 'PUBLIC_NOTICE'],
        visibility: 'public',
        evidence: [{ name: '专项审计报告', ref: 'doc://jxw/audit/2024-12' }],
      },
    },
    {
      departmentCode: 'ZJ',
      input: {
        organisation: { uscc: falseApp.organisation.uscc, name: falseApp.organisation.name },
        person: { name: falseApp.leader!.name },
        behaviour: 'FALSE_APPLICATION',
        severity: 'general',
        decisionNumber: '沪张江管〔2025〕3号',
        decisionDate: '2025-02-20',
        legalBasis: '沪经信规〔2017〕116号 第五条(六)',
        effectiveDate: '2025-03-01',
        restrictionMonths: 24,
        measures: ['PUBLIC_NOTICE'],
        visibility: 'internal',
        evidence: [{ name: '核查意见', ref: 'doc://zj/check/2025-3' }],
      },
    },
  ];
  const application = (dept: 'KW' | 'JXW', localId: string, base: RegisterProjectInput, title: string, fund: string, subFund: string): DemoProject => ({
    departmentCode: dept,
    localId,
    input: { ...base, fund, subFund, year: 2026, title, status: 'DRAFT' as ProjectStatus, approvedYuan: null, localId, summary: '', attributes: {}, plannedStart: '2026-07-01', plannedEnd: '2028-06-30' },
  });
  return {
    records,
    applications: [
      application('KW', 'DEMO-KW-CREDIT-APPLY-1', misused, '工业控制芯片高新技术成果转化与应用', 'CGZHYY', '6'),
      application('JXW', 'DEMO-JXW-CREDIT-APPLY-2', falseApp, '医疗影像人工智能企业技术中心建设', 'CYJSCX', '2'),
    ],
  };
}

/**
 * Three organisations whose projects carry the facts that lead to dishonesty records (the credit
 * records themselves are decided by departments): funds misused and the project terminated by the
 * leading department, an acceptance failed, an application found false.
 */
function dishonestyRelevant(orgs: { name: string; uscc: string }[]): DemoProject[] {
  const cases: { dept: 'JXW' | 'KW' | 'ZJ'; fund: string; subFund: number; status: string; title: string; note: string }[] = [
    { dept: 'JXW', fund: 'RJJCDL', subFund: 3, status: 'TERMINATED', title: '工业控制芯片研发及产业化', note: '专项审计发现挪用财政资金,领导小组办公室终止项目并追回已拨资金' },
    { dept: 'KW', fund: 'CGZHYY', subFund: 6, status: 'ACCEPTANCE_FAILED', title: '智能巡检机器人高新技术成果转化与应用', note: '验收未通过,主要指标未完成,尚待认定是否勤勉尽责' },
    { dept: 'ZJ', fund: 'ZJZZCX', subFund: 8, status: 'REJECTED', title: '医疗影像人工智能技术创新联盟建设', note: '申报材料中的专利与合同经核查为虚假' },
  ];
  return cases.map((c, i) => {
    const org = orgs[orgs.length - 1 - i]!;
    const localId = `DEMO-${c.dept}-CREDIT-${i + 1}`;
    return {
      departmentCode: c.dept,
      localId,
      input: {
        fund: c.fund,
        subFund: String(c.subFund),
        year: 2022,
        title: c.title,
        organisation: { uscc: org.uscc, name: org.name },
        leader: { name: ['钱立新', '孙海燕', '周文博'][i]! },
        supportMethodCode: 'GRANT',
        requestedYuan: '3000000',
        approvedYuan: c.status === 'REJECTED' ? null : '3000000',
        selfRaisedYuan: '6000000',
        totalInvestmentYuan: '9000000',
        plannedStart: '2022-03-01',
        plannedEnd: '2024-02-29',
        status: c.status as ProjectStatus,
        localId,
        summary: c.note,
        attributes: { creditRelevant: c.note },
      },
    };
  });
}
