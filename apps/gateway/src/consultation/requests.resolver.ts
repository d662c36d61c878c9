import { Args, Context, Field, ID, Int, Mutation, ObjectType, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ConsultationRequestService, MeetingService, type ConsultationRequest, type Meeting, type ProjectConsultation, type ProjectFlag } from '#consultation';
import { RequireRole } from '../graphql/auth.guard.js';
import { departmentCaller, type RequestContext } from '../graphql/request-context.js';
import { ProjectObject } from '../registry/registry.objects.js';
import { MeetingObject } from './meetings.resolver.js';

@ObjectType('ConsultationRequest', { description: '会商申请 / A department\'s request for a project consultation' })
export class ConsultationRequestObject {
  @Field(() => ID) id!: string;
  @Field({ description: '申请部门 / requesting department' }) departmentCode!: string;
  @Field(() => [String], { description: '项目统一编码 / the projects' }) projectCodes!: string[];
  @Field({ description: '申请理由 / reason' }) reason!: string;
  @Field({ description: 'pending / scheduled / declined / decided / withdrawn' }) status!: string;
  @Field(() => ID, { nullable: true, description: '列入的会议 / the meeting it is on' }) meetingId!: string | null;
  @Field(() => String, { nullable: true, description: '不予会商的理由 / why it was declined' }) declineReason!: string | null;
  @Field() createdAt!: Date;
}

@ObjectType('ProjectFlag', { description: '需其他子专项支持的项目 / A project flagged as needing another sub-fund' })
export class ProjectFlagObject {
  @Field(() => ID) id!: string;
  @Field() projectCode!: string;
  @Field() departmentCode!: string;
  @Field({ description: '建议的子专项("RJJCDL-03")、专项或部门 / suggested sub-fund, fund or department' }) suggestedTo!: string;
  @Field() reason!: string;
  @Field({ description: 'open / scheduled / resolved / withdrawn' }) status!: string;
  @Field(() => ID, { nullable: true }) meetingId!: string | null;
  @Field() createdAt!: Date;
}

@ObjectType('ReferralTarget', { description: '转交对象 / Where a project was referred' })
export class ReferralTargetObject {
  @Field({ description: 'sub_fund / fund / department' }) kind!: string;
  @Field({ description: '"RJJCDL-03"、专项代码或部门代码 / code' }) code!: string;
  @Field() name!: string;
  @Field({ description: '接收部门 / the receiving department' }) departmentCode!: string;
}

@ObjectType('ProjectConsultation', { description: '项目最近一次会商决定(纪要通过后) / The project\'s latest consultation decision, once the minutes are approved' })
export class ProjectConsultationObject {
  @Field(() => ID, { description: '作出决定的会议 / the meeting' }) decidedIn!: string;
  @Field() meetingTitle!: string;
  @Field(() => Int, { description: '议题序号 / agenda item' }) item!: number;
  @Field({ description: 'approve / reject / defer / refer / merge / more_information' }) decision!: string;
  @Field() rationale!: string;
  @Field(() => ReferralTargetObject, { nullable: true, description: '转交的子专项或部门 / referred to' }) referredTo!: ReferralTargetObject | null;
  @Field() approvedAt!: Date;
}

/** What departments bring to a project consultation: requests and sub-fund flags; the leading department schedules or declines. */
@Resolver()
@RequireRole()
export class ConsultationRequestsResolver {
  constructor(
    private readonly requests: ConsultationRequestService,
    private readonly meetings: MeetingService,
  ) {}

  @Query(() => [ConsultationRequestObject], { description: '会商申请(牵头部门看全部,其他部门看本部门的) / Consultation requests: all for the leading department, your own otherwise' })
  consultationRequests(@Context() ctx: RequestContext, @Args('status', { nullable: true }) status?: string, @Args('department', { nullable: true }) department?: string): Promise<ConsultationRequest[]> {
    return this.requests.list(departmentCaller(ctx), { status, department });
  }

  @Mutation(() => ConsultationRequestObject, { description: '申请项目会商(本部门的项目) / Request a project consultation on your own projects' })
  requestConsultation(@Args('projectCodes', { type: () => [String] }) projectCodes: string[], @Args('reason') reason: string, @Context() ctx: RequestContext): Promise<ConsultationRequest> {
    return this.requests.request(departmentCaller(ctx), { projectCodes, reason });
  }

  @Mutation(() => MeetingObject, { description: '将会商申请列入项目会商(牵头部门) / Put a pending request on a planned project consultation (the leading department)' })
  scheduleConsultationRequest(@Args('requestId', { type: () => ID }) requestId: string, @Args('meetingId', { type: () => ID }) meetingId: string, @Context() ctx: RequestContext): Promise<Meeting> {
    return this.meetings.scheduleRequest(departmentCaller(ctx), requestId, meetingId);
  }

  @Mutation(() => ConsultationRequestObject, { description: '不予会商,说明理由(牵头部门) / Decline a pending request, with the reason (the leading department)' })
  declineConsultationRequest(@Args('requestId', { type: () => ID }) requestId: string, @Args('reason') reason: string, @Context() ctx: RequestContext): Promise<ConsultationRequest> {
    return this.requests.decline(departmentCaller(ctx), requestId, reason);
  }

  @Mutation(() => ConsultationRequestObject, { description: '撤回会商申请(申请部门,尚未列入议程时) / Withdraw your pending request, with the reason' })
  withdrawConsultationRequest(@Args('requestId', { type: () => ID }) requestId: string, @Args('reason') reason: string, @Context() ctx: RequestContext): Promise<ConsultationRequest> {
    return this.requests.withdraw(departmentCaller(ctx), requestId, reason);
  }

  @Mutation(() => ProjectFlagObject, { description: '撤回"需其他子专项支持"的标记(标记部门,尚未列入议程时) / Withdraw your open flag, with the reason' })
  withdrawProjectFlag(@Args('flagId', { type: () => ID }) flagId: string, @Args('reason') reason: string, @Context() ctx: RequestContext): Promise<ProjectFlag> {
    return this.requests.withdrawFlag(departmentCaller(ctx), flagId, reason);
  }

  @Query(() => [ProjectFlagObject], { description: '需其他子专项支持的项目 / Projects flagged as needing another sub-fund' })
  projectFlags(@Args('status', { nullable: true, description: 'open / scheduled / resolved / withdrawn' }) status?: string): Promise<ProjectFlag[]> {
    return this.requests.flags({ status });
  }

  @Mutation(() => ProjectFlagObject, { description: '标记本部门项目需其他子专项(或部门)支持 / Flag your project as needing another sub-fund or department' })
  flagProjectForSubFund(@Args('projectCode') projectCode: string, @Args('suggestedTo', { description: '"RJJCDL-03"、子专项名称、专项或部门' }) suggestedTo: string, @Args('reason') reason: string, @Context() ctx: RequestContext): Promise<ProjectFlag> {
    return this.requests.flag(departmentCaller(ctx), { projectCode, suggestedTo, reason });
  }
}

/** Wherever a project is shown, its latest consultation decision — where it was referred — can be asked for with it. */
@Resolver(() => ProjectObject)
export class ProjectConsultationResolver {
  constructor(private readonly requests: ConsultationRequestService) {}

  @ResolveField(() => ProjectConsultationObject, { nullable: true, description: '最近一次会商决定(含转交的子专项或部门) / the latest consultation decision, with where it was referred', complexity: 5 })
  consultation(@Parent() project: ProjectObject): Promise<ProjectConsultation | null> {
    return this.requests.projectConsultation(project.code);
  }
}
