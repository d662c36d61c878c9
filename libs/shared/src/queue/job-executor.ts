import { Injectable, Logger } from '@nestjs/common';
import { isPermanentError } from '../core/errors.js';
import { JobHandlerRegistry } from './job-handler.js';
import { isJobName } from './job-names.js';
import { JobRunRepository } from './job-run.repository.js';

export type AttemptOutcome =
  | { kind: 'completed'; result: unknown }
  | { kind: 'failed'; error: Error; permanent: boolean; final: boolean };

/**
 * Runs one try of one job, whichever runner called it (BullMQ worker or in-process),
 * and keeps the job_run ledger in step. Handlers never see which runner it is.
 */
@Injectable()
export class JobExecutor {
  private readonly log = new Logger('Jobs');

  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly runs: JobRunRepository,
  ) {}

  async attempt(runId: string, name: string, payload: unknown, attempt: number, maxAttempts: number): Promise<AttemptOutcome> {
    const handler = isJobName(name) ? this.registry.get(name) : undefined;
    if (!handler) {
      const error = new Error(`No handler for job "${name}" in this process`);
      await this.runs.fail(runId, error.message, true);
      return { kind: 'failed', error, permanent: true, final: true };
    }
    await this.runs.markRunning(runId, attempt);
    try {
      const result = await handler.handle(payload as never, {
        runId,
        attempt,
        progress: (done, total) => this.runs.progress(runId, done, total),
      });
      await this.runs.complete(runId, result);
      return { kind: 'completed', result };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      const permanent = isPermanentError(error);
      const final = permanent || attempt >= maxAttempts;
      await this.runs.fail(runId, error.message, final);
      this.log.warn(`${name} ${runId} try ${attempt}/${maxAttempts} failed${final ? ' for good' : ''}: ${error.message}`);
      return { kind: 'failed', error, permanent, final };
    }
  }
}
