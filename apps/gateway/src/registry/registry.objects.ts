import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ProjectStatus, STATUS_NAMES } from '#registry';
import { GraphQLJSON } from '../graphql/json.scalar.js';
import { CategoryObject, DepartmentObject, FundObject, SubFundObject, SupportMethodObject, CatalogItemObject } from '../reference/reference.objects.js';

registerEnumType(ProjectStatus, {
  name: 'ProjectStatus',
  description: '项目状态 / Project lifecycle status',
  valuesMap: Object.fromEntries(Object.entries(STATUS_NAMES).map(([k, v]) => [k, { description: v }])),
});

@ObjectType('Money', { description: '金额(精确,以分为单位保存) / An exact amount, kept in fen' })
export class MoneyObject {
  @Field({ description: '分(整数) / in fen, an integer as a string' }) fen!: string;
  @Field({ description: '元,两位小数 / in yuan, two decimals' }) yuan!: string;
  @Field({ description: '万元,四位小数 / in 万元 (10,000 yuan), four decimals' }) wan!: string;
}

@ObjectType('OrganisationName', { description: '曾用名及来源 / A name the organisation was registered under' })
export class OrganisationNameObject {
  @Field() name!: string;
  @Field(() => String, { nullable: true, description: '由哪个部门登记 / department that registered this name' }) departmentCode!: string | null;
  @Field({ description: '首次出现时间 / first seen' }) firstSeenAt!: Date;
}

@ObjectType('Organisation', { description: '承担单位 / Applicant organisation' })
export class OrganisationObject {
  @Field(() => String, { nullable: true, description: '统一社会信用代码 / Unified Social Credit Code' }) uscc!: string | null;
  @Field(() => String, { nullable: true, description: 'valid:校验通过 / unverified:校验位不符,按原样保存 / check result of the code' }) usccStatus!: string | null;
  @Field({ description: '当前名称 / canonical name' }) name!: string;
  @Field(() => [OrganisationNameObject], { description: '全部登记名称 / every name it was registered under' }) names!: OrganisationNameObject[];
}

@ObjectType('Person', { description: '项目负责人 / Project leader' })
export class PersonObject {
  @Field({ description: '姓名 / name' }) name!: string;
  @Field(() => String, { nullable: true, description: '身份证号(非本部门项目打码显示) / ID number, masked except to the owning department' }) idNumber!: string | null;
}

@ObjectType('LocalId', { description: '部门自有编号 / A department\'s own ID for the project (crosswalk)' })
export class LocalIdObject {
  @Field() departmentCode!: string;
  @Field() localId!: string;
}

@ObjectType('PaymentStage', { description: '拨付阶段 / A payment stage of the fund\'s plan' })
export class PaymentStageObject {
  @Field({ description: 'APPROVAL:立项后 / ACCEPTANCE:验收通过后 / when it is paid' }) stage!: string;
  @Field(() => Float, { description: '比例 / share of the approved amount' }) share!: number;
  @Field(() => MoneyObject, { description: '金额 / amount' }) amount!: MoneyObject;
}

