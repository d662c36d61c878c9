import { Args, Context, Field, Float, ID, InputType, Int, Mutation, ObjectType, Parent, Query, ResolveField, Resolver, registerEnumType } from '@nestjs/graphql';
import { ApiRole } from '#identity';
import { DedupService, type AlertStatus, type DuplicateAlert, type DuplicateCandidate, type IndexedProject } from '#dedup';
import { HistoryService } from '#history';
import { ReferenceService } from '#reference';
import { RegistryService, fenToYuan, yuanToFen } from '#registry';
import { ForbiddenError, ValidationError } from '#shared/core/index.js';
import { JobName, QueueService } from '#shared/queue/index.js';
import { RequireRole } from '../graphql/auth.guard.js';
import { departmentCaller, type RequestContext } from '../graphql/request-context.js';
import { JobObject, toJobObject } from '../jobs/jobs.resolver.js';
import { HistoryEntryObject, ProjectObject } from '../registry/registry.objects.js';

export enum DuplicateLevel {
  likely = 'likely',
  possible = 'possible',
}
registerEnumType(DuplicateLevel, { name: 'DuplicateLevel', description: '疑似程度 / how strong the evidence is: likely (高度疑似) or possible (可能)' });

export enum DuplicateAlertStatus {
  open = 'open',
  confirmed = 'confirmed',
  dismissed_related = 'dismissed_related',
  dismissed_distinct = 'dismissed_distinct',
}
registerEnumType(DuplicateAlertStatus, {
  name: 'DuplicateAlertStatus',
  description: 'open 待处理 / confirmed 确认重复 / dismissed_related 相关但合规(如后续资助) / dismissed_distinct 不同项目',
});

@ObjectType('DuplicateEvidence', { description: '一项比对依据 / One piece of evidence: which field, how it matched, and its weight' })
export class DuplicateEvidenceObject {
  @Field({ description: 'uscc / organisation / leader / title / year / amount …' }) field!: string;
  @Field(() => Float, { description: '权重(正为支持重复,负为反对) / weight: positive for, negative against' }) weight!: number;
  @Field({ description: '说明 / what matched, with the normalised forms' }) detail!: string;
}

@ObjectType('DuplicateProject', { description: '比对中的项目(检测所用字段) / A project as the detector compared it' })
export class DuplicateProjectObject {
  @Field({ description: '统一项目编码 / unified code' }) code!: string;
  @Field({ description: '主管部门代码 / department code' }) departmentCode!: string;
  @Field(() => String, { nullable: true, description: '子专项 / sub-fund' }) subFund!: string | null;
  @Field(() => Int, { nullable: true }) year!: number | null;
  @Field() title!: string;
  @Field({ description: '承担单位 / organisation' }) organisation!: string;
  @Field(() => String, { nullable: true, description: '统一社会信用代码 / credit code' }) uscc!: string | null;
  @Field(() => String, { nullable: true, description: '项目负责人 / leader' }) leader!: string | null;
  @Field(() => String, { nullable: true, description: '金额(元) / amount in yuan (approved, else requested)' }) amountYuan!: string | null;
  @Field(() => String, { nullable: true }) startDate!: string | null;
  @Field(() => String, { nullable: true }) endDate!: string | null;
}

@ObjectType('DuplicateCandidate', { description: '疑似重复的项目 / A project that may be the same as the one checked' })
export class DuplicateCandidateObject {
  @Field(() => DuplicateProjectObject) project!: DuplicateProjectObject;
  @Field(() => Float, { description: '得分(越高越可能重复) / score, higher is more likely the same project' }) score!: number;
  @Field(() => DuplicateLevel) level!: DuplicateLevel;
  @Field(() => [DuplicateEvidenceObject], { description: '依据 / the reasons' }) evidence!: DuplicateEvidenceObject[];
}

@ObjectType('DuplicateAlert', { description: '重复资助预警(每对项目一条) / A duplicate-funding alert, one per pair of projects' })
export class DuplicateAlertObject {
  @Field(() => ID) id!: string;
  @Field(() => DuplicateProjectObject) projectA!: DuplicateProjectObject;
  @Field(() => DuplicateProjectObject) projectB!: DuplicateProjectObject;
  @Field(() => Float) score!: number;
  @Field(() => DuplicateLevel) level!: DuplicateLevel;
  @Field(() => [DuplicateEvidenceObject]) evidence!: DuplicateEvidenceObject[];
  @Field(() => DuplicateAlertStatus) status!: DuplicateAlertStatus;
  @Field({ description: '处理意见 / the reviewer\'s reason' }) statusReason!: string;
  @Field(() => String, { nullable: true, description: '处理部门 / department that decided' }) decidedBy!: string | null;
  @Field(() => Date, { nullable: true }) decidedAt!: Date | null;
  @Field({ description: '首次预警时间 / first raised' }) raisedAt!: Date;
  @Field({ description: '最近评分时间 / last scored' }) scoredAt!: Date;
}

