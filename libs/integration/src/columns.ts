/**
 * The fields an import understands, and the column headers departments use for them
 * (Chinese as their Excel exports write them, English, and the benchmark format).
 * Headers are matched after normalisation (full-width folded, spaces, brackets and case ignored).
 */
export const IMPORT_FIELDS = {
  localId: ['id', 'local_id', 'localid', '项目编号', '本部门编号', '编号', '项目id', '原编号'],
  department: ['department', 'dept', '部门', '主管部门', '管理部门', '资助部门', '项目来源'],
  fund: ['fund', '专项', '专项资金', '资金名称'],
  subFund: ['subfund', 'sub_fund', '子专项', '子专项序号', '项目类别', '项目类型'],
  year: ['year', '申报年度', '年度', '立项年度', '立项年份'],
  title: ['title', '项目名称', '名称', '课题名称'],
  orgName: ['org_name', 'organisation', 'organization', '承担单位', '申报单位', '单位名称', '工作单位', '依托单位'],
  uscc: ['uscc', 'credit_code', '统一社会信用代码', '信用代码', '社会信用代码'],
  leader: ['leader', '项目负责人', '负责人', '主持人'],
  leaderIdNumber: ['leader_id_number', '负责人身份证号', '身份证号'],
  requestedWan: ['amount_wan', 'requested_wan', '资助金额(万元)', '申请金额(万元)', '申请资助(万元)', '财政资金(万元)'],
  requestedYuan: ['amount_yuan', 'requested_yuan', '资助金额(元)', '申请金额(元)'],
  approvedWan: ['approved_wan', '核定金额(万元)', '立项金额(万元)', '批准金额(万元)'],
  selfRaisedWan: ['self_raised_wan', '自筹资金(万元)', '自筹(万元)'],
  totalInvestmentWan: ['total_investment_wan', '总投资', '总投资(万元)', '项目总投资(万元)'],
  startDate: ['start_date', '开始日期', '起始日期', '计划开始日期'],
  endDate: ['end_date', '结束日期', '截止日期', '计划结束日期'],
  period: ['period', '起止日期', '起止时间', '实施期限'],
  status: ['status', '状态', '项目状态'],
  supportMethod: ['support_method', '支持方式', '资助方式'],
  category: ['category', '分类', '所属分类'],
  catalogItem: ['catalog_item', '目录条目', '关键技术目录'],
  summary: ['summary', '项目摘要', '摘要', '研究内容'],
  keywords: ['keywords', '关键词'],
} as const;

export type ImportField = keyof typeof IMPORT_FIELDS;

export function normaliseHeader(h: string): string {
  return h.normalize('NFKC').replace(/^\uFEFF/, '').replace(/[\s_\-()（）]/g, '').toLowerCase();
}

const ALIASES = new Map<string, ImportField>();
for (const [field, names] of Object.entries(IMPORT_FIELDS) as [ImportField, readonly string[]][]) {
  for (const n of [field, ...names]) ALIASES.set(normaliseHeader(n), field);
}

export function isImportField(v: string): v is ImportField {
  return Object.prototype.hasOwnProperty.call(IMPORT_FIELDS, v);
}

export interface HeaderMapping {
  /** Column header → field. */
  fields: Map<string, ImportField>;
  /** Headers the import keeps as the project's attributes. */
  extra: string[];
}

/** Map a file's headers to fields; a saved mapping (header → field) takes precedence over the built-in names. */
export function mapHeaders(headers: string[], saved: Record<string, string> = {}): HeaderMapping {
  const savedNorm = new Map(Object.entries(saved).map(([h, f]) => [normaliseHeader(h), f]));
  const fields = new Map<string, ImportField>();
  const extra: string[] = [];
  const taken = new Set<ImportField>();
  for (const h of headers) {
    const key = normaliseHeader(h);
    const f = savedNorm.get(key) ?? ALIASES.get(key);
    if (f && isImportField(f) && !taken.has(f)) {
      fields.set(h, f);
      taken.add(f);
    } else if (h.trim()) extra.push(h);
  }
  return { fields, extra };
}
