import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { restrictionEnd } from '#credit';
import { yuanToFen } from '#registry';
import { JobName } from '#shared/queue/index.js';
import { wan, type AnnualReportData, type Cell, type Chart, type Column, type Section, type Table } from './report.types.js';

/** Statuses a project reaches only after approval (立项); a project counts as approved once it reached one. */
const APPROVED_STATUSES = ['APPROVED', 'IN_IMPLEMENTATION', 'ACCEPTANCE_PASSED', 'ACCEPTANCE_FAILED', 'RECONSIDERATION', 'CLOSED'];
/** The snapshot fields a project's figures depend on, read back from its history as of the report's day. */
const STATE_KEYS = ['year', 'status', 'departmentId', 'fundId', 'subFundId', 'categoryCode', 'supportMethodCode', 'catalogItemCode', 'requestedYuan', 'approvedYuan'];
/** History actions that carry the project's snapshot (REGISTERED) or a diff of it. */
const STATE_ACTIONS = ['REGISTERED', 'UPDATED', 'TRANSITION', 'EXTENDED'];
const TREND_YEARS = 5;
/**
 * A history entry's value of key `k.key`: a snapshot's value as written (REGISTERED, CREATED), a diff's
 * `after`. Aggregated with `jsonb_object_agg(… ORDER BY seq)`, the latest entry's value is kept (a jsonb
 * object keeps a key's last value): the state as of the entries read.
 */
const VALUE = `CASE WHEN jsonb_typeof(h.changes -> k.key) = 'object' AND (h.changes -> k.key) ? 'after' THEN h.changes -> k.key -> 'after' ELSE h.changes -> k.key END`;

const KIND_NAMES: Record<string, string> = {
  annual_direction: '年度支持方向和重点会商',
  guideline: '指南编制会商',
  project: '项目会商',
  fund_establishment: '专项资金设立会商',
  joint: '联席会议',
};
const DECISION_NAMES: Record<string, string> = { approve: '同意', reject: '不同意', defer: '暂缓', refer: '转其他专项或部门', merge: '合并', more_information: '补充材料' };
const PROPOSAL_NAMES: Record<string, string> = { proposed: '待会商', approved: '会商同意', rejected: '会商不同意', established: '已设立', sent_to_leading_group: '已设立并报领导小组办公室' };
const TRIGGER_NAMES: Record<string, string> = { registration: '申报登记', import: '批量导入', approval: '立项前', payment: '拨付前', daily: '每日复核', on_demand: '按需复核' };
const ROLE_NAMES: Record<string, string> = { LEADING: '牵头部门', PARTICIPATING: '参与部门', WORKING_GROUP: '工作小组', INFORMATION_CENTER: '信息中心', LEADING_GROUP_OFFICE: '领导小组办公室', AGENCY: '受托机构', OTHER: '其他' };

interface Department { id: string; code: string; name: string; shortName: string; role: string }
interface SubFund { id: string; fundId: string; number: number; code: string; name: string; categoryCode: string | null }
interface Fund { id: string; code: string; name: string; shortName: string; departmentId: string }

/** A project as it stood on the report's day, rebuilt from its append-only history. */
interface ProjectState {
  id: string;
  year: number;
  status: string;
  departmentId: string;
  fundId: string;
  subFundId: string | null;
  categoryCode: string | null;
  supportMethodCode: string | null;
  catalogItemCode: string | null;
  requestedFen: bigint | null;
  approvedFen: bigint | null;
  registeredAt: Date;
  approvedAt: Date | null;
  paidFen: bigint;
}

interface Window {
  year: number;
  asOf: string;
  /** First instant of the year. */
  start: Date;
  /** Exclusive end: the earlier of the next year's first instant and the day after asOf. */
  end: Date;
  /** Exclusive: nothing recorded at or after it counts. */
  cutoff: Date;
}

type Progress = (done: number, total: number) => Promise<void>;
type Ref = Awaited<ReturnType<ReportCompiler['reference']>>;

interface Figures { applications: number; approved: number; requestedFen: bigint; approvedFen: bigint; paidFen: bigint }

const int = (header: string): Column => ({ header, kind: 'int' });
const text = (header: string): Column => ({ header, kind: 'text' });
const money = (header: string): Column => ({ header, kind: 'wan' });
const pct = (header: string): Column => ({ header, kind: 'percent' });

function addDays(day: string, n: number): Date {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d;
}

function windowOf(year: number, asOf: string): Window {
  const cutoff = addDays(asOf, 1);
  const start = new Date(Date.UTC(year, 0, 1));
  const next = new Date(Date.UTC(year + 1, 0, 1));
  return { year, asOf, start, end: next < cutoff ? next : cutoff, cutoff };
}

const inWindow = (w: Window, t: Date | null): boolean => t !== null && t >= w.start && t < w.end;

/** Sum columns of rows (the 合计 row); text columns stay empty except the first. */
function totalRow(columns: Column[], rows: Cell[][], label = '合计'): Cell[] {
  return columns.map((c, i) => {
    if (i === 0) return label;
    if (c.kind === 'int') return rows.reduce((n, r) => n + (Number(r[i]) || 0), 0);
    if (c.kind === 'wan') return Math.round(rows.reduce((n, r) => n + (Number(r[i]) || 0) * 100, 0)) / 100;
    return null;
  });
}

/** Applications, approvals and their money (exact fen): the approved amount counts for approved projects only. */
function sumFigures(ps: ProjectState[]): Figures {
  return {
    applications: ps.length,
    approved: ps.filter((p) => p.approvedAt).length,
    requestedFen: ps.reduce((n, p) => n + (p.requestedFen ?? 0n), 0n),
    approvedFen: ps.reduce((n, p) => n + (p.approvedAt ? (p.approvedFen ?? 0n) : 0n), 0n),
    paidFen: ps.reduce((n, p) => n + p.paidFen, 0n),
  };
}

function change(before: number, after: number): Cell {
  if (before === 0) return null;
  return Math.round(((after - before) / before) * 1000) / 10;
}

/**
 * Computes the annual linkage-management report (000 §五(一); DOMAIN §8) for a year as it stood on a
 * day. Every figure comes from rows and history recorded up to that day, so compiling the same year
 * and day again gives the same numbers whatever happened since.
 */
@Injectable()
export class ReportCompiler {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async compile(year: number, asOf: string, jurisdiction: string, progress: Progress = async () => undefined): Promise<AnnualReportData> {
    const w = windowOf(year, asOf);
    const prev = windowOf(year - 1, asOf);
    const steps = 9;
    let step = 0;
    const tick = async () => progress(++step, steps);

    const ref = await this.reference(jurisdiction);
    await tick();
    const funds = ref.funds.map((f) => f.id);
    const projects = await this.projectStates(w, { funds, fromYear: year - TREND_YEARS + 1, toYear: year });
    await tick();
    const ofYear = projects.filter((p) => p.year === year);
    const ofPrev = projects.filter((p) => p.year === year - 1);

    const projectsSection = this.projectsSection(w, ref, projects, ofYear, await this.monthsOfYear(w, funds));
    await tick();
    const dup = await this.duplicatesSection(w, prev, ref, projects, ofYear);
    await tick();
    const credit = await this.creditSection(w, prev, ref);
    await tick();
    const consultation = await this.consultationSection(w, prev, ref);
    await tick();
    const tasks = await this.tasksSection(w, ref);
    await tick();
    const quality = await this.qualitySection(w, ref, ofYear);
    await tick();