@ObjectType('DuplicateAlertEdge')
export class DuplicateAlertEdgeObject {
  @Field() cursor!: string;
  @Field(() => DuplicateAlertObject) node!: DuplicateAlertObject;
}

@ObjectType('DuplicateAlertPageInfo')
export class DuplicateAlertPageInfoObject {
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType('DuplicateAlertConnection', { description: '预警列表(按得分从高到低) / Alerts, highest score first' })
export class DuplicateAlertConnectionObject {
  @Field(() => Int) totalCount!: number;
  @Field(() => [DuplicateAlertEdgeObject]) edges!: DuplicateAlertEdgeObject[];
  @Field(() => DuplicateAlertPageInfoObject) pageInfo!: DuplicateAlertPageInfoObject;
}

@ObjectType('FundOverlap', { description: '拟设专项与现有专项的重叠 / An existing fund or sub-fund a proposed fund overlaps' })
export class FundOverlapObject {
  @Field({ description: 'fund 专项 / subFund 子专项' }) kind!: string;
  @Field() fundCode!: string;
  @Field(() => String, { nullable: true }) subFundCode!: string | null;
  @Field({ description: '主管部门代码 / department code' }) departmentCode!: string;
  @Field() name!: string;
  @Field(() => Float, { description: '相似度 0–1 / similarity of the distinctive terms' }) similarity!: number;
  @Field({ description: 'overlap 重叠 / related 相关' }) level!: string;
  @Field(() => [String], { description: '共同的关键词语 / phrases both contain' }) sharedTerms!: string[];
}

@InputType('DuplicateCheckOrganisationInput')
export class DuplicateCheckOrganisationInput {
  @Field({ description: '单位名称 / name' }) name!: string;
  @Field(() => String, { nullable: true, description: '统一社会信用代码 / credit code' }) uscc?: string | null;
}

@InputType('DuplicateCheckInput', { description: '待查项目(尚未登记) / A draft project to check before registering it' })
export class DuplicateCheckInput {
  @Field({ description: '项目名称 / title' }) title!: string;
  @Field(() => DuplicateCheckOrganisationInput) organisation!: DuplicateCheckOrganisationInput;
  @Field(() => String, { nullable: true, description: '项目负责人 / leader' }) leader?: string | null;
  @Field(() => Int, { nullable: true, description: '申报年度 / year' }) year?: number | null;
  @Field(() => String, { nullable: true, description: '部门代码(默认本部门) / department code, default yours' }) department?: string | null;
  @Field(() => String, { nullable: true, description: '子专项 / sub-fund' }) subFund?: string | null;
  @Field(() => String, { nullable: true, description: '申请金额(元) / amount in yuan' }) amountYuan?: string | null;
  @Field(() => String, { nullable: true, description: '开始日期 YYYY-MM-DD' }) startDate?: string | null;
  @Field(() => String, { nullable: true, description: '结束日期 YYYY-MM-DD' }) endDate?: string | null;
}

@InputType('DuplicateAlertFilter')
export class DuplicateAlertFilterInput {
  @Field(() => [DuplicateAlertStatus], { nullable: true, description: '状态(默认全部) / statuses, default all' }) status?: DuplicateAlertStatus[];
  @Field(() => DuplicateLevel, { nullable: true }) level?: DuplicateLevel;
  @Field(() => String, { nullable: true, description: '涉及该部门 / either project belongs to this department' }) department?: string;
  @Field(() => [String], { nullable: true, description: '两个项目都属于这些部门(会商议程) / both projects belong to these departments (a consultation\'s agenda)' }) betweenDepartments?: string[];
  @Field(() => Int, { nullable: true, description: '任一项目的年度 / either project\'s year' }) year?: number;
  @Field(() => String, { nullable: true, description: '涉及该项目(统一编码) / alerts on this project' }) projectCode?: string;
}

const toProject = (p: IndexedProject): DuplicateProjectObject => ({
  code: p.code,
  departmentCode: p.department,
  subFund: p.subfund ?? null,
  year: p.year,
  title: p.title,
  organisation: p.organisation,
  uscc: p.uscc,
  leader: p.leader,
  amountYuan: p.amountFen === null ? null : fenToYuan(p.amountFen),
  startDate: p.startDate ?? null,
  endDate: p.endDate ?? null,
});

async function toAlertObjects(dedup: DedupService, reference: ReferenceService, alerts: DuplicateAlert[]): Promise<DuplicateAlertObject[]> {
  const ids = [...new Set(alerts.flatMap((a) => [a.projectA, a.projectB]))];
  const [projects, ref] = await Promise.all([dedup.projects(ids), reference.snapshot()]);
  const byId = new Map(projects.map((p) => [p.id, p]));
  const code = new Map(ref.departments.map((d) => [d.id, d.code]));
  return alerts.map((a) => ({
    id: a.id,
    projectA: toProject(byId.get(a.projectA)!),
    projectB: toProject(byId.get(a.projectB)!),
    score: a.score,
    level: a.level as DuplicateLevel,
    evidence: a.evidence,
    status: a.status as DuplicateAlertStatus,
    statusReason: a.statusReason,
    decidedBy: a.decidedByDepartmentId ? (code.get(a.decidedByDepartmentId) ?? null) : null,
    decidedAt: a.decidedAt,
    raisedAt: a.raisedAt,
    scoredAt: a.scoredAt,
  }));
}

const toCandidate = (c: DuplicateCandidate): DuplicateCandidateObject => ({ project: toProject(c.project), score: c.score, level: c.level as DuplicateLevel, evidence: c.evidence });

const encodeCursor = (a: { score: number; id: string }) => Buffer.from(`alert:${a.score.toFixed(2)}:${a.id}`).toString('base64url');
function decodeCursor(cursor: string): { score: number; id: string } {
  const m = /^alert:(-?\d+\.\d{2}):([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw ValidationError.field('after', 'is not a cursor from this list');
  return { score: Number(m[1]), id: m[2]! };
}


/** Duplicate-funding detection (查重): pre-check of drafts, alerts and their review, scans, the new-fund check. */
@Resolver()
@RequireRole()
export class DedupResolver {
  constructor(
    private readonly dedup: DedupService,
    private readonly registry: RegistryService,
    private readonly history: HistoryService,
    private readonly reference: ReferenceService,
    private readonly queue: QueueService,
  ) {}

  @Query(() => [DuplicateCandidateObject], { description: '申报前查重:与全库(各部门、各年度)比对,返回疑似重复项目及依据 / Check a draft against the whole registry before registering it' })
  async duplicateCheck(@Args('input') input: DuplicateCheckInput, @Context() ctx: RequestContext): Promise<DuplicateCandidateObject[]> {
    const caller = departmentCaller(ctx, 'Duplicate checks are shared among the linkage departments: send a department API key.');
    const amountFen = input.amountYuan ? yuanToFen('amountYuan', input.amountYuan) : null;
    const found = await this.dedup.check({ ...input, department: input.department ?? caller.departmentCode, amountFen });
    return found.map(toCandidate);
  }

  @Query(() => [DuplicateCandidateObject], { description: '已登记项目的疑似重复项目(即时比对,不存预警) / A registered project checked against the whole registry now' })
  async projectDuplicateCheck(@Args('code') code: string, @Context() ctx: RequestContext): Promise<DuplicateCandidateObject[]> {
    departmentCaller(ctx, 'Duplicate checks are shared among the linkage departments: send a department API key.');
    const p = await this.registry.get(code);
    return (await this.dedup.checkProject(p.code)).map(toCandidate);
  }

  @Query(() => DuplicateAlertConnectionObject, {
    description: '重复资助预警列表(按得分从高到低);未处理的可列入项目会商议程 / Alerts, highest score first; the open ones between some departments make a consultation agenda',
    complexity: ({ args, childComplexity }) => (Number(args.first) || 20) * childComplexity,
  })
  async duplicateAlerts(
    @Context() ctx: RequestContext,
    @Args('filter', { type: () => DuplicateAlertFilterInput, nullable: true }) filter?: DuplicateAlertFilterInput,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20, description: '每页条数(1-500) / page size, 1 to 500' }) first = 20,
    @Args('after', { nullable: true }) after?: string,
  ): Promise<DuplicateAlertConnectionObject> {
    departmentCaller(ctx, 'Duplicate checks are shared among the linkage departments: send a department API key.');
    const f = filter ?? {};
    const projectId = f.projectCode ? (await this.registry.get(f.projectCode)).id : undefined;
    const page = await this.dedup.listAlerts({ status: f.status as AlertStatus[] | undefined, level: f.level, department: f.department, betweenDepartments: f.betweenDepartments, year: f.year, projectId }, first + 1, after ? decodeCursor(after) : undefined);
    const items = await this.toAlerts(page.items.slice(0, first));
    const edges = items.map((node, n) => ({ cursor: encodeCursor(page.items[n]!), node }));
    return { totalCount: page.totalCount, edges, pageInfo: { hasNextPage: page.items.length > first, endCursor: edges.length ? edges[edges.length - 1]!.cursor : null } };
  }

  @Query(() => DuplicateAlertObject, { description: '一条预警 / One alert' })
  async duplicateAlert(@Args('id', { type: () => ID }) id: string, @Context() ctx: RequestContext): Promise<DuplicateAlertObject> {
    departmentCaller(ctx, 'Duplicate checks are shared among the linkage departments: send a department API key.');
    return (await this.toAlerts([await this.dedup.alert(id)]))[0]!;
  }

  @Query(() => [HistoryEntryObject], { description: '预警的留痕(预警、重开、处理) / An alert\'s history: raised, reopened, reviewed' })
  async duplicateAlertHistory(@Args('id', { type: () => ID }) id: string, @Context() ctx: RequestContext): Promise<HistoryEntryObject[]> {
    departmentCaller(ctx, 'Duplicate checks are shared among the linkage departments: send a department API key.');
    const alert = await this.dedup.alert(id);
    const ref = await this.reference.snapshot();
    const code = new Map(ref.departments.map((d) => [d.id, d.code]));
    return (await this.history.list('duplicate_alert', alert.id)).map((e) => ({ ...e, departmentCode: e.departmentId ? (code.get(e.departmentId) ?? null) : null }));
  }

  @Mutation(() => DuplicateAlertObject, { description: '处理预警(涉及项目的部门,须写明理由,留痕) / Review an alert: a department of either project, with a written reason; recorded in history' })
  async reviewDuplicateAlert(
    @Args('id', { type: () => ID }) id: string,
    @Args('status', { type: () => DuplicateAlertStatus }) status: DuplicateAlertStatus,
    @Args('reason') reason: string,
    @Context() ctx: RequestContext,
  ): Promise<DuplicateAlertObject> {
    return (await this.toAlerts([await this.dedup.review(departmentCaller(ctx, 'Duplicate checks are shared among the linkage departments: send a department API key.'), id, status as AlertStatus, reason)]))[0]!;
  }

  @Mutation(() => JobObject, { description: '批量查重(全库,或某年度、某部门),后台任务,带进度 / Scan the registry, a year or a department for duplicates, as a job with progress' })
  async scanDuplicates(
    @Context() ctx: RequestContext,
    @Args('year', { type: () => Int, nullable: true }) year?: number,
    @Args('department', { nullable: true, description: '部门代码 / department code' }) department?: string,
  ): Promise<JobObject> {
    const caller = departmentCaller(ctx, 'Duplicate checks are shared among the linkage departments: send a department API key.');
    if (caller.role === ApiRole.READER) throw new ForbiddenError('a read-only key cannot start a scan');
    const dept = department ? (await this.reference.requireDepartment('department', department)).code : undefined;
    // A department scans its own projects against everyone's; the whole registry is the leading department's or the information center's.
    const wide = caller.role === ApiRole.LEADING || caller.role === ApiRole.INFORMATION_CENTER;
    if (!wide && dept !== caller.departmentCode) throw new ForbiddenError(`${caller.departmentCode} scans its own projects (department: "${caller.departmentCode}"); the whole registry is scanned by the leading department or the information center`);
    if (year !== undefined && year !== null && (year < 1949 || year > 2200)) throw ValidationError.field('year', 'must be a year between 1949 and 2200');
    const run = await this.queue.enqueue(JobName.ScanDuplicates, { scope: { year: year ?? undefined, department: dept } }, { requestedBy: caller.departmentId });
    return toJobObject(run);
  }

  @Query(() => [FundOverlapObject], { description: '拟设专项查重:与现有专项、子专项的名称和支持方向比对(000 §五(二)3) / A proposed fund against the existing funds and sub-funds' })
  async fundOverlap(@Args('name') name: string, @Context() ctx: RequestContext, @Args('direction', { nullable: true, description: '支持方向 / support direction' }) direction?: string): Promise<FundOverlapObject[]> {
    departmentCaller(ctx, 'Duplicate checks are shared among the linkage departments: send a department API key.');
    return this.dedup.fundOverlap(name, direction);
  }

  private toAlerts(alerts: DuplicateAlert[]): Promise<DuplicateAlertObject[]> {
    return toAlertObjects(this.dedup, this.reference, alerts);
  }
}

/** Wherever a project is shown, its duplicate alerts can be asked for with it (so registerProject answers with its pre-check). */
@Resolver(() => ProjectObject)
export class ProjectDuplicatesResolver {
  constructor(
    private readonly dedup: DedupService,
    private readonly reference: ReferenceService,
  ) {}

  @ResolveField(() => [DuplicateAlertObject], { description: '该项目的重复资助预警(登记时即查重) / This project\'s duplicate alerts (checked when it is registered)', complexity: 10 })
  async duplicateAlerts(@Parent() project: ProjectObject): Promise<DuplicateAlertObject[]> {
    const page = await this.dedup.listAlerts({ projectId: project.id }, 100);
    return toAlertObjects(this.dedup, this.reference, page.items);
  }
}
