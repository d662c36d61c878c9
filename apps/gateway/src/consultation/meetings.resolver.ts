import { Args, Context, Field, ID, InputType, Int, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { MeetingService, type FundProposal, type Guideline, type Meeting } from '#consultation';
import { fenToYuan, yuanToFen } from '#registry';
import { RequireRole } from '../graphql/auth.guard.js';
import { departmentCaller, type RequestContext } from '../graphql/request-context.js';
import { FundOverlapObject } from '../dedup/dedup.resolver.js';

@ObjectType('MeetingParticipant')
export class MeetingParticipantObject {
  @Field() departmentCode!: string;
  @Field(() => [String], { description: '出席人员 / attendees' }) attendees!: string[];
  @Field(() => Boolean, { nullable: true, description: '是否出席(未登记为空) / attended, null until recorded' }) attended!: boolean | null;
}

@ObjectType('FileReference', { description: '文件引用(与信用证据材料同样)/ A file reference, as evidence files are' })
export class FileReferenceObject {
  @Field({ description: '文件名 / name' }) name!: string;
  @Field({ description: '存放位置:文档系统编号或网址 / where the file is kept' }) ref!: string;
}

@InputType('FileReferenceInput')
export class FileReferenceInput {
  @Field() name!: string;
  @Field({ description: '文档系统编号或网址 / a document system\'s reference or a URL' }) ref!: string;
}

@ObjectType('DecisionTask', { description: '决定的跟踪任务(纪要通过后建立) / A follow-up task a decision sets, created when the minutes are approved' })
export class DecisionTaskObject {
  @Field() title!: string;
  @Field() content!: string;
  @Field(() => [String]) lead!: string[];
  @Field(() => [String]) cooperating!: string[];
  @Field({ description: '计划进度(原文) / deadline as written' }) deadline!: string;
}

@InputType('DecisionTaskInput')
export class DecisionTaskInput {
  @Field() title!: string;
  @Field(() => String, { nullable: true, description: '内容(缺省为决定理由) / content, the rationale by default' }) content?: string | null;
  @Field(() => [String], { description: '责任部门 / lead departments' }) lead!: string[];
  @Field(() => [String], { nullable: true }) cooperating?: string[];
  @Field({ description: 'YYYY-MM-DD、"2026 年底" 或 "持续推进" / deadline' }) deadline!: string;
}

@ObjectType('AgendaItem', { description: '议题 / An agenda item and its decision' })
export class AgendaItemObject {
  @Field(() => ID) id!: string;
  @Field(() => Int) seq!: number;
  @Field({ description: 'project / duplicate_alert / credit_review / fund_proposal / other' }) kind!: string;
  @Field(() => String, { nullable: true }) projectCode!: string | null;
  @Field(() => ID, { nullable: true }) alertId!: string | null;
  @Field(() => ID, { nullable: true }) fundProposalId!: string | null;
  @Field(() => [ID], { description: '涉及的指南 / guideline drafts concerned' }) guidelineIds!: string[];
  @Field() title!: string;
  @Field({ description: '列入理由 / why it is on the agenda' }) reason!: string;
  @Field(() => String, { nullable: true, description: 'approve / reject / defer / refer / merge / more_information' }) decision!: string | null;
  @Field({ description: '决定理由 / rationale' }) rationale!: string;
  @Field(() => String, { nullable: true, description: '预警处理结果 / a duplicate alert\'s outcome' }) alertOutcome!: string | null;
  @Field(() => String, { nullable: true, description: '转交的子专项或部门 / referred to' }) referredTo!: string | null;
  @Field(() => String, { nullable: true, description: '指南方向的分工 / how overlapping directions were divided' }) division!: string | null;
  @Field(() => ID, { nullable: true, description: '来自的会商申请 / the consultation request it came from' }) requestId!: string | null;
  @Field(() => ID, { nullable: true, description: '来自的"需其他子专项支持"标记 / the sub-fund flag it came from' }) flagId!: string | null;
  @Field(() => [DecisionTaskObject], { description: '决定的跟踪任务 / follow-up tasks the decision sets' }) followUpTasks!: DecisionTaskObject[];
  @Field(() => [String], { description: '同意的部门 / departments agreeing' }) agreed!: string[];
  @Field(() => [String], { description: '不同意的部门 / departments dissenting' }) dissented!: string[];
  @Field(() => Date, { nullable: true }) decidedAt!: Date | null;
}

@ObjectType('Meeting', { description: '会商会议 / A consultation meeting' })
export class MeetingObject {
  @Field(() => ID) id!: string;
  @Field({ description: 'annual_direction / guideline / project / fund_establishment / joint' }) kind!: string;
  @Field() title!: string;
  @Field({ description: '召集部门 / convening department' }) convenedBy!: string;
  @Field() startsAt!: Date;
  @Field() place!: string;
  @Field(() => Int) year!: number;
  @Field({ description: 'planned / agenda_frozen / held / minutes_approved' }) status!: string;
  @Field({ description: '会议纪要 / minutes' }) minutes!: string;
  @Field(() => [MeetingParticipantObject]) participants!: MeetingParticipantObject[];
  @Field(() => [FileReferenceObject], { description: '会议材料 / materials' }) materials!: FileReferenceObject[];
  @Field(() => [AgendaItemObject]) agenda!: AgendaItemObject[];
}

@ObjectType('FundProposal', { description: '拟设专项 / A proposed fund' })
export class FundProposalObject {
  @Field(() => ID) id!: string;
  @Field() departmentCode!: string;
  @Field() name!: string;
  @Field({ description: '支持方向 / support direction' }) direction!: string;
  @Field(() => String, { nullable: true, description: '预算(元) / budget in yuan' }) budgetYuan!: string | null;
  @Field(() => [FundOverlapObject], { description: '与现有专项的重叠 / overlaps with existing funds' }) overlaps!: FundOverlapObject[];
  @Field({ description: 'proposed / approved / rejected / established / sent_to_leading_group' }) status!: string;
  @Field(() => ID, { nullable: true, description: '作出决定的专项资金设立会商 / the meeting that decided' }) decidedIn!: string | null;
  @Field(() => String, { nullable: true, description: '设立后的专项代码 / the fund created' }) fundCode!: string | null;
}

@InputType('ConveneMeetingInput')
export class ConveneMeetingInput {
  @Field({ description: 'annual_direction / guideline / project / fund_establishment / joint' }) kind!: string;
  @Field() title!: string;
  @Field({ description: 'ISO 8601' }) startsAt!: string;
  @Field() place!: string;
  @Field(() => [String], { description: '参加部门 / participating departments' }) participants!: string[];
  @Field(() => Int, { nullable: true }) year?: number;
}

@InputType('AgendaItemInput')
export class AgendaItemInput {
  @Field() kind!: string;
  @Field() title!: string;
  @Field(() => String, { nullable: true }) projectCode?: string | null;
  @Field(() => ID, { nullable: true }) alertId?: string | null;
  @Field(() => ID, { nullable: true }) fundProposalId?: string | null;
  @Field(() => String, { nullable: true }) reason?: string | null;
}

@InputType('DecisionInput')
export class DecisionInput {
  @Field({ description: 'approve / reject / defer / refer / merge / more_information' }) decision!: string;
  @Field() rationale!: string;
  @Field(() => String, { nullable: true, description: '预警议题的结果 / for a duplicate alert: confirmed / dismissed_related / dismissed_distinct' }) alertOutcome?: string | null;
  @Field(() => String, { nullable: true, description: '转交的子专项("RJJCDL-03" 或名称)、专项或部门 / referred to: a sub-fund, fund or department' }) referredTo?: string | null;
  @Field(() => String, { nullable: true, description: '指南议题:重叠方向如何分工 / for guideline items: how the directions were divided' }) division?: string | null;
  @Field(() => [DecisionTaskInput], { nullable: true, description: '跟踪任务,纪要通过时建立 / follow-up tasks, set when the minutes are approved' }) followUpTasks?: DecisionTaskInput[] | null;
}

@ObjectType('Guideline', { description: '部门年度指南(草案) / A department\'s annual guideline draft' })
export class GuidelineObject {
  @Field(() => ID) id!: string;
  @Field() departmentCode!: string;
  @Field(() => Int) year!: number;
  @Field() title!: string;
  @Field(() => [String], { description: '支持方向 / support directions' }) directions!: string[];
  @Field({ description: 'draft / compiled(已经指南编制会商) / compiled by a guideline meeting' }) status!: string;
}


const toProposal = (p: FundProposal): FundProposalObject => ({ ...p, budgetYuan: p.budgetFen === null ? null : fenToYuan(p.budgetFen) });

/** Consultation meetings (会商): convene, agenda, attendance, decisions, minutes; fund proposals. */
@Resolver()
@RequireRole()
export class MeetingsResolver {
  constructor(private readonly meetingsService: MeetingService) {}

  @Query(() => [MeetingObject], { description: '会商会议(本部门参加的;牵头部门看全部) / Meetings you take part in' })
  meetings(
    @Context() ctx: RequestContext,
    @Args('kind', { nullable: true }) kind?: string,
    @Args('year', { type: () => Int, nullable: true }) year?: number,
    @Args('department', { nullable: true }) department?: string,
    @Args('status', { nullable: true }) status?: string,
  ): Promise<Meeting[]> {
    return this.meetingsService.list(departmentCaller(ctx), { kind, year, department, status });
  }

  @Query(() => MeetingObject, { description: '一次会议,含议题与决定 / A meeting with its agenda and decisions' })
  meeting(@Args('id', { type: () => ID }) id: string, @Context() ctx: RequestContext): Promise<Meeting> {
    return this.meetingsService.get(departmentCaller(ctx), id);
  }

  @Mutation(() => MeetingObject, { description: '召集会商(牵头部门) / Convene a meeting (the leading department)' })
  conveneMeeting(@Args('input') input: ConveneMeetingInput, @Context() ctx: RequestContext): Promise<Meeting> {
    return this.meetingsService.convene(departmentCaller(ctx), input);
  }

  @Mutation(() => MeetingObject, { description: '生成议程:参加部门间未处理的重复预警、信用审查提示或阻止的申报;项目会商还有各部门的会商申请与"需其他子专项支持"的项目 / Build the agenda from open duplicate alerts, credit warnings, and for a project consultation the requests and sub-fund flags' })
  buildAgenda(@Args('meetingId', { type: () => ID }) meetingId: string, @Context() ctx: RequestContext): Promise<Meeting> {
    return this.meetingsService.buildAgenda(departmentCaller(ctx), meetingId);
  }

  @Mutation(() => MeetingObject, { description: '增加议题 / Add an agenda item' })
  addAgendaItem(@Args('meetingId', { type: () => ID }) meetingId: string, @Args('input') input: AgendaItemInput, @Context() ctx: RequestContext): Promise<Meeting> {
    return this.meetingsService.addItem(departmentCaller(ctx), meetingId, input);
  }

  @Mutation(() => MeetingObject, { description: '冻结议程 / Freeze the agenda' })
  freezeAgenda(@Args('meetingId', { type: () => ID }) meetingId: string, @Context() ctx: RequestContext): Promise<Meeting> {
    return this.meetingsService.freezeAgenda(departmentCaller(ctx), meetingId);
  }

  @Mutation(() => MeetingObject, { description: '登记本部门出席 / Record your department\'s attendance' })
  recordAttendance(@Args('meetingId', { type: () => ID }) meetingId: string, @Args('attendees', { type: () => [String] }) attendees: string[], @Args('attended') attended: boolean, @Context() ctx: RequestContext): Promise<Meeting> {
    return this.meetingsService.recordAttendance(departmentCaller(ctx), meetingId, attendees, attended);
  }

  @Mutation(() => MeetingObject, { description: '上传会议材料(文件引用,牵头部门) / Attach materials (file references; the leading department)' })
  attachMeetingMaterials(@Args('meetingId', { type: () => ID }) meetingId: string, @Args('materials', { type: () => [FileReferenceInput] }) materials: FileReferenceInput[], @Context() ctx: RequestContext): Promise<Meeting> {
    return this.meetingsService.attachMaterials(departmentCaller(ctx), meetingId, materials);
  }

  @Mutation(() => MeetingObject, { description: '会议已召开 / The meeting was held' })
  holdMeeting(@Args('meetingId', { type: () => ID }) meetingId: string, @Context() ctx: RequestContext): Promise<Meeting> {
    return this.meetingsService.hold(departmentCaller(ctx), meetingId);
  }

  @Mutation(() => MeetingObject, { description: '议题决定(牵头部门) / Record the decision on an item' })
  decideAgendaItem(@Args('meetingId', { type: () => ID }) meetingId: string, @Args('itemId', { type: () => ID }) itemId: string, @Args('input') input: DecisionInput, @Context() ctx: RequestContext): Promise<Meeting> {
    return this.meetingsService.decide(departmentCaller(ctx), meetingId, itemId, input);
  }

  @Mutation(() => MeetingObject, { description: '登记本部门同意或不同意 / Record your department\'s agreement or dissent' })
  recordPosition(@Args('meetingId', { type: () => ID }) meetingId: string, @Args('itemId', { type: () => ID }) itemId: string, @Args('agrees') agrees: boolean, @Context() ctx: RequestContext): Promise<Meeting> {
    return this.meetingsService.recordPosition(departmentCaller(ctx), meetingId, itemId, agrees);
  }

  @Mutation(() => MeetingObject, { description: '通过会议纪要,决定写回项目、预警与拟设专项 / Approve the minutes; decisions are written back' })
  approveMinutes(@Args('meetingId', { type: () => ID }) meetingId: string, @Args('minutes') minutes: string, @Context() ctx: RequestContext): Promise<Meeting> {
    return this.meetingsService.approveMinutes(departmentCaller(ctx), meetingId, minutes);
  }

  @Query(() => [GuidelineObject], { description: '各部门年度指南 / Guideline drafts' })
  guidelines(@Args('year', { type: () => Int, nullable: true }) year?: number): Promise<Guideline[]> {
    return this.meetingsService.guidelines(year ?? undefined);
  }

  @Mutation(() => GuidelineObject, { description: '提交本部门年度指南(草案) / Submit your department\'s guideline draft' })
  submitGuideline(@Args('year', { type: () => Int }) year: number, @Args('title') title: string, @Args('directions', { type: () => [String] }) directions: string[], @Context() ctx: RequestContext): Promise<Guideline> {
    return this.meetingsService.submitGuideline(departmentCaller(ctx), { year, title, directions });
  }

  @Query(() => [FundProposalObject], { description: '拟设专项 / Fund proposals' })
  async fundProposals(): Promise<FundProposalObject[]> {
    return (await this.meetingsService.proposals()).map(toProposal);
  }

  @Mutation(() => FundProposalObject, { description: '提出拟设专项(附与现有专项的重叠检查) / Propose a fund, with the overlap check' })
  async proposeFund(@Args('name') name: string, @Args('direction') direction: string, @Context() ctx: RequestContext, @Args('budgetYuan', { nullable: true }) budgetYuan?: string): Promise<FundProposalObject> {
    return toProposal(await this.meetingsService.propose(departmentCaller(ctx), { name, direction, budgetFen: budgetYuan ? yuanToFen('budgetYuan', budgetYuan) : null }));
  }

  @Mutation(() => FundProposalObject, { description: '设立专项(须经专项资金设立会商同意),随后报领导小组办公室 / Create the fund a fund-establishment meeting approved' })
  async establishFund(@Args('proposalId', { type: () => ID }) proposalId: string, @Context() ctx: RequestContext): Promise<FundProposalObject> {
    return toProposal(await this.meetingsService.establish(departmentCaller(ctx), proposalId));
  }
}