    const overview = this.overviewSection(w, ref, projects, sumFigures(ofPrev), sumFigures(ofYear), [
      ['查重预警(条)', dup.headline.prev, dup.headline.cur],
      ['确认重复(条)', dup.headline.prevConfirmed, dup.headline.curConfirmed],
      ['新增失信记录(条)', credit.headline.prev, credit.headline.cur],
      ['召开会商会议(次)', consultation.headline.prev, consultation.headline.cur],
    ]);
    await tick();
    const sections = [overview, projectsSection, dup.section, credit.section, consultation.section, tasks, quality];
    // Charts name departments as officials say them (经信委, 科委); tables keep the full names.
    const short = new Map(ref.departments.map((d) => [d.name, d.shortName]));
    for (const c of sections.flatMap((s) => s.charts)) c.labels = c.labels.map((l) => short.get(l) ?? l);
    return {
      year,
      asOf,
      jurisdiction: { code: ref.jurisdiction.code, name: ref.jurisdiction.name },
      title: `${ref.jurisdiction.name}${year}年度科技专项资金部门联动管理工作报告`,
      sections,
    };
  }

  // ---------------------------------------------------------------- reference

  /** The jurisdiction's departments, funds and sub-funds (the report covers one jurisdiction's linkage), and the shared lists. */
  private async reference(jurisdiction: string) {
    const [[place], everyDepartment, departments, funds, subFunds, categories, methods, fields, items] = await Promise.all([
      this.ds.query(`SELECT code, name FROM jurisdiction WHERE code = $1`, [jurisdiction]) as Promise<{ code: string; name: string }[]>,
      this.ds.query(`SELECT id, code, name FROM department`) as Promise<{ id: string; code: string; name: string }[]>,
      this.ds.query(`SELECT id, code, name, short_name, linkage_role FROM department WHERE jurisdiction_code = $1 ORDER BY CASE linkage_role WHEN 'LEADING' THEN 0 WHEN 'PARTICIPATING' THEN 1 ELSE 2 END, code`, [jurisdiction]) as Promise<{ id: string; code: string; name: string; short_name: string; linkage_role: string }[]>,
      this.ds.query(`SELECT id, code, name, short_name, department_id FROM fund WHERE jurisdiction_code = $1 ORDER BY code`, [jurisdiction]) as Promise<{ id: string; code: string; name: string; short_name: string; department_id: string }[]>,
      this.ds.query(`SELECT s.id, s.fund_id, s.number, s.code, s.name, s.category_code FROM sub_fund s JOIN fund f ON f.id = s.fund_id WHERE f.jurisdiction_code = $1 ORDER BY s.number, f.code, s.code`, [jurisdiction]) as Promise<{ id: string; fund_id: string; number: number; code: string; name: string; category_code: string | null }[]>,
      this.ds.query(`SELECT code, name FROM category ORDER BY code`) as Promise<{ code: string; name: string }[]>,
      this.ds.query(`SELECT code, name FROM support_method ORDER BY code`) as Promise<{ code: string; name: string }[]>,
      this.ds.query(`SELECT catalog_code, code, name FROM catalog_field ORDER BY catalog_code, code`) as Promise<{ catalog_code: string; code: string; name: string }[]>,
      this.ds.query(`SELECT code, catalog_code, field_code FROM catalog_item`) as Promise<{ code: string; catalog_code: string; field_code: string }[]>,
    ]);
    const dept: Department[] = departments.map((d) => ({ id: d.id, code: d.code, name: d.name, shortName: d.short_name, role: d.linkage_role }));
    const fundList: Fund[] = funds.map((f) => ({ id: f.id, code: f.code, name: f.name, shortName: f.short_name, departmentId: f.department_id }));
    const subs: SubFund[] = subFunds.map((s) => ({ id: s.id, fundId: s.fund_id, number: s.number, code: s.code, name: s.name, categoryCode: s.category_code }));
    const fieldName = new Map(fields.map((f) => [`${f.catalog_code}/${f.code}`, f.name]));
    const itemField = new Map(items.map((i) => [i.code, fieldName.get(`${i.catalog_code}/${i.field_code}`) ?? i.field_code]));
    if (!place) throw new Error(`jurisdiction ${jurisdiction} does not exist`);
    return {
      jurisdiction: place,
      /** Names of every department, in scope or not (the other side of a cross-jurisdiction alert, a task's co-lead). */
      nameById: new Map(everyDepartment.map((d) => [d.id, d.name])),
      nameByCode: new Map(everyDepartment.map((d) => [d.code, d.name])),
      departments: dept,
      deptById: new Map(dept.map((d) => [d.id, d])),
      deptByCode: new Map(dept.map((d) => [d.code, d])),
      funds: fundList,
      fundById: new Map(fundList.map((f) => [f.id, f])),
      subFunds: subs,
      subById: new Map(subs.map((s) => [s.id, s])),
      categories,
      categoryName: new Map(categories.map((c) => [c.code, c.name])),
      methods,
      itemField,
      /** A sub-fund as 000's table writes it: "产业技术创新专项—企业技术中心、…" (the fund's short name first). */
      subFundName: (s: SubFund) => {
        const fund = fundList.find((f) => f.id === s.fundId);
        return !fund || s.name.startsWith(fund.shortName) ? s.name : `${fund.shortName}—${s.name}`;
      },
    };
  }

  // ---------------------------------------------------------------- projects as of the day

  /**
   * Projects as they stood at the cutoff: those of some funds and application years, or some projects
   * by id (the other side of an alert). A project's year, fund and department never change after
   * registration; its status, sub-fund, category, method and amounts are read back from its history.
   */
  private async projectStates(w: Window, which: { funds: string[]; fromYear: number; toYear: number } | { ids: string[] }): Promise<ProjectState[]> {
    if ('ids' in which && !which.ids.length) return [];
    const pr = 'ids' in which ? `SELECT unnest($1::uuid[]) AS id` : `SELECT id FROM project WHERE year BETWEEN $6 AND $7 AND fund_id = ANY($1::uuid[])`;
    const rows = (await this.ds.query(
      `WITH pr AS (${pr}),
       h AS (
         SELECT h.entity_id, h.seq, h.at, h.action, h.changes FROM history_entry h JOIN pr ON pr.id = h.entity_id
          WHERE h.entity_type = 'project' AND h.at < $2 AND h.action = ANY($4::text[])
       ),
       -- One pass, no join (a join of two aggregates is planned as a nested loop on fresh statistics).
       a AS (
         SELECT h.entity_id,
                min(h.at) FILTER (WHERE h.action = 'REGISTERED') AS registered_at,
                min(h.at) FILTER (WHERE k.key = 'status' AND (${VALUE}) #>> '{}' = ANY($5::text[])) AS approved_at,
                jsonb_object_agg(k.key, ${VALUE} ORDER BY h.seq) AS st
           FROM h CROSS JOIN unnest($3::text[]) AS k(key)
          WHERE h.changes ? k.key
          GROUP BY h.entity_id
       )
       SELECT entity_id AS id, registered_at, approved_at, st FROM a WHERE registered_at IS NOT NULL`,
      'ids' in which
        ? [which.ids, w.cutoff, STATE_KEYS, STATE_ACTIONS, APPROVED_STATUSES]
        : [which.funds, w.cutoff, STATE_KEYS, STATE_ACTIONS, APPROVED_STATUSES, which.fromYear, which.toYear],
    )) as { id: string; registered_at: Date; approved_at: Date | null; st: Record<string, unknown> }[];
    const paid = (await this.ds.query(
      `SELECT project_id, sum(amount_fen)::text AS fen FROM project_payment WHERE project_id = ANY($3::uuid[]) AND recorded_at < $1 AND paid_on <= $2::date GROUP BY project_id`,
      [w.cutoff, w.asOf, rows.map((r) => r.id)],
    )) as { project_id: string; fen: string }[];
    const paidBy = new Map(paid.map((p) => [p.project_id, BigInt(p.fen)]));
    const str = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
    // History writes money as yuan text ("123.45"), exactly as the registry formats it.
    const fen = (v: unknown): bigint | null => (str(v) === null ? null : yuanToFen('amount', String(v)));
    return rows.map((r): ProjectState => ({
      id: r.id,
      year: Number(r.st.year),
      status: String(r.st.status),
      departmentId: String(r.st.departmentId),
      fundId: String(r.st.fundId),
      subFundId: str(r.st.subFundId),
      categoryCode: str(r.st.categoryCode),
      supportMethodCode: str(r.st.supportMethodCode),
      catalogItemCode: str(r.st.catalogItemCode),
      requestedFen: fen(r.st.requestedYuan),
      approvedFen: fen(r.st.approvedYuan),
      registeredAt: new Date(r.registered_at),
      approvedAt: r.approved_at ? new Date(r.approved_at) : null,
      paidFen: paidBy.get(r.id) ?? 0n,
    }));
  }