@ObjectType('Project', { description: '项目 / A project in the shared registry' })
export class ProjectObject {
  /** The registry's id, not in the schema: field resolvers (credit, duplicates, payments) key on it without loading the project again. */
  id!: string;
  @Field({ description: '统一项目编码 / unified project code (24 characters)' }) code!: string;
  @Field({ description: '带分隔符的编码 / the code with separators, as people write it' }) displayCode!: string;
  @Field(() => DepartmentObject, { description: '主管部门 / owning department' }) department!: DepartmentObject;
  @Field(() => FundObject, { description: '专项 / fund' }) fund!: FundObject;
  @Field(() => SubFundObject, { nullable: true, description: '子专项 / sub-fund' }) subFund!: SubFundObject | null;
  @Field(() => CategoryObject, { nullable: true, description: '分类 / category' }) category!: CategoryObject | null;
  @Field(() => SupportMethodObject, { nullable: true, description: '支持方式 / support method' }) supportMethod!: SupportMethodObject | null;
  @Field(() => CatalogItemObject, { nullable: true, description: '关键技术目录条目 / key-technology catalog item' }) catalogItem!: CatalogItemObject | null;
  @Field(() => Int, { description: '申报年度 / application year' }) year!: number;
  @Field({ description: '项目名称 / title' }) title!: string;
  @Field({ description: '项目摘要 / summary' }) summary!: string;
  @Field(() => [String], { description: '关键词 / keywords' }) keywords!: string[];
  @Field(() => OrganisationObject, { description: '承担单位 / applicant organisation' }) organisation!: OrganisationObject;
  @Field(() => PersonObject, { nullable: true, description: '项目负责人 / leader' }) leader!: PersonObject | null;
  @Field(() => MoneyObject, { nullable: true, description: '申请财政资金 / fiscal money requested' }) requested!: MoneyObject | null;
  @Field(() => MoneyObject, { nullable: true, description: '核定资助金额 / amount approved' }) approved!: MoneyObject | null;
  @Field(() => MoneyObject, { nullable: true, description: '自筹资金 / self-raised money' }) selfRaised!: MoneyObject | null;
  @Field(() => MoneyObject, { nullable: true, description: '总投资 / total investment' }) totalInvestment!: MoneyObject | null;
  @Field(() => [PaymentStageObject], { description: '按专项拨付计划的分期金额(核定后) / payments by the fund\'s plan, once an amount is approved' }) paymentPlan!: PaymentStageObject[];
  @Field(() => String, { nullable: true, description: '计划开始日期 / planned start (YYYY-MM-DD)' }) plannedStart!: string | null;
  @Field(() => String, { nullable: true, description: '计划结束日期(含延期) / planned end, extension included' }) plannedEnd!: string | null;
  @Field(() => Int, { nullable: true, description: '延期月数 / months of extension, if extended' }) extensionMonths!: number | null;
  @Field(() => ProjectStatus, { description: '状态 / status' }) status!: ProjectStatus;
  @Field(() => [LocalIdObject], { description: '各部门自有编号 / departments\' own IDs' }) localIds!: LocalIdObject[];
  @Field(() => GraphQLJSON, { description: '其他属性 / further attributes from the department\'s system' }) attributes!: Record<string, unknown>;
  @Field(() => Int, { description: '版本号(每次修改加一) / version, raised by every change' }) version!: number;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

@ObjectType('ProjectEdge')
export class ProjectEdgeObject {
  @Field() cursor!: string;
  @Field(() => ProjectObject) node!: ProjectObject;
}

@ObjectType('PageInfo')
export class PageInfoObject {
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType('ProjectConnection', { description: '项目分页 / A page of projects' })
export class ProjectConnectionObject {
  @Field(() => Int, { description: '符合条件的总数(超过10000时为10000) / projects matching the filter, exact up to 10,000' }) totalCount!: number;
  @Field({ description: '总数是否精确(否:至少 totalCount 条) / false when more than 10,000 match and totalCount is a lower bound' }) totalCountExact!: boolean;
  @Field(() => [ProjectEdgeObject]) edges!: ProjectEdgeObject[];
  @Field(() => PageInfoObject) pageInfo!: PageInfoObject;
}

@ObjectType('HistoryEntry', { description: '留痕记录 / One entry of a record\'s history' })
export class HistoryEntryObject {
  @Field(() => Int, { description: '序号 / position in the chain' }) seq!: number;
  @Field({ description: '时间 / when' }) at!: Date;
  @Field(() => String, { nullable: true, description: '操作部门 / department' }) departmentCode!: string | null;
  @Field(() => ID, { nullable: true, description: '所用密钥 / key used' }) apiKeyId!: string | null;
  @Field({ description: '操作 / action' }) action!: string;
  @Field({ description: '原因 / why' }) reason!: string;
  @Field(() => GraphQLJSON, { description: '变更内容(前/后) / what changed, before and after' }) changes!: Record<string, unknown>;
  @Field(() => String, { nullable: true }) prevHash!: string | null;
  @Field() hash!: string;
}

@ObjectType('HistoryProblem')
export class HistoryProblemObject {
  @Field() entityType!: string;
  @Field() entityId!: string;
  @Field(() => Int) seq!: number;
  @Field() problem!: string;
}

@ObjectType('HistoryVerification', { description: '留痕链校验结果 / Result of checking the history chains' })
export class HistoryVerificationObject {
  @Field({ description: '全部完好 / every chain intact' }) ok!: boolean;
  @Field(() => Int) records!: number;
  @Field(() => Int) entries!: number;
  @Field(() => [HistoryProblemObject]) problems!: HistoryProblemObject[];
}

@ObjectType('ProjectCodeSegments', { description: '编码各段含义 / What each segment of a project code says' })
export class ProjectCodeSegmentsObject {
  @Field() code!: string;
  @Field() displayCode!: string;
  @Field({ description: '行政区划代码 / jurisdiction (GB/T 2260)' }) jurisdiction!: string;
  @Field(() => String, { nullable: true, description: '行政区划名称 / its name' }) jurisdictionName!: string | null;
  @Field(() => Int, { description: '年度 / year' }) year!: number;
  @Field({ description: '部门代码 / department code' }) department!: string;
  @Field(() => String, { nullable: true }) departmentName!: string | null;
  @Field({ description: '子专项代码(00:无) / sub-fund code, 00 for none' }) subFund!: string;
  @Field(() => Int, { description: '顺序号 / sequence' }) sequence!: number;
  @Field({ description: '校验位 (ISO/IEC 7064 MOD 37,36) / check character' }) check!: string;
}

@ObjectType('LinkRecordResult', { description: '部门记录关联结果 / What became of a department record' })
export class LinkRecordResultObject {
  @Field({ description: '是否已关联 / whether it is now linked' }) linked!: boolean;
  @Field(() => ProjectObject, { nullable: true, description: '关联到的项目 / the project it is linked to' }) project!: ProjectObject | null;
  @Field(() => String, { nullable: true, description: 'NO_MATCH:无匹配项目 / AMBIGUOUS:匹配多个 / why not linked' }) reason!: string | null;
  @Field(() => [String], { description: '候选项目编码 / codes of matching projects' }) candidates!: string[];
}

@ObjectType('UnlinkedRecord', { description: '未能唯一关联的部门记录 / A department record not linked to exactly one project' })
export class UnlinkedRecordObject {
  @Field() departmentCode!: string;
  @Field() localId!: string;
  @Field({ description: 'NO_MATCH / AMBIGUOUS / LOCAL_ID_TAKEN' }) reason!: string;
  @Field(() => [String], { description: '候选项目编码 / candidate project codes' }) candidates!: string[];
  @Field(() => GraphQLJSON, { description: '部门提交的记录 / the record as the department sent it' }) record!: Record<string, unknown>;
  @Field() reportedAt!: Date;
}

@ObjectType('Delegation', { description: '委托第三方机构管理 / A department delegating project management to an agency' })
export class DelegationObject {
  @Field({ description: '受托机构 / agency' }) agencyCode!: string;
  @Field({ description: '委托部门 / delegating department' }) departmentCode!: string;
  @Field() validFrom!: string;
  @Field(() => String, { nullable: true }) validUntil!: string | null;
  @Field(() => Date, { nullable: true }) revokedAt!: Date | null;
}

@ObjectType('ChangeEvent', { description: '登记库变更事件 / One change to the registry, for departments\' systems to follow' })
export class ChangeEventObject {
  @Field({ description: '事件序号(递增) / event number, increasing' }) id!: string;
  @Field() at!: Date;
  @Field({ description: 'project / organisation' }) entityType!: string;
  @Field(() => String, { nullable: true, description: '项目编码 / project code, for project events' }) projectCode!: string | null;
  @Field({ description: 'REGISTERED / UPDATED / TRANSITION / EXTENDED / LOCAL_ID_LINKED / RENAMED …' }) action!: string;
  @Field(() => String, { nullable: true, description: '操作部门 / department that made it' }) departmentCode!: string | null;
  @Field(() => GraphQLJSON, { description: '变更内容 / what changed' }) changes!: Record<string, unknown>;
}

@ObjectType('ChangeEdge')
export class ChangeEdgeObject {
  @Field() cursor!: string;
  @Field(() => ChangeEventObject) node!: ChangeEventObject;
}

@ObjectType('ChangeConnection', { description: '变更流 / A page of the change feed' })
export class ChangeConnectionObject {
  @Field(() => [ChangeEdgeObject]) edges!: ChangeEdgeObject[];
  @Field(() => PageInfoObject, { description: 'endCursor: 下次从这里继续 / continue from here next time' }) pageInfo!: PageInfoObject;
}
