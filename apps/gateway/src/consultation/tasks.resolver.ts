import { Args, Context, Field, ID, InputType, Int, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { TaskService, type FollowUpTask, type TaskStatus } from '#consultation';
import { RequireRole } from '../graphql/auth.guard.js';
import { departmentCaller, type RequestContext } from '../graphql/request-context.js';

@ObjectType('TaskProgress', { description: '进展 / A progress note' })
export class TaskProgressObject {
  @Field() departmentCode!: string;
  @Field() note!: string;
  @Field() at!: Date;
}

@ObjectType('FollowUpTask', { description: '跟踪任务(004) / A follow-up task' })
export class FollowUpTaskObject {
  @Field(() => ID) id!: string;
  @Field({ description: '编号("3" 或第 3 项任务的第 2 条 "3.2") / number' }) number!: string;
  @Field({ description: '重点任务 / task' }) title!: string;
  @Field(() => String, { nullable: true, description: '所属部分 / section' }) section!: string | null;
  @Field({ description: '重点任务主要内容 / content' }) content!: string;
  @Field(() => [String], { description: '责任部门(原文) / lead departments as written' }) lead!: string[];
  @Field(() => [String], { description: '配合部门(原文) / cooperating departments as written' }) cooperating!: string[];
  @Field(() => [String], { description: '平台已知的责任部门代码 / lead department codes the platform knows' }) leadCodes!: string[];
  @Field(() => [String]) cooperatingCodes!: string[];
  @Field({ description: '计划进度(原文) / planned deadline as written' }) deadlineText!: string;
  @Field({ description: 'date / year_end / ongoing' }) deadlineKind!: string;
  @Field(() => String, { nullable: true, description: '到期日(持续推进则无) / due date, none when ongoing' }) dueDate!: string | null;
  @Field({ description: 'open / done / cancelled' }) status!: string;
  @Field({ description: '已逾期(按今日) / overdue as of today' }) overdue!: boolean;
  @Field(() => String, { nullable: true, description: '逾期起始日(每日任务标记) / overdue since, as the daily job marked it' }) overdueSince!: string | null;
  @Field() source!: string;
  @Field(() => ID, { nullable: true, description: '设定任务的会议 / the meeting whose decision set it' }) meetingId!: string | null;
  @Field(() => ID, { nullable: true, description: '设定任务的议题 / the agenda item whose decision set it' }) agendaItemId!: string | null;
  @Field(() => [TaskProgressObject]) progress!: TaskProgressObject[];
}

@InputType('TaskFilter')
export class TaskFilterInput {
  @Field(() => String, { nullable: true, description: '部门(牵头或配合) / a department leading or cooperating' }) department?: string;
  @Field(() => [String], { nullable: true, description: 'open / done / cancelled' }) status?: string[];
  @Field(() => Boolean, { nullable: true, description: '仅逾期 / only overdue' }) overdue?: boolean;
  @Field(() => Int, { nullable: true, description: '仅 N 天内到期 / only due within N days' }) dueWithinDays?: number;
  @Field(() => ID, { nullable: true, description: '仅该会议决定的任务 / only tasks a meeting\'s decisions set' }) meetingId?: string;
}

@InputType('CreateTaskInput')
export class CreateTaskInput {
  @Field() number!: string;
  @Field() title!: string;
  @Field() content!: string;
  @Field(() => [String], { description: '责任部门(代码或名称) / lead departments' }) lead!: string[];
  @Field(() => [String], { nullable: true }) cooperating?: string[];
  @Field({ description: '计划进度:YYYY-MM-DD、"2026 年底" 或 "持续推进" / deadline' }) deadline!: string;
  @Field(() => String, { nullable: true, description: '来源(如会议决定) / where it comes from' }) source?: string;
}


/** Follow-up tasks (004): listed per department, overdue and due soon; progress by the departments involved. */
@Resolver()
@RequireRole()
export class TasksResolver {
  constructor(private readonly service: TaskService) {}

  @Query(() => [FollowUpTaskObject], { description: '跟踪任务(按部门、状态、逾期、即将到期) / Follow-up tasks by department, status, overdue, due soon' })
  async tasks(@Args('filter', { type: () => TaskFilterInput, nullable: true }) filter?: TaskFilterInput): Promise<FollowUpTaskObject[]> {
    return (await this.service.list({ ...filter, status: filter?.status as TaskStatus[] | undefined })).map((t) => this.toObject(t));
  }

  @Query(() => FollowUpTaskObject, { description: '一项跟踪任务 / One task' })
  async task(@Args('id', { type: () => ID }) id: string): Promise<FollowUpTaskObject> {
    return this.toObject(await this.service.get(id));
  }

  @Mutation(() => FollowUpTaskObject, { description: '新建跟踪任务(牵头部门) / Set a follow-up task (the leading department)' })
  async createTask(@Args('input') input: CreateTaskInput, @Context() ctx: RequestContext): Promise<FollowUpTaskObject> {
    return this.toObject(await this.service.create(departmentCaller(ctx), input));
  }

  @Mutation(() => FollowUpTaskObject, { description: '登记任务进展(相关部门) / Record progress (a department involved)' })
  async recordTaskProgress(@Args('id', { type: () => ID }) id: string, @Args('note') note: string, @Context() ctx: RequestContext): Promise<FollowUpTaskObject> {
    return this.toObject(await this.service.recordProgress(departmentCaller(ctx), id, note));
  }

  @Mutation(() => FollowUpTaskObject, { description: '完成或取消任务(责任部门或牵头部门) / Close a task as done or cancelled' })
  async closeTask(@Args('id', { type: () => ID }) id: string, @Args('status') status: string, @Args('note') note: string, @Context() ctx: RequestContext): Promise<FollowUpTaskObject> {
    return this.toObject(await this.service.close(departmentCaller(ctx), id, status as 'done' | 'cancelled', note));
  }

  private toObject(t: FollowUpTask): FollowUpTaskObject {
    return { ...t, overdue: t.status === 'open' && t.dueDate !== null && t.dueDate < this.service.today() };
  }
}
