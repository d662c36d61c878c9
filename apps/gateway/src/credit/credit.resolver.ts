import { Args, Context, Field, ID, InputType, Int, Mutation, ObjectType, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { BEHAVIOURS, CreditService, MEASURES, effectiveStatus, restrictionEnd, type CreditRecord, type CreditReview } from '#credit';
import { HistoryService } from '#history';
import { ReferenceService } from '#reference';
import { RegistryService, maskIdNumber } from '#registry';
import { RequireRole } from '../graphql/auth.guard.js';
import { departmentCaller, type RequestContext } from '../graphql/request-context.js';
import { HistoryEntryObject, ProjectObject } from '../registry/registry.objects.js';

@ObjectType('CreditListEntry', { description: '固定列表中的一项 / One entry of a fixed list' })
export class CreditListEntryObject {
  @Field() code!: string;
  @Field({ description: '中文名称' }) name!: string;
  @Field() nameEn!: string;
}

@ObjectType('CreditSubjectOrganisation')
export class CreditSubjectOrganisationObject {
  @Field(() => String, { nullable: true, description: '统一社会信用代码 / credit code' }) uscc!: string | null;
  @Field(() => String, { nullable: true }) name!: string | null;
}

@ObjectType('CreditSubjectPerson')
export class CreditSubjectPersonObject {
  @Field({ description: '姓名(公众查询时脱敏) / name, masked for the public' }) name!: string;
  @Field(() => String, { nullable: true, description: '身份证号(脱敏) / ID number, masked' }) idNumber!: string | null;
}

@ObjectType('CreditEvidence')
export class CreditEvidenceObject {
  @Field() name!: string;
  @Field({ description: '文件引用 / file reference' }) ref!: string;
}

@ObjectType('CreditRepair')
export class CreditRepairObject {
  @Field({ description: '信用修复决定文号' }) decisionNumber!: string;
  @Field() decisionDate!: string;
}

@ObjectType('CreditRecord', { description: '失信行为记录 / A dishonesty record, shared among the linkage departments' })
export class CreditRecordObject {
  @Field(() => ID) id!: string;
  @Field(() => CreditSubjectOrganisationObject, { nullable: true, description: '失信单位 / the organisation' }) organisation!: CreditSubjectOrganisationObject | null;
  @Field(() => CreditSubjectPersonObject, { nullable: true, description: '失信人员 / the person' }) person!: CreditSubjectPersonObject | null;
  @Field(() => String, { nullable: true, description: '相关项目编码 / the project concerned' }) projectCode!: string | null;
  @Field({ description: '失信行为类型代码 / behaviour code' }) behaviour!: string;
  @Field({ description: '失信行为 / behaviour' }) behaviourName!: string;
  @Field({ description: 'general 一般 / serious 严重' }) severity!: string;
  @Field({ description: '认定部门 / deciding department' }) departmentCode!: string;
  @Field({ description: '决定文号' }) decisionNumber!: string;
  @Field({ description: '决定日期' }) decisionDate!: string;
  @Field({ description: '法律依据' }) legalBasis!: string;
  @Field({ description: '生效日期' }) effectiveDate!: string;
  @Field(() => Int, { nullable: true, description: '限制期(月) / restriction months' }) restrictionMonths!: number | null;
  @Field({ description: '无限期 / indefinite' }) indefinite!: boolean;
  @Field(() => String, { nullable: true, description: '限制期最后一天 / last day restricted' }) restrictionEnd!: string | null;
  @Field(() => [String], { description: '限制措施代码 / measures' }) measures!: string[];
  @Field({ description: 'internal 联动部门内部 / public 依决定公开' }) visibility!: string;
  @Field(() => [CreditEvidenceObject], { description: '证据材料 / evidence files' }) evidence!: CreditEvidenceObject[];
  @Field({ description: 'active 有效 / expired 到期 / revoked 撤销 / repaired 已修复 / under_objection 异议中(按今日计) / status as of today' }) status!: string;
  @Field({ description: '状态说明 / why the status changed' }) statusNote!: string;
  @Field(() => CreditRepairObject, { nullable: true }) repair!: CreditRepairObject | null;
  @Field(() => Int) version!: number;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

@ObjectType('CreditRecordPage')
export class CreditRecordPageObject {
  @Field(() => Int) totalCount!: number;
  @Field(() => [CreditRecordObject]) items!: CreditRecordObject[];
}

@ObjectType('CreditFinding', { description: '审查依据 / A record or rule behind the outcome' })
export class CreditFindingObject {
  @Field({ description: 'warn 提示 / block 阻止' }) outcome!: string;
  @Field(() => ID, { nullable: true }) recordId!: string | null;
  @Field(() => String, { nullable: true, description: '如何匹配(信用代码、名称、名称变体、人员) / how the record was found' }) matchedBy!: string | null;
  @Field({ description: 'RESTRICTION_IN_FORCE / RECORD_IN_FORCE / UNDER_OBJECTION / FUND_NO_VIOLATION_YEARS' }) rule!: string;
  @Field() detail!: string;
}

@ObjectType('CreditCheck', { description: '信用审查结果 / The outcome of a credit check' })
export class CreditCheckObject {
  @Field({ description: 'pass 通过 / warn 提示 / block 阻止' }) outcome!: string;
  @Field({ description: '审查基准日 / as of' }) asOf!: string;
  @Field(() => [CreditFindingObject]) findings!: CreditFindingObject[];
}

@ObjectType('CreditOverride')
export class CreditOverrideObject {
  @Field() departmentCode!: string;
  @Field() reason!: string;
  @Field() at!: Date;
}

@ObjectType('CreditReview', { description: '项目的信用审查(存于项目) / A project\'s credit review, as stored' })
export class CreditReviewObject extends CreditCheckObject {
  @Field() at!: Date;
  @Field({ description: 'registration / approval / on_demand / daily …' }) trigger!: string;
  @Field(() => CreditOverrideObject, { nullable: true, description: '牵头部门的放行 / the leading department\'s override' }) override!: CreditOverrideObject | null;
}

@ObjectType('IntegrityCommitment', { description: '守信承诺 / An integrity commitment on an application' })
export class CommitmentObject {
  @Field(() => ID) id!: string;
  @Field() fundCode!: string;
  @Field(() => Int, { description: '承诺书版本 / text version' }) textVersion!: number;
  @Field({ description: '承诺书文本 / the text committed to' }) text!: string;
  @Field({ description: '承诺人 / who committed' }) signedBy!: string;
  @Field() signedAt!: Date;
}

@InputType('CreditOrganisationInput')
export class CreditOrganisationInput {
  @Field(() => String, { nullable: true }) uscc?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
}

@InputType('CreditPersonInput')
export class CreditPersonInput {
  @Field() name!: string;
  @Field(() => String, { nullable: true }) idNumber?: string | null;
}

@InputType('CreditEvidenceInput')
export class CreditEvidenceInput {
  @Field() name!: string;
  @Field() ref!: string;
}

@InputType('CreditRecordInput', { description: '失信行为记录 / A dishonesty record as decided' })
export class CreditRecordInputType {
  @Field(() => CreditOrganisationInput, { nullable: true }) organisation?: CreditOrganisationInput | null;
  @Field(() => CreditPersonInput, { nullable: true }) person?: CreditPersonInput | null;
  @Field(() => String, { nullable: true, description: '相关项目编码 / project concerned' }) projectCode?: string | null;
  @Field({ description: '行为类型代码(见 creditBehaviours) / behaviour code' }) behaviour!: string;
  @Field({ description: 'general / serious' }) severity!: string;
  @Field() decisionNumber!: string;
  @Field({ description: 'YYYY-MM-DD' }) decisionDate!: string;
  @Field() legalBasis!: string;
  @Field({ description: 'YYYY-MM-DD' }) effectiveDate!: string;
  @Field(() => Int, { nullable: true, description: '限制期(月),或 indefinite / months, or indefinite' }) restrictionMonths?: number | null;
  @Field(() => Boolean, { nullable: true }) indefinite?: boolean | null;
  @Field(() => [String], { description: '限制措施代码(见 creditMeasures) / measure codes' }) measures!: string[];
  @Field(() => String, { nullable: true, description: 'internal(默认) / public' }) visibility?: string | null;
  @Field(() => [CreditEvidenceInput], { nullable: true }) evidence?: CreditEvidenceInput[] | null;
}

@InputType('CreditRecordFilter')
export class CreditRecordFilterInput {
  @Field(() => String, { nullable: true, description: '单位信用代码或名称(含名称变体) / organisation code or name' }) organisation?: string;
  @Field(() => String, { nullable: true, description: '人员姓名 / person' }) person?: string;
  @Field(() => String, { nullable: true, description: '认定部门 / deciding department' }) department?: string;
  @Field(() => [String], { nullable: true, description: '状态(按今日计) / statuses as of today' }) status?: string[];
  @Field(() => String, { nullable: true }) behaviour?: string;
}


/** Credit (信用): records shared among the linkage departments (the public sees published ones, masked), checks, reviews, commitments. */
@Resolver()
export class CreditResolver {
  constructor(
    private readonly credit: CreditService,
    private readonly registry: RegistryService,
    private readonly reference: ReferenceService,
    private readonly history: HistoryService,
  ) {}

  @Query(() => [CreditListEntryObject], { description: '失信行为类型 / The fixed list of behaviours' })
  creditBehaviours(): CreditListEntryObject[] {
    return Object.entries(BEHAVIOURS).map(([code, n]) => ({ code, name: n.zh, nameEn: n.en }));
  }

  @Query(() => [CreditListEntryObject], { description: '限制措施 / The fixed list of restriction measures' })
  creditMeasures(): CreditListEntryObject[] {
    return Object.entries(MEASURES).map(([code, n]) => ({ code, name: n.zh, nameEn: n.en }));
  }

  @Query(() => CreditRecordPageObject, { description: '失信记录(联动部门看全部;公众仅看依决定公开的、脱敏的) / Records: all for linkage departments, published and masked for the public' })
  async creditRecords(
    @Context() ctx: RequestContext,
    @Args('filter', { type: () => CreditRecordFilterInput, nullable: true }) filter?: CreditRecordFilterInput,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first = 50,
    @Args('offset', { type: () => Int, nullable: true, defaultValue: 0 }) offset = 0,
  ): Promise<CreditRecordPageObject> {
    const page = await this.credit.list({ kind: ctx.principal.kind }, (filter ?? {}) as Parameters<CreditService['list']>[1], first, offset);
    return { totalCount: page.totalCount, items: await this.toObjects(page.items) };
  }

  @Query(() => CreditRecordObject, { description: '一条失信记录 / One record' })
  async creditRecord(@Args('id', { type: () => ID }) id: string, @Context() ctx: RequestContext): Promise<CreditRecordObject> {
    return (await this.toObjects([await this.credit.get({ kind: ctx.principal.kind }, id)]))[0]!;
  }

  @Query(() => [HistoryEntryObject], { description: '失信记录的留痕 / A record\'s history' })
  @RequireRole()
  async creditRecordHistory(@Args('id', { type: () => ID }) id: string): Promise<HistoryEntryObject[]> {
    const r = await this.credit.get({ kind: 'department' }, id);
    const ref = await this.reference.snapshot();
    const code = new Map(ref.departments.map((d) => [d.id, d.code]));
    return (await this.history.list('credit_record', r.id)).map((e) => ({ ...e, departmentCode: e.departmentId ? (code.get(e.departmentId) ?? null) : null }));
  }

  @Query(() => CreditCheckObject, { description: '信用审查(不保存):单位与负责人的失信记录、专项的信用规则 / Check an organisation and a leader against the records and a fund\'s rules (nothing stored)' })
  @RequireRole()
  async creditCheck(
    @Args('organisationCode', { nullable: true, description: '统一社会信用代码' }) organisationCode?: string,
    @Args('organisationName', { nullable: true }) organisationName?: string,
    @Args('leader', { nullable: true }) leader?: string,
    @Args('leaderIdNumber', { nullable: true }) leaderIdNumber?: string,
    @Args('fund', { nullable: true, description: '专项代码或名称 / fund' }) fund?: string,
    @Args('asOf', { nullable: true, description: '基准日(如申报截止日) YYYY-MM-DD / as of, e.g. the application deadline' }) asOf?: string,
  ): Promise<CreditCheckObject> {
    return this.credit.check({ organisationUscc: organisationCode, organisationName, leader, leaderIdNumber, fund, asOf });
  }

  @Query(() => CreditReviewObject, { nullable: true, description: '项目最近一次信用审查 / A project\'s latest credit review' })
  @RequireRole()
  async creditReview(@Args('projectCode') projectCode: string): Promise<CreditReviewObject | null> {
    const p = await this.registry.get(projectCode);
    const r = await this.credit.latestReview(p.id);
    return r ? this.toReview(r) : null;
  }

  @Mutation(() => CreditReviewObject, { description: '重新进行信用审查并保存 / Run a project\'s credit review again, stored' })
  async runCreditReview(@Args('projectCode') projectCode: string, @Context() ctx: RequestContext): Promise<CreditReviewObject> {
    const p = await this.registry.get(projectCode);
    return this.toReview(await this.credit.reviewOnDemand(departmentCaller(ctx), p.id));
  }

  @Mutation(() => CreditReviewObject, { description: '牵头部门放行被信用审查阻止的项目(须写明理由) / The leading department lets a blocked project go on to approval, with a reason' })
  async overrideCreditBlock(@Args('projectCode') projectCode: string, @Args('reason') reason: string, @Context() ctx: RequestContext): Promise<CreditReviewObject> {
    const p = await this.registry.get(projectCode);
    return this.toReview(await this.credit.override(departmentCaller(ctx), p.id, reason));
  }

  @Mutation(() => CreditRecordObject, { description: '新增失信记录(认定部门) / Record a dishonesty decision' })
  async createCreditRecord(@Args('input') input: CreditRecordInputType, @Context() ctx: RequestContext): Promise<CreditRecordObject> {
    return (await this.toObjects([await this.credit.create(departmentCaller(ctx), input as Parameters<CreditService['create']>[1])]))[0]!;
  }

  @Mutation(() => CreditRecordObject, { description: '修改失信记录(仅认定部门,须写明理由) / Correct a record: the deciding department, with a reason' })
  async reviseCreditRecord(@Args('id', { type: () => ID }) id: string, @Args('input') input: CreditRecordInputType, @Args('reason') reason: string, @Context() ctx: RequestContext): Promise<CreditRecordObject> {
    return (await this.toObjects([await this.credit.revise(departmentCaller(ctx), id, input as Parameters<CreditService['revise']>[2], reason)]))[0]!;
  }

  @Mutation(() => CreditRecordObject, { description: '撤销失信记录 / Revoke a record' })
  async revokeCreditRecord(@Args('id', { type: () => ID }) id: string, @Args('reason') reason: string, @Context() ctx: RequestContext): Promise<CreditRecordObject> {
    return (await this.toObjects([await this.credit.revoke(departmentCaller(ctx), id, reason)]))[0]!;
  }

  @Mutation(() => CreditRecordObject, { description: '信用修复(附修复决定) / Credit repair, with the repair decision' })
  async repairCreditRecord(
    @Args('id', { type: () => ID }) id: string,
    @Args('decisionNumber') decisionNumber: string,
    @Args('decisionDate') decisionDate: string,
    @Args('reason') reason: string,
    @Context() ctx: RequestContext,
  ): Promise<CreditRecordObject> {
    return (await this.toObjects([await this.credit.repair(departmentCaller(ctx), id, { decisionNumber, decisionDate }, reason)]))[0]!;
  }

  @Mutation(() => CreditRecordObject, { description: '登记异议(异议期间仅作提示) / Register an objection; while pending the record only warns' })
  async objectToCreditRecord(@Args('id', { type: () => ID }) id: string, @Args('reason') reason: string, @Context() ctx: RequestContext): Promise<CreditRecordObject> {
    return (await this.toObjects([await this.credit.object(departmentCaller(ctx), id, reason)]))[0]!;
  }

  @Mutation(() => CreditRecordObject, { description: '异议处理:成立则撤销,不成立则恢复 / Resolve an objection: upheld revokes, rejected restores' })
  async resolveCreditObjection(@Args('id', { type: () => ID }) id: string, @Args('upheld') upheld: boolean, @Args('reason') reason: string, @Context() ctx: RequestContext): Promise<CreditRecordObject> {
    return (await this.toObjects([await this.credit.resolveObjection(departmentCaller(ctx), id, upheld, reason)]))[0]!;
  }

  @Mutation(() => CommitmentObject, { description: '登记守信承诺(按专项的承诺书版本) / Record an integrity commitment against the fund\'s text' })
  async recordCommitment(
    @Args('projectCode') projectCode: string,
    @Args('signedBy', { description: '承诺人 / who commits' }) signedBy: string,
    @Args('signedAt', { description: '承诺时间 ISO 8601 / when' }) signedAt: string,
    @Context() ctx: RequestContext,
    @Args('textVersion', { type: () => Int, nullable: true, description: '承诺书版本(默认最新) / text version, default the latest' }) textVersion?: number,
  ): Promise<CommitmentObject> {
    const p = await this.registry.get(projectCode);
    return this.credit.recordCommitment(departmentCaller(ctx), p.id, { signedBy, signedAt, textVersion });
  }

  private async toObjects(records: CreditRecord[]): Promise<CreditRecordObject[]> {
    const ref = await this.reference.snapshot();
    const code = new Map(ref.departments.map((d) => [d.id, d.code]));
    const projectCodes = await this.credit.projectCodes(records.flatMap((r) => (r.projectId ? [r.projectId] : [])));
    const today = this.credit.today();
    return records.map((r) => ({
      id: r.id,
      organisation: r.organisationUscc || r.organisationName ? { uscc: r.organisationUscc, name: r.organisationName } : null,
      person: r.personName ? { name: r.personName, idNumber: r.personIdNumber ? maskIdNumber(r.personIdNumber) : null } : null,
      projectCode: r.projectId ? (projectCodes.get(r.projectId) ?? null) : null,
      behaviour: r.behaviour,
      behaviourName: BEHAVIOURS[r.behaviour]?.zh ?? r.behaviour,
      severity: r.severity,
      departmentCode: code.get(r.departmentId) ?? '?',
      decisionNumber: r.decisionNumber,
      decisionDate: r.decisionDate,
      legalBasis: r.legalBasis,
      effectiveDate: r.effectiveDate,
      restrictionMonths: r.restrictionMonths,
      indefinite: r.indefinite,
      restrictionEnd: restrictionEnd(r),
      measures: r.measures,
      visibility: r.visibility,
      evidence: r.evidence,
      status: effectiveStatus(r, today),
      statusNote: r.statusNote,
      repair: r.repair,
      version: r.version,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    }));
  }

  async toReview(r: CreditReview): Promise<CreditReviewObject> {
    const ref = await this.reference.snapshot();
    const code = new Map(ref.departments.map((d) => [d.id, d.code]));
    return {
      outcome: r.outcome,
      asOf: r.asOf,
      findings: r.findings,
      at: r.at,
      trigger: r.trigger,
      override: r.override ? { departmentCode: code.get(r.override.departmentId) ?? '?', reason: r.override.reason, at: r.override.at } : null,
    };
  }
}

/** Wherever a project is shown, its credit standing (latest review) and commitments can be asked for with it. */
@Resolver(() => ProjectObject)
export class ProjectCreditResolver {
  constructor(
    private readonly credit: CreditService,
    private readonly resolver: CreditResolver,
  ) {}

  @ResolveField(() => CreditReviewObject, { nullable: true, description: '信用审查结果(最近一次) / the latest credit review', complexity: 5 })
  async creditReview(@Parent() project: ProjectObject): Promise<CreditReviewObject | null> {
    const r = await this.credit.latestReview(project.id);
    return r ? this.resolver.toReview(r) : null;
  }

  @ResolveField(() => [CommitmentObject], { description: '守信承诺 / integrity commitments', complexity: 5 })
  async commitments(@Parent() project: ProjectObject): Promise<CommitmentObject[]> {
    return this.credit.commitments(project.id);
  }
}