  /** What happened in each month of the year to the funds' projects, whatever their application years: registrations, approvals, payments. */
  private async monthsOfYear(w: Window, funds: string[]): Promise<{ registered: number[]; approved: number[]; paidFen: bigint[] }> {
    const events = (await this.ds.query(
      `WITH h AS (
         SELECT h.entity_id, h.at, h.action, CASE WHEN h.action = 'REGISTERED' THEN h.changes ->> 'status' ELSE h.changes -> 'status' ->> 'after' END AS status
           FROM history_entry h JOIN project p ON p.id = h.entity_id
          WHERE h.entity_type = 'project' AND p.fund_id = ANY($1::uuid[]) AND h.at < $2 AND h.action = ANY($3::text[])
       )
       SELECT extract(month FROM min(at) FILTER (WHERE action = 'REGISTERED') AT TIME ZONE 'UTC')::int AS registered,
              extract(month FROM min(at) FILTER (WHERE status = ANY($4::text[])) AT TIME ZONE 'UTC')::int AS approved,
              min(at) FILTER (WHERE action = 'REGISTERED') >= $5 AS registered_in, min(at) FILTER (WHERE status = ANY($4::text[])) >= $5 AS approved_in
         FROM h GROUP BY entity_id`,
      [funds, w.end, STATE_ACTIONS, APPROVED_STATUSES, w.start],
    )) as { registered: number | null; approved: number | null; registered_in: boolean | null; approved_in: boolean | null }[];
    const last = w.end.getTime() === w.cutoff.getTime() ? w.asOf : `${w.year}-12-31`;
    const paid = (await this.ds.query(
      `SELECT extract(month FROM pp.paid_on)::int AS month, sum(pp.amount_fen)::text AS fen FROM project_payment pp JOIN project p ON p.id = pp.project_id
        WHERE p.fund_id = ANY($4::uuid[]) AND pp.recorded_at < $1 AND pp.paid_on BETWEEN $2::date AND $3::date GROUP BY 1`,
      [w.cutoff, `${w.year}-01-01`, last, funds],
    )) as { month: number; fen: string }[];
    const registered = Array<number>(12).fill(0);
    const approved = Array<number>(12).fill(0);
    for (const e of events) {
      if (e.registered_in && e.registered) registered[e.registered - 1]!++;
      if (e.approved_in && e.approved) approved[e.approved - 1]!++;
    }
    const paidFen = Array.from({ length: 12 }, (_, i) => BigInt(paid.find((p) => p.month === i + 1)?.fen ?? '0'));
    return { registered, approved, paidFen };
  }

  // ---------------------------------------------------------------- 1 overview

  private overviewSection(w: Window, ref: Ref, projects: ProjectState[], prev: Figures, cur: Figures, more: [string, number, number][]): Section {
    const funds: Table = {
      id: 'funds',
      title: '纳入联动的专项资金',
      columns: [text('专项'), text('主管部门'), int('子专项数'), int(`${w.year}年申报项目数`)],
      rows: ref.funds.map((f) => [f.name, ref.deptById.get(f.departmentId)?.name ?? '', ref.subFunds.filter((s) => s.fundId === f.id).length, projects.filter((p) => p.year === w.year && p.fundId === f.id).length]),
    };
    funds.total = totalRow(funds.columns, funds.rows);
    const departments: Table = {
      id: 'departments',
      title: '联动部门',
      columns: [text('部门代码'), text('部门'), text('联动角色')],
      rows: ref.departments.map((d) => [d.code, d.name, ROLE_NAMES[d.role] ?? d.role]),
    };
    const line = (label: string, a: number, b: number): Cell[] => [label, a, b, b - a, change(a, b)];
    const lineWan = (label: string, a: bigint, b: bigint): Cell[] => [label, wan(a), wan(b), Math.round((wan(b) - wan(a)) * 100) / 100, change(wan(a), wan(b))];
    const headline: Table = {
      id: 'headline',
      title: '主要指标及同比变化',
      columns: [text('指标'), int(`${w.year - 1}年`), int(`${w.year}年`), int('增减'), pct('增减幅度(%)')],
      rows: [line('申报项目(项)', prev.applications, cur.applications), line('立项项目(项)', prev.approved, cur.approved), ...more.map(([l, a, b]) => line(l, a, b))],
      note: `项目按申报年度统计,其余事项按发生年份统计,截至${w.asOf};上年数字按同一截止日计算。`,
    };
    const headlineMoney: Table = {
      id: 'headlineMoney',
      title: '资金指标及同比变化',
      columns: [text('指标'), money(`${w.year - 1}年(万元)`), money(`${w.year}年(万元)`), money('增减(万元)'), pct('增减幅度(%)')],
      rows: [lineWan('申请财政资金', prev.requestedFen, cur.requestedFen), lineWan('立项金额', prev.approvedFen, cur.approvedFen), lineWan('已拨付金额', prev.paidFen, cur.paidFen)],
      note: '金额单位万元,保留两位小数;立项金额为已立项项目的核定金额。',
    };
    const years = Array.from({ length: TREND_YEARS }, (_, i) => w.year - TREND_YEARS + 1 + i);
    const trend: Chart = {
      id: 'trend',
      kind: 'line',
      title: `近${TREND_YEARS}年申报与立项项目数`,
      unit: '项',
      labels: years.map((y) => `${y}`),
      series: [
        { name: '申报项目', values: years.map((y) => projects.filter((p) => p.year === y).length) },
        { name: '立项项目', values: years.map((y) => projects.filter((p) => p.year === y && p.approvedAt).length) },
      ],
    };
    return {
      key: 'overview',
      number: 1,
      title: '总体情况',
      sheet: '一、总体情况',
      paragraphs: [
        `${w.year}年,${ref.funds.length}个专项资金、${ref.subFunds.length}个子专项纳入部门联动管理,${ref.departments.filter((d) => d.role === 'LEADING' || d.role === 'PARTICIPATING').length}个部门参与联动。`,
        `截至${w.asOf},${w.year}年度共申报项目${cur.applications}项,立项${cur.approved}项,立项金额${wan(cur.approvedFen).toFixed(2)}万元,已拨付${wan(cur.paidFen).toFixed(2)}万元。`,
      ],
      tables: [headline, headlineMoney, funds, departments],
      charts: [trend],
    };
  }

