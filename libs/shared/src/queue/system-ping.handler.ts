import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '../core/errors.js';
import { HandlesJob, type JobContext, type JobHandler } from './job-handler.js';
import { JobName, type JobPayload, type JobResult } from './job-names.js';

/** Proves the queue end to end: echoes its message, reports progress, can fail on purpose. */
@Injectable()
@HandlesJob(JobName.SystemPing)
export class SystemPingHandler implements JobHandler<JobName.SystemPing> {
  async handle(payload: JobPayload<JobName.SystemPing>, ctx: JobContext): Promise<JobResult<JobName.SystemPing>> {
    if ((payload.failTimes ?? 0) >= ctx.attempt) {
      throw new DomainError(ErrorCode.UNAVAILABLE, `planned failure on try ${ctx.attempt}`);
    }
    const steps = payload.steps ?? 1;
    for (let i = 1; i <= steps; i++) await ctx.progress(i, steps);
    return { echo: payload.message, steps, attempt: ctx.attempt };
  }
}
