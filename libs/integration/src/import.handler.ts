import { Injectable } from '@nestjs/common';
import { HandlesJob, JobName, type JobContext, type JobHandler, type JobPayload, type JobResult } from '#shared/queue/index.js';
import { DomainError, ErrorCode } from '#shared/core/index.js';
import { ImportRepository } from './import.repository.js';
import { ImportService } from './import.service.js';

/** Runs an import as a job, with progress; a re-run after a crash changes nothing already stored (idempotent by local ID). */
@Injectable()
@HandlesJob(JobName.ImportProjects)
export class ImportProjectsHandler implements JobHandler<JobName.ImportProjects> {
  constructor(
    private readonly imports: ImportService,
    private readonly repo: ImportRepository,
  ) {}

  async handle(payload: JobPayload<JobName.ImportProjects>, ctx: JobContext): Promise<JobResult<JobName.ImportProjects>> {
    const file = await this.repo.file(payload.fileId);
    if (!file) throw new DomainError(ErrorCode.NOT_FOUND, `import file ${payload.fileId} is gone`);
    const report = await this.imports.run(payload.caller, file, payload.options, (done, total) => ctx.progress(done, total));
    return report as unknown as Record<string, unknown>;
  }
}