  // ---------------------------------------------------------------- 2 projects and money

  private projectsSection(w: Window, ref: Ref, all: ProjectState[], ps: ProjectState[], months: { registered: number[]; approved: number[]; paidFen: bigint[] }): Section {
    const columns = [int('申报项目数'), int('立项项目数'), money('申请金额(万元)'), money('立项金额(万元)'), money('拨付金额(万元)')];
    const figures = (group: ProjectState[]): Cell[] => {
      const f = sumFigures(group);
      return [f.applications, f.approved, wan(f.requestedFen), wan(f.approvedFen), wan(f.paidFen)];
    };
    const by = (id: string, title: string, head: string, keys: { key: string | null; label: string }[], keyOf: (p: ProjectState) => string | null): Table => {
      const cols = [text(head), ...columns];
      const known = new Set(keys.map((k) => k.key));
      const rows = keys.map((k) => [k.label, ...figures(ps.filter((p) => keyOf(p) === k.key))]);
      const rest = ps.filter((p) => !known.has(keyOf(p)));
      if (rest.length) rows.push(['未填报', ...figures(rest)]);
      // The 合计 from exact fen, not from the rounded rows (which could be a cent of 万元 off).
      return { id, title, columns: cols, rows, total: ['合计', ...figures(ps)] };
    };
    const categoryOf = (p: ProjectState) => p.categoryCode ?? (p.subFundId ? ref.subById.get(p.subFundId)?.categoryCode ?? null : null);
    const fieldNames = [...new Set(ref.itemField.values())];
    const deptKeys = ref.departments.filter((d) => d.role === 'LEADING' || d.role === 'PARTICIPATING' || ps.some((p) => p.departmentId === d.id)).map((d) => ({ key: d.id, label: d.name }));
    const byDept = by('byDepartment', '按部门', '部门', deptKeys, (p) => p.departmentId);
    const subKeys = ref.subFunds.map((s) => ({ key: s.id, label: `${s.number}. ${ref.subFundName(s)}` }));
    const bySub = by('bySubFund', '按子专项', '子专项', subKeys, (p) => p.subFundId);
    const byCategory = by('byCategory', '按分类', '分类', ref.categories.map((c) => ({ key: c.code, label: c.name })), categoryOf);
    const byMethod = by('bySupportMethod', '按支持方式', '支持方式', ref.methods.map((m) => ({ key: m.code, label: m.name })), (p) => p.supportMethodCode);
    const byField = by('byField', '按关键技术领域', '关键技术领域', fieldNames.map((f) => ({ key: f, label: f })), (p) => (p.catalogItemCode ? ref.itemField.get(p.catalogItemCode) ?? null : null));
    byField.note = '领域取自关键技术目录条目;未使用目录的专项计入"未填报"。';

    const monthCols = [text('月份'), int('申报登记(项)'), int('立项(项)'), money('拨付金额(万元)')];
    const monthRows: Cell[][] = Array.from({ length: 12 }, (_, i) => [`${i + 1}月`, months.registered[i]!, months.approved[i]!, wan(months.paidFen[i]!)]);
    const byMonth: Table = {
      id: 'byMonth',
      title: `${w.year}年各月办理情况`,
      columns: monthCols,
      rows: monthRows,
      total: ['合计', months.registered.reduce((a, b) => a + b, 0), months.approved.reduce((a, b) => a + b, 0), wan(months.paidFen.reduce((a, b) => a + b, 0n))],
      note: '按登记、立项和拨付发生的月份统计,含各申报年度的项目;随申报导入时已立项的项目,立项月份为导入月份。',
    };

    const classification: Table = {
      id: 'classification',
      title: '专项资金分类表(000 附表)',
      columns: [int('序号'), text('子专项'), text('分类'), text('主管部门'), int('申报项目数'), int('立项项目数'), money('立项金额(万元)')],
      rows: ref.subFunds.map((s) => {
        const f = figures(ps.filter((p) => p.subFundId === s.id));
        const fund = ref.fundById.get(s.fundId);
        return [s.number, ref.subFundName(s), s.categoryCode ? ref.categoryName.get(s.categoryCode) ?? s.categoryCode : '', fund ? ref.deptById.get(fund.departmentId)?.shortName ?? '' : '', f[0]!, f[1]!, f[3]!];
      }),
    };
    const all10 = figures(ps.filter((p) => p.subFundId !== null && ref.subById.has(p.subFundId)));
    classification.total = [null, '合计', null, null, all10[0]!, all10[1]!, all10[3]!];

    const bars = (t: Table, id: string, title: string, cols: number[], names: string[], unit: string, kind: Chart['kind'] = 'bar'): Chart => ({
      id,
      kind,
      title,
      unit,
      labels: t.rows.map((r) => String(r[0])),
      series: cols.map((c, i) => ({ name: names[i]!, values: t.rows.map((r) => Number(r[c]) || 0) })),
    });
    const years = Array.from({ length: TREND_YEARS }, (_, i) => w.year - TREND_YEARS + 1 + i);
    const approvedTrend: Chart = {
      id: 'approvedTrend',
      kind: 'line',
      title: `近${TREND_YEARS}年立项金额`,
      unit: '万元',
      labels: years.map(String),
      series: [{ name: '立项金额', values: years.map((y) => wan(all.filter((p) => p.year === y && p.approvedAt).reduce((n, p) => n + (p.approvedFen ?? 0n), 0n))) }],
    };
    const total = figures(ps);
    return {
      key: 'projects',
      number: 2,
      title: '项目与资金',
      sheet: '二、项目与资金',
      paragraphs: [
        `${w.year}年度申报项目${total[0]}项,申请财政资金${Number(total[2]).toFixed(2)}万元;立项${total[1]}项,立项金额${Number(total[3]).toFixed(2)}万元;已拨付${Number(total[4]).toFixed(2)}万元。`,
        '"立项"指截至统计日已进入立项及其后阶段(实施、验收、结项)的项目;拨付按拨付日期统计。',
      ],
      tables: [byDept, classification, bySub, byCategory, byMethod, byField, byMonth],
      charts: [
        bars(byDept, 'departmentMoney', '各部门申请与立项金额', [3, 4], ['申请金额', '立项金额'], '万元'),
        bars(byCategory, 'categoryProjects', '各分类申报与立项项目数', [1, 2], ['申报项目', '立项项目'], '项'),
        approvedTrend,
        bars(byMonth, 'monthly', `${w.year}年各月登记与立项`, [1, 2], ['申报登记', '立项'], '项'),
      ],
    };
  }

  // ---------------------------------------------------------------- 3 duplicate funding

