import { Injectable } from '@nestjs/common';
import { HandlesJob, JobName, type JobContext, type JobHandler, type JobPayload, type JobResult } from '#shared/queue/index.js';
import { DedupService } from './dedup.service.js';

/** The batch duplicate scan as a job, with progress. Re-running it stores nothing twice (alerts are unique per pair). */
@Injectable()
@HandlesJob(JobName.ScanDuplicates)
export class ScanDuplicatesHandler implements JobHandler<JobName.ScanDuplicates> {
  constructor(private readonly dedup: DedupService) {}

  async handle(payload: JobPayload<JobName.ScanDuplicates>, ctx: JobContext): Promise<JobResult<JobName.ScanDuplicates>> {
    const report = await this.dedup.scan(payload.scope ?? {}, (done, total) => ctx.progress(done, total));
    return report as unknown as Record<string, unknown>;
  }
}
