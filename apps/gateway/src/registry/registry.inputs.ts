import { Field, InputType, Int } from '@nestjs/graphql';
import { ProjectStatus } from '#registry';
import { GraphQLJSON } from '../graphql/json.scalar.js';

@InputType('OrganisationInput', { description: '承担单位 / Applicant organisation' })
export class OrganisationInputType {
  @Field({ description: '单位名称 / name' }) name!: string;
  @Field(() => String, { nullable: true, description: '统一社会信用代码 / credit code' }) uscc?: string | null;
  @Field({ nullable: true, description: '校验位不符时仍按"未核验"保存 / keep a code whose check fails, marked unverified' }) allowUnverifiedUscc?: boolean;
}

@InputType('LeaderInput', { description: '项目负责人 / Project leader' })
export class LeaderInputType {
  @Field({ description: '姓名 / name' }) name!: string;
  @Field(() => String, { nullable: true, description: '身份证号 / resident ID number' }) idNumber?: string | null;
}

@InputType('ProjectFieldsInput', { description: '可修改的项目字段 / Project fields that can change. Amounts in yuan as decimal strings ("1234567.89"); dates YYYY-MM-DD.' })
export class ProjectFieldsInputType {
  @Field(() => String, { nullable: true, description: '子专项代码或序号 / sub-fund code or number' }) subFund?: string | null;
  @Field(() => String, { nullable: true, description: '分类代码 / category code' }) categoryCode?: string | null;
  @Field(() => String, { nullable: true, description: '支持方式代码或名称 / support method' }) supportMethodCode?: string | null;
  @Field(() => String, { nullable: true, description: '关键技术目录条目 / catalog item' }) catalogItemCode?: string | null;
  @Field(() => String, { nullable: true, description: '项目名称 / title' }) title?: string;
  @Field(() => String, { nullable: true, description: '摘要 / summary' }) summary?: string | null;
  @Field(() => [String], { nullable: true, description: '关键词 / keywords' }) keywords?: string[] | null;
  @Field(() => LeaderInputType, { nullable: true, description: '负责人 / leader' }) leader?: LeaderInputType | null;
  @Field(() => String, { nullable: true, description: '申请财政资金(元) / fiscal money requested, yuan' }) requestedYuan?: string | null;
  @Field(() => String, { nullable: true, description: '核定金额(元) / approved, yuan' }) approvedYuan?: string | null;
  @Field(() => String, { nullable: true, description: '自筹资金(元) / self-raised, yuan' }) selfRaisedYuan?: string | null;
  @Field(() => String, { nullable: true, description: '总投资(元) / total investment, yuan' }) totalInvestmentYuan?: string | null;
  @Field(() => String, { nullable: true, description: '计划开始 / planned start' }) plannedStart?: string | null;
  @Field(() => String, { nullable: true, description: '计划结束 / planned end' }) plannedEnd?: string | null;
  @Field(() => GraphQLJSON, { nullable: true, description: '其他属性 / further attributes' }) attributes?: Record<string, unknown> | null;
}

@InputType('RegisterProjectInput', { description: '登记项目 / Register a project in the shared registry' })
export class RegisterProjectInputType extends ProjectFieldsInputType {
  @Field(() => String, { nullable: true, description: '主管部门(默认为本部门;仅信息中心可代登记) / owning department; defaults to yours' }) department?: string | null;
  @Field({ description: '专项代码或名称 / fund code or name' }) fund!: string;
  @Field(() => Int, { description: '申报年度 / application year' }) year!: number;
  @Field({ description: '项目名称 / title' }) declare title: string;
  @Field(() => OrganisationInputType, { description: '承担单位 / organisation' }) organisation!: OrganisationInputType;
  @Field(() => String, { nullable: true, description: '部门自有编号 / your own ID for it' }) localId?: string | null;
  @Field(() => ProjectStatus, { nullable: true, description: '登记时状态(默认申报) / status at registration, default DRAFT' }) status?: ProjectStatus | null;
}

@InputType('ProjectFilter', { description: '项目筛选 / Which projects to list' })
export class ProjectFilterInput {
  @Field(() => String, { nullable: true, description: '项目名称关键词 / keyword in the title' }) keyword?: string;
  @Field(() => String, { nullable: true, description: '承担单位信用代码或名称 / organisation code or name' }) organisation?: string;
  @Field(() => String, { nullable: true, description: '负责人姓名 / leader\'s name' }) leader?: string;
  @Field(() => [String], { nullable: true, description: '部门代码 / department codes' }) departments?: string[];
  @Field(() => [String], { nullable: true, description: '专项代码 / fund codes' }) funds?: string[];
  @Field(() => [Int], { nullable: true, description: '子专项序号(分类划分表) / sub-fund numbers of the classification table' }) subFundNumbers?: number[];
  @Field(() => [String], { nullable: true, description: '分类代码 / category codes' }) categories?: string[];
  @Field(() => [String], { nullable: true, description: '目录条目代码 / catalog item codes' }) catalogItems?: string[];
  @Field(() => [Int], { nullable: true, description: '年度 / years' }) years?: number[];
  @Field(() => [ProjectStatus], { nullable: true, description: '状态 / statuses' }) statuses?: ProjectStatus[];
  @Field(() => String, { nullable: true, description: '金额下限(元,核定或申请) / at least this many yuan (approved, else requested)' }) amountMinYuan?: string;
  @Field(() => String, { nullable: true, description: '金额上限(元) / at most this many yuan' }) amountMaxYuan?: string;
}

@InputType('RecordOrganisationInput')
export class RecordOrganisationInputType {
  @Field(() => String, { nullable: true }) uscc?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
}

@InputType('DepartmentRecordInput', { description: '部门系统中的项目记录 / A project record from a department\'s own system' })
export class DepartmentRecordInputType {
  @Field(() => String, { nullable: true, description: '部门(默认本部门) / department, default yours' }) department?: string | null;
  @Field({ description: '部门自有编号 / its local ID' }) localId!: string;
  @Field({ description: '项目名称 / title' }) title!: string;
  @Field(() => Int, { description: '年度 / year' }) year!: number;
  @Field(() => RecordOrganisationInputType, { description: '承担单位 / organisation' }) organisation!: RecordOrganisationInputType;
}