  private async duplicatesSection(w: Window, prev: Window, ref: Ref, projects: ProjectState[], ofYear: ProjectState[]) {
    // The alerts that concern a project of the jurisdiction's funds, raised by the day.
    const alerts = (await this.ds.query(
      `SELECT a.id, a.project_a, a.project_b FROM duplicate_alert a JOIN project pa ON pa.id = a.project_a JOIN project pb ON pb.id = a.project_b
        WHERE a.raised_at < $1 AND (pa.fund_id = ANY($2::uuid[]) OR pb.fund_id = ANY($2::uuid[]))`,
      [w.cutoff, ref.funds.map((f) => f.id)],
    )) as { id: string; project_a: string; project_b: string }[];
    const states = await this.entityStates('duplicate_alert', ['status', 'level'], w.cutoff, alerts.map((a) => a.id));
    // Both sides as they stood, the other side too when it is older than the years held or of another jurisdiction.
    const byId = new Map(projects.map((p) => [p.id, p]));
    const missing = [...new Set(alerts.flatMap((r) => [r.project_a, r.project_b]))].filter((id) => !byId.has(id));
    for (const p of await this.projectStates(w, { ids: missing })) byId.set(p.id, p);
    type A = { id: string; a: ProjectState; b: ProjectState; year: number; deptA: string; deptB: string; subs: (string | null)[]; status: string; level: string };
    const inScope: A[] = alerts.flatMap((r) => {
      const a = byId.get(r.project_a);
      const b = byId.get(r.project_b);
      if (!a || !b) return [];
      const st = states.get(r.id) ?? {};
      return [{ id: r.id, a, b, year: Math.max(a.year, b.year), deptA: a.departmentId, deptB: b.departmentId, subs: [a.subFundId, b.subFundId], status: String(st.status ?? 'open'), level: String(st.level ?? 'possible') }];
    });
    const cur = inScope.filter((x) => x.year === w.year);
    const scans = (await this.ds.query(
      `SELECT count(*) FILTER (WHERE finished_at >= $1 AND finished_at < $2)::int AS cur, count(*) FILTER (WHERE finished_at >= $3 AND finished_at < $4)::int AS prev
         FROM job_run WHERE name = $5 AND status = 'completed'`,
      [w.start, w.end, prev.start, prev.end, JobName.ScanDuplicates],
    )) as { cur: number; prev: number }[];
    const count = (xs: A[], f: (x: A) => boolean) => xs.filter(f).length;
    const STATUS = [
      ['open', '待核查'],
      ['confirmed', '确认重复'],
      ['dismissed_related', '关联但不重复'],
      ['dismissed_distinct', '不同项目'],
    ] as const;
    const summary: Table = {
      id: 'summary',
      title: '查重与预警处理情况',
      columns: [text('项目'), int('数量')],
      rows: [
        ['登记时查重的项目(项)', ofYear.length],
        ['批量查重扫描(次)', scans[0]?.cur ?? 0],
        ['预警总数(条)', cur.length],
        ['其中:高度疑似(条)', count(cur, (x) => x.level === 'likely')],
        ['其中:可能重复(条)', count(cur, (x) => x.level === 'possible')],
        ...STATUS.map(([s, name]): Cell[] => [`${name}(条)`, count(cur, (x) => x.status === s)]),
      ],
      note: '预警按所涉项目中较晚的申报年度归年;状态为截至统计日的核查结论。每个申报项目在登记时均与全库比对。',
    };
    // Money the confirmed duplicates concerned: the later project of each confirmed pair, counted once.
    const avoided = new Map<string, ProjectState>();
    for (const x of cur.filter((x) => x.status === 'confirmed')) {
      const later = [x.a, x.b].sort((p, q) => q.year - p.year || q.registeredAt.getTime() - p.registeredAt.getTime())[0]!;
      avoided.set(later.id, later);
    }
    const avoidedFen = [...avoided.values()].reduce((n, p) => n + (p.approvedAt ? (p.approvedFen ?? 0n) : (p.requestedFen ?? 0n)), 0n);
    summary.rows.push(['确认重复涉及项目(项)', avoided.size], ['确认重复涉及金额(万元)', wan(avoidedFen)]);

    const deptName = (id: string) => ref.nameById.get(id) ?? id;
    const deptRows: Cell[][] = ref.departments
      .map((d) => {
        const mine = cur.filter((x) => x.deptA === d.id || x.deptB === d.id);
        return [d.name, mine.length, count(mine, (x) => x.deptA !== x.deptB), count(mine, (x) => x.level === 'likely'), count(mine, (x) => x.status === 'confirmed'), count(mine, (x) => x.status === 'open')];
      })
      .filter((r) => Number(r[1]) > 0);
    const byDept: Table = { id: 'byDepartment', title: '各部门涉及的预警', columns: [text('部门'), int('预警'), int('跨部门'), int('高度疑似'), int('确认重复'), int('待核查')], rows: deptRows, note: '跨部门预警同时计入双方部门。' };
    const pairs = new Map<string, A[]>();
    for (const x of cur) {
      const names = [deptName(x.deptA), deptName(x.deptB)].sort();
      const k = names[0] === names[1] ? names[0]! : `${names[0]} — ${names[1]}`;
      pairs.set(k, [...(pairs.get(k) ?? []), x]);
    }
    const pairRows = [...pairs.entries()].sort((p, q) => q[1].length - p[1].length || p[0].localeCompare(q[0])).map(([k, xs]): Cell[] => [k, xs.length, count(xs, (x) => x.level === 'likely'), count(xs, (x) => x.status === 'confirmed')]);
    const byPair: Table = { id: 'byDepartmentPair', title: '预警集中的部门组合', columns: [text('部门组合'), int('预警'), int('高度疑似'), int('确认重复')], rows: pairRows };
    const subRows = ref.subFunds
      .map((s): Cell[] => {
        const mine = cur.filter((x) => x.subs.includes(s.id));
        return [`${s.number}. ${ref.subFundName(s)}`, mine.length, count(mine, (x) => x.status === 'confirmed')];
      })
      .filter((r) => Number(r[1]) > 0);
    const bySub: Table = { id: 'bySubFund', title: '预警集中的子专项', columns: [text('子专项'), int('预警'), int('确认重复')], rows: subRows };
    const prevAll = inScope.filter((x) => x.year === w.year - 1);
    return {
      headline: { prev: prevAll.length, cur: cur.length, prevConfirmed: count(prevAll, (x) => x.status === 'confirmed'), curConfirmed: count(cur, (x) => x.status === 'confirmed') },
      section: {
        key: 'duplicates',
        number: 3,
        title: '重复支持核查',
        sheet: '三、重复支持核查',
        paragraphs: [
          `${w.year}年度申报的${ofYear.length}个项目在登记时均与全库比对,另进行批量查重扫描${scans[0]?.cur ?? 0}次,共产生预警${cur.length}条,其中高度疑似${count(cur, (x) => x.level === 'likely')}条。`,
          `经核查确认重复${count(cur, (x) => x.status === 'confirmed')}条,涉及金额${wan(avoidedFen).toFixed(2)}万元;认定关联但不重复${count(cur, (x) => x.status === 'dismissed_related')}条,不同项目${count(cur, (x) => x.status === 'dismissed_distinct')}条,尚待核查${count(cur, (x) => x.status === 'open')}条。`,
        ],
        tables: [summary, byDept, byPair, bySub],
        charts: [
          {
            id: 'alertsByDepartment',
            kind: 'stacked',
            title: '各部门预警核查结论',
            unit: '条',
            labels: deptRows.map((r) => String(r[0])),
            series: STATUS.map(([s, name]) => ({ name, values: ref.departments.filter((d) => deptRows.some((r) => r[0] === d.name)).map((d) => count(cur, (x) => (x.deptA === d.id || x.deptB === d.id) && x.status === s)) })),
          },
        ],
      } satisfies Section,
    };
  }

