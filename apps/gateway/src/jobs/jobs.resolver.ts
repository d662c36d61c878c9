import { Args, Context, Field, Float, ID, Int, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { GraphQLJSON } from '../graphql/json.scalar.js';
import { ApiRole } from '#identity';
import { ForbiddenError, NotFoundError, ValidationError } from '#shared/core/index.js';
import { JobName, QueueService, type JobRun } from '#shared/queue/index.js';
import { RequireRole } from '../graphql/auth.guard.js';
import type { RequestContext } from '../graphql/request-context.js';

@ObjectType('Job', { description: '后台任务 / A background job (import, scan, report …)' })
export class JobObject {
  @Field(() => ID) id!: string;
  @Field({ description: '任务类型 / job name' }) name!: string;
  @Field({ description: 'queued / running / completed / failed' }) status!: string;
  @Field(() => Float, { description: '已完成数量 / items done' }) progressDone!: number;
  @Field(() => Float, { nullable: true, description: '总数量 / items in all, when known' }) progressTotal!: number | null;
  @Field(() => Int, { description: '已尝试次数 / tries so far' }) attempts!: number;
  @Field(() => Int, { description: '最多尝试次数 / tries allowed' }) maxAttempts!: number;
  @Field(() => GraphQLJSON, { nullable: true, description: '结果 / result' }) result!: unknown;
  @Field(() => String, { nullable: true, description: '错误信息 / error message' }) error!: string | null;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
}

export const toJobObject = (r: JobRun): JobObject => ({
  id: r.id,
  name: r.name,
  status: r.status,
  progressDone: r.progressDone,
  progressTotal: r.progressTotal,
  attempts: r.attempts,
  maxAttempts: r.maxAttempts,
  result: r.result,
  error: r.error,
  createdAt: r.createdAt,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
});

@Resolver()
export class JobsResolver {
  constructor(private readonly queue: QueueService) {}

  @Query(() => JobObject, { description: '任务状态与进度 / A job\'s status and progress (its requester or the information center)' })
  @RequireRole()
  async job(@Args('id', { type: () => ID }) id: string, @Context() ctx: RequestContext): Promise<JobObject> {
    const run = await this.queue.get(id);
    if (!run) throw new NotFoundError('job', id);
    const p = ctx.principal;
    if (p.kind === 'department' && p.role !== ApiRole.INFORMATION_CENTER && run.requestedBy !== p.departmentId) {
      throw new ForbiddenError('Only the department that started a job, or the information center, can read it.');
    }
    return toJobObject(run);
  }

  @Mutation(() => JobObject, { description: '队列连通性检查 / Queue a no-op job to check that jobs run' })
  @RequireRole()
  async pingQueue(@Args('message') message: string, @Context() ctx: RequestContext): Promise<JobObject> {
    if (message.length === 0 || message.length > 200) throw ValidationError.field('message', 'must be 1 to 200 characters');
    const p = ctx.principal;
    const run = await this.queue.enqueue(JobName.SystemPing, { message, steps: 3 }, { requestedBy: p.kind === 'department' ? p.departmentId : null });
    return toJobObject(run);
  }
}