  /** The latest value of some keys of an entity's history, as of a moment (snapshots plain, diffs as before/after). */
  private async entityStates(entityType: string, keys: string[], cutoff: Date, ids: string[]): Promise<Map<string, Record<string, unknown>>> {
    if (!ids.length) return new Map();
    const rows = (await this.ds.query(
      `SELECT h.entity_id, jsonb_object_agg(k.key, ${VALUE} ORDER BY h.seq) AS st
         FROM history_entry h CROSS JOIN unnest($2::text[]) AS k(key)
        WHERE h.entity_type = $1 AND h.entity_id = ANY($4::uuid[]) AND h.at < $3 AND h.changes ? k.key
        GROUP BY h.entity_id`,
      [entityType, keys, cutoff, ids],
    )) as { entity_id: string; st: Record<string, unknown> }[];
    return new Map(rows.map((r) => [r.entity_id, r.st]));
  }

  // ---------------------------------------------------------------- 4 credit

  private async creditSection(w: Window, prev: Window, ref: Ref) {
    const commitments = (await this.ds.query(
      `SELECT department_id, count(*)::int AS n FROM credit_commitment WHERE recorded_at >= $1 AND recorded_at < $2 AND department_id = ANY($3::uuid[]) GROUP BY department_id`,
      [w.start, w.end, ref.departments.map((d) => d.id)],
    )) as { department_id: string; n: number }[];
    const reviews = (await this.ds.query(
      `SELECT r.project_id, r.trigger, r.outcome, r.override_at, p.department_id FROM credit_review r JOIN project p ON p.id = r.project_id WHERE r.at >= $1 AND r.at < $2 AND p.department_id = ANY($3::uuid[])`,
      [w.start, w.end, ref.departments.map((d) => d.id)],
    )) as { project_id: string; trigger: string; outcome: string; override_at: Date | null; department_id: string }[];
    const records = (await this.ds.query(
      `SELECT id, department_id, behaviour, severity, created_at, effective_date::text AS effective_date, restriction_months, indefinite
         FROM credit_record WHERE created_at < $1 AND department_id = ANY($2::uuid[])`,
      [w.cutoff, ref.departments.map((d) => d.id)],
    )) as { id: string; department_id: string; behaviour: string; severity: string; created_at: Date; effective_date: string; restriction_months: number | null; indefinite: boolean }[];
    const statusChanges = (await this.ds.query(
      `SELECT entity_id, at, changes -> 'status' ->> 'after' AS status FROM history_entry
        WHERE entity_type = 'credit_record' AND at >= $1 AND at < $2 AND action <> 'CREATED' AND changes ? 'status'`,
      [w.start, w.end],
    )) as { entity_id: string; at: Date; status: string }[];
    const states = await this.entityStates('credit_record', ['status'], w.cutoff, records.map((r) => r.id));
    const endDay = new Date(w.end.getTime() - 1).toISOString().slice(0, 10);
    const addedIn = (win: Window) => records.filter((r) => inWindow(win, new Date(r.created_at)));
    const added = addedIn(w);
    // Expired in the year: the last day of the restriction fell in it (up to the day), and the record was neither revoked nor repaired.
    const expired = records.filter((r) => {
      const e = restrictionEnd({ effectiveDate: r.effective_date, restrictionMonths: r.restriction_months, indefinite: r.indefinite });
      const st = String(states.get(r.id)?.status ?? 'active');
      return e !== null && e >= `${w.year}-01-01` && e <= endDay && st !== 'revoked' && st !== 'repaired';
    });
    const inScope = new Set(records.map((r) => r.id));
    const changedTo = (s: string) => new Set(statusChanges.filter((c) => c.status === s && inScope.has(c.entity_id)).map((c) => c.entity_id));
    const repaired = changedTo('repaired');
    const revoked = changedTo('revoked');
    const blockedProjects = new Set(reviews.filter((r) => r.outcome === 'block').map((r) => r.project_id));
    const overridden = new Set(reviews.filter((r) => r.outcome === 'block' && r.override_at && new Date(r.override_at) < w.cutoff).map((r) => r.project_id));
    const n = (xs: unknown[]) => xs.length;

    const summary: Table = {
      id: 'summary',
      title: '信用管理情况',
      columns: [text('项目'), int('数量')],
      rows: [
        ['签署信用承诺(份)', commitments.reduce((s, c) => s + c.n, 0)],
        ['信用审查(次)', n(reviews)],
        ['其中:通过', n(reviews.filter((r) => r.outcome === 'pass'))],
        ['其中:提示', n(reviews.filter((r) => r.outcome === 'warn'))],
        ['其中:阻止', n(reviews.filter((r) => r.outcome === 'block'))],
        ['被阻止的申报项目(项)', blockedProjects.size],
        ['其中:经牵头部门决定放行(项)', overridden.size],
        ['新增失信记录(条)', n(added)],
        ['其中:严重失信', n(added.filter((r) => r.severity === 'serious'))],
        ['期满失效(条)', n(expired)],
        ['信用修复(条)', repaired.size],
        ['撤销(条)', revoked.size],
      ],
      note: '审查包括申报登记、批量导入、立项前、拨付前、每日复核和按需复核;期满失效按限制期届满日统计。',
    };
    const triggers = [...new Set(reviews.map((r) => r.trigger))].sort();
    const byTrigger: Table = {
      id: 'reviewsByTrigger',
      title: '信用审查结果(按审查环节)',
      columns: [text('审查环节'), int('通过'), int('提示'), int('阻止'), int('合计')],
      rows: triggers.map((t) => {
        const mine = reviews.filter((r) => r.trigger === t);
        return [TRIGGER_NAMES[t] ?? t, n(mine.filter((r) => r.outcome === 'pass')), n(mine.filter((r) => r.outcome === 'warn')), n(mine.filter((r) => r.outcome === 'block')), n(mine)];
      }),
    };
    byTrigger.total = totalRow(byTrigger.columns, byTrigger.rows);
    const byDept: Table = {
      id: 'byDepartment',
      title: '各部门信用管理情况',
      columns: [text('部门'), int('信用承诺'), int('信用审查'), int('提示'), int('阻止'), int('新增失信记录'), int('信用修复')],
      rows: ref.departments
        .map((d): Cell[] => {
          const rv = reviews.filter((r) => r.department_id === d.id);
          return [d.name, commitments.find((c) => c.department_id === d.id)?.n ?? 0, n(rv), n(rv.filter((r) => r.outcome === 'warn')), n(rv.filter((r) => r.outcome === 'block')), n(added.filter((r) => r.department_id === d.id)), records.filter((r) => r.department_id === d.id && repaired.has(r.id)).length];
        })
        .filter((r) => r.slice(1).some((v) => Number(v) > 0)),
      note: '审查按项目的主管部门统计;失信记录按作出决定的部门统计。',
    };
    byDept.total = totalRow(byDept.columns, byDept.rows);
    const prevAdded = addedIn(prev).length;
    return {
      headline: { prev: prevAdded, cur: added.length },
      section: {
        key: 'credit',
        number: 4,
        title: '信用管理',
        sheet: '四、信用管理',
        paragraphs: [
          `${w.year}年签署信用承诺${summary.rows[0]![1]}份,开展信用审查${n(reviews)}次,其中提示${n(reviews.filter((r) => r.outcome === 'warn'))}次、阻止${n(reviews.filter((r) => r.outcome === 'block'))}次,涉及被阻止的申报项目${blockedProjects.size}项。`,
          `新增失信记录${n(added)}条,期满失效${n(expired)}条,信用修复${repaired.size}条。`,
        ],
        tables: [summary, byTrigger, byDept],
        charts: [
          {
            id: 'reviewOutcomes',
            kind: 'stacked',
            title: '各审查环节的审查结果',
            unit: '次',
            labels: byTrigger.rows.map((r) => String(r[0])),
            series: [
              { name: '通过', values: byTrigger.rows.map((r) => Number(r[1])) },
              { name: '提示', values: byTrigger.rows.map((r) => Number(r[2])) },
              { name: '阻止', values: byTrigger.rows.map((r) => Number(r[3])) },
            ],
          },
        ],
      } satisfies Section,
    };
  }

  // ---------------------------------------------------------------- 5 consultation

  private async consultationSection(w: Window, prev: Window, ref: Ref) {
    const meetings = (await this.ds.query(
      `SELECT m.id, m.kind,
              (SELECT min(at) FROM history_entry h WHERE h.entity_type = 'meeting' AND h.entity_id = m.id AND h.action = 'CONVENED') AS convened_at,
              (SELECT min(at) FROM history_entry h WHERE h.entity_type = 'meeting' AND h.entity_id = m.id AND h.action = 'HELD') AS held_at,
              (SELECT min(at) FROM history_entry h WHERE h.entity_type = 'meeting' AND h.entity_id = m.id AND h.action = 'MINUTES_APPROVED') AS approved_at
         FROM meeting m WHERE m.created_at < $1 AND m.convened_by = ANY($2::uuid[])`,
      [w.cutoff, ref.departments.map((d) => d.id)],
    )) as { id: string; kind: string; convened_at: Date | null; held_at: Date | null; approved_at: Date | null }[];
    const at = (d: Date | null) => (d ? new Date(d) : null);
    const items = (await this.ds.query(
      `SELECT i.meeting_id, i.kind, i.decision, i.division, i.decided_at FROM agenda_item i WHERE i.decided_at IS NOT NULL AND i.decided_at < $1`,
      [w.cutoff],
    )) as { meeting_id: string; kind: string; decision: string; division: string | null; decided_at: Date }[];
    const approvedIn = new Map(meetings.map((m) => [m.id, at(m.approved_at)]));
    // A decision counts once its minutes are approved, in the year the minutes were approved.
    const decided = items.filter((i) => inWindow(w, approvedIn.get(i.meeting_id) ?? null));
    const kinds = Object.keys(KIND_NAMES);
    const n = (xs: unknown[]) => xs.length;
    const byKind: Table = {
      id: 'meetingsByKind',
      title: '会商会议(按类型)',
      columns: [text('会议类型'), int('召集'), int('召开'), int('纪要通过'), int('议题决定')],
      rows: kinds.map((k) => {
        const mine = meetings.filter((m) => m.kind === k);
        return [KIND_NAMES[k]!, n(mine.filter((m) => inWindow(w, at(m.convened_at)))), n(mine.filter((m) => inWindow(w, at(m.held_at)))), n(mine.filter((m) => inWindow(w, at(m.approved_at)))), n(decided.filter((i) => mine.some((m) => m.id === i.meeting_id)))];
      }),
    };
    byKind.total = totalRow(byKind.columns, byKind.rows);
    const decisions = Object.keys(DECISION_NAMES);
    const itemKinds: [string, string][] = [['project', '项目'], ['duplicate_alert', '重复预警'], ['credit_review', '信用审查'], ['fund_proposal', '专项设立'], ['guideline', '指南'], ['other', '其他']];
    const byOutcome: Table = {
      id: 'itemsByDecision',
      title: '会商议题决定(按结论)',
      columns: [text('决定'), ...itemKinds.map(([, name]) => int(name)), int('合计')],
      rows: decisions.map((d) => {
        const mine = decided.filter((i) => i.decision === d);
        return [DECISION_NAMES[d]!, ...itemKinds.map(([k]) => n(mine.filter((i) => i.kind === k))), n(mine)];
      }),
    };
    byOutcome.total = totalRow(byOutcome.columns, byOutcome.rows);

    const proposals = (await this.ds.query(`SELECT id, created_at FROM fund_proposal WHERE created_at >= $1 AND created_at < $2 AND department_id = ANY($3::uuid[])`, [w.start, w.end, ref.departments.map((d) => d.id)])) as { id: string; created_at: Date }[];
    const proposalActions = (await this.ds.query(
      `SELECT DISTINCT ON (entity_id) entity_id, action FROM history_entry WHERE entity_type = 'fund_proposal' AND entity_id = ANY($1::uuid[]) AND at < $2 ORDER BY entity_id, seq DESC`,
      [proposals.map((p) => p.id), w.cutoff],
    )) as { entity_id: string; action: string }[];
    const statusOf: Record<string, string> = { PROPOSED: 'proposed', APPROVED_BY_MEETING: 'approved', REJECTED_BY_MEETING: 'rejected', ESTABLISHED: 'sent_to_leading_group' };
    const fate = proposalActions.map((a) => statusOf[a.action] ?? 'proposed');
    const proposalTable: Table = {
      id: 'fundProposals',
      title: '新设专项资金提议',
      columns: [text('状态'), int('提议数')],
      rows: ['proposed', 'approved', 'rejected', 'sent_to_leading_group'].map((s) => [PROPOSAL_NAMES[s]!, fate.filter((f) => f === s).length]),
    };
    proposalTable.total = totalRow(proposalTable.columns, proposalTable.rows);
    const guidelineItems = decided.filter((i) => i.kind === 'guideline');
    const guidelines: Table = {
      id: 'guidelineOverlaps',
      title: '指南编制会商',
      columns: [text('项目'), int('数量')],
      rows: [
        ['会商的指南交叉方向(项)', n(guidelineItems)],
        ['已明确分工(项)', n(guidelineItems.filter((i) => i.division && i.division.trim()))],
      ],
    };
    const held = (win: Window) => meetings.filter((m) => inWindow(win, at(m.held_at))).length;
    return {
      headline: { prev: held(prev), cur: held(w) },
      section: {
        key: 'consultation',
        number: 5,
        title: '会商协调',
        sheet: '五、会商协调',
        paragraphs: [
          `${w.year}年召开会商会议${held(w)}次,通过会议纪要${n(meetings.filter((m) => inWindow(w, at(m.approved_at))))}份,作出议题决定${n(decided)}项。`,
          `新提议设立专项资金${proposals.length}项;指南编制会商涉及交叉方向${n(guidelineItems)}项,已明确分工${n(guidelineItems.filter((i) => i.division && i.division.trim()))}项。会商决定不代替各部门按各自规定作出的立项决定。`,
        ],
        tables: [byKind, byOutcome, proposalTable, guidelines],
        charts: [
          { id: 'meetingsByKind', kind: 'bar', title: '各类会商会议召开次数', unit: '次', labels: byKind.rows.map((r) => String(r[0])), series: [{ name: '召开', values: byKind.rows.map((r) => Number(r[2])) }] },
          { id: 'decisions', kind: 'bar', title: '议题决定结论', unit: '项', labels: byOutcome.rows.map((r) => String(r[0])), series: [{ name: '议题', values: byOutcome.rows.map((r) => Number(r[r.length - 1])) }] },
        ],
      } satisfies Section,
    };
  }

  // ---------------------------------------------------------------- 6 tasks

  private async tasksSection(w: Window, ref: Ref): Promise<Section> {
    const tasks = (await this.ds.query(
      `SELECT t.id, t.number, t.lead_codes, t.deadline_kind, t.due_date::text AS due_date,
              (SELECT min(at) FROM follow_up_progress p WHERE p.task_id = t.id AND p.kind = 'done' AND p.at < $1) AS done_at,
              (SELECT min(at) FROM follow_up_progress p WHERE p.task_id = t.id AND p.kind = 'cancelled' AND p.at < $1) AS cancelled_at
         FROM follow_up_task t WHERE t.created_at < $1 AND t.lead_codes && $2::text[]`,
      [w.cutoff, ref.departments.map((d) => d.code)],
    )) as { id: string; number: string; lead_codes: string[]; deadline_kind: string; due_date: string | null; done_at: Date | null; cancelled_at: Date | null }[];
    type Class = 'doneOnTime' | 'doneLate' | 'open' | 'overdue' | 'ongoing' | 'cancelled';
    const classify = (t: (typeof tasks)[number]): Class => {
      if (t.cancelled_at) return 'cancelled';
      if (t.done_at) return !t.due_date || new Date(t.done_at).toISOString().slice(0, 10) <= t.due_date ? 'doneOnTime' : 'doneLate';
      if (!t.due_date) return 'ongoing';
      return t.due_date < w.asOf ? 'overdue' : 'open';
    };
    const classes: [Class, string][] = [['doneOnTime', '按期完成'], ['doneLate', '逾期完成'], ['open', '未到期'], ['ongoing', '持续推进'], ['overdue', '逾期未完成'], ['cancelled', '已取消']];
    const codes = [...new Set(tasks.flatMap((t) => t.lead_codes))].sort((a, b) => {
      const ia = ref.departments.findIndex((d) => d.code === a);
      const ib = ref.departments.findIndex((d) => d.code === b);
      return (ia < 0 ? 999 : ia) - (ib < 0 ? 999 : ib) || a.localeCompare(b);
    });
    const columns = [text('牵头部门'), int('任务数'), ...classes.map(([, name]) => int(name))];
    const rows = codes.map((c): Cell[] => {
      const mine = tasks.filter((t) => t.lead_codes.includes(c));
      return [ref.nameByCode.get(c) ?? c, mine.length, ...classes.map(([k]) => mine.filter((t) => classify(t) === k).length)];
    });
    const byDept: Table = { id: 'byDepartment', title: '督办任务完成情况(按牵头部门)', columns, rows, note: '多个牵头部门的任务分别计入各牵头部门;截至统计日的累计情况。' };
    const overall = classes.map(([k, name]): Cell[] => [name, tasks.filter((t) => classify(t) === k).length]);
    const summary: Table = { id: 'summary', title: '督办任务总体情况', columns: [text('状态'), int('任务数')], rows: overall };
    summary.total = totalRow(summary.columns, summary.rows);
    const overdue = tasks.filter((t) => classify(t) === 'overdue');
    return {
      key: 'tasks',
      number: 6,
      title: '督办任务',
      sheet: '六、督办任务',
      paragraphs: [
        `截至${w.asOf},共有督办任务${tasks.length}项,其中按期完成${overall[0]![1]}项、逾期完成${overall[1]![1]}项、逾期未完成${overdue.length}项、持续推进${overall[3]![1]}项。`,
        overdue.length ? `逾期未完成的任务:${overdue.map((t) => t.number).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).join('、')}。` : '没有逾期未完成的任务。',
      ],
      tables: [summary, byDept],
      charts: [{ id: 'tasksByDepartment', kind: 'stacked', title: '各牵头部门督办任务状态', unit: '项', labels: rows.map((r) => String(r[0])), series: classes.map(([, name], i) => ({ name, values: rows.map((r) => Number(r[2 + i])) })) }],
    };
  }

  // ---------------------------------------------------------------- 7 data quality

  private async qualitySection(w: Window, ref: Ref, ofYear: ProjectState[]): Promise<Section> {
    const imports = (await this.ds.query(
      `SELECT result -> 'byDepartment' AS by FROM job_run WHERE name = $1 AND status = 'completed' AND finished_at >= $2 AND finished_at < $3`,
      [JobName.ImportProjects, w.start, w.end],
    )) as { by: Record<string, { created?: number; updated?: number; unchanged?: number; failed?: number }> | null }[];
    const unlinked = (await this.ds.query(
      `SELECT department_id, count(*)::int AS n FROM unlinked_record WHERE reported_at < $1 AND (resolved_at IS NULL OR resolved_at >= $1) GROUP BY department_id`,
      [w.cutoff],
    )) as { department_id: string; n: number }[];
    const unverified = (await this.ds.query(
      `SELECT p.id, o.uscc_status, o.uscc IS NULL AS no_code FROM project p JOIN organisation o ON o.id = p.organisation_id WHERE p.id = ANY($1::uuid[])`,
      [ofYear.map((p) => p.id)],
    )) as { id: string; uscc_status: string | null; no_code: boolean }[];
    const orgState = new Map(unverified.map((u) => [u.id, u]));
    const columns = [text('部门'), int('导入批次'), int('新增'), int('更新'), int('未变'), int('失败行'), int('未关联记录'), int(`${w.year}年项目`), int('信用代码未核验'), int('无信用代码'), int('已立项未填核定金额')];
    const rows = ref.departments
      .map((d): Cell[] => {
        const mine = imports.map((i) => i.by?.[d.code]).filter((x): x is NonNullable<typeof x> => Boolean(x));
        const sum = (k: 'created' | 'updated' | 'unchanged' | 'failed') => mine.reduce((n, x) => n + (x[k] ?? 0), 0);
        const ps = ofYear.filter((p) => p.departmentId === d.id);
        return [d.name, mine.length, sum('created'), sum('updated'), sum('unchanged'), sum('failed'), unlinked.find((u) => u.department_id === d.id)?.n ?? 0, ps.length, ps.filter((p) => orgState.get(p.id)?.uscc_status === 'unverified').length, ps.filter((p) => orgState.get(p.id)?.no_code).length, ps.filter((p) => p.approvedAt && p.approvedFen === null).length];
      })
      .filter((r) => r.slice(1).some((v) => Number(v) > 0));
    const table: Table = { id: 'byDepartment', title: '各部门数据对接质量', columns, rows, note: '导入按完成时间统计;未关联记录为截至统计日尚未解决的部门记录;信用代码状态为当前登记状态。' };
    table.total = totalRow(columns, rows);
    const t = table.total;
    return {
      key: 'quality',
      number: 7,
      title: '数据质量',
      sheet: '七、数据质量',
      paragraphs: [
        `${w.year}年各部门系统导入${t[1]}批次,新增项目${t[2]}项、更新${t[3]}项,失败${t[5]}行;尚未关联的部门记录${t[6]}条。`,
        `${w.year}年度项目中,承担单位信用代码未通过校验的${t[8]}项,未填报信用代码的${t[9]}项;已立项但未填核定金额的${t[10]}项(其立项金额按零计)。`,
      ],
      tables: [table],
      charts: [
        {
          id: 'qualityByDepartment',
          kind: 'bar',
          title: '各部门导入失败行与未关联记录',
          unit: '条',
          labels: rows.map((r) => String(r[0])),
          series: [
            { name: '失败行', values: rows.map((r) => Number(r[5])) },
            { name: '未关联记录', values: rows.map((r) => Number(r[6])) },
          ],
        },
      ],
    };
  }
}
