import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { JobExecutor } from './job-executor.js';
import { PLATFORM_QUEUE } from './job-names.js';

interface QueuedJobData {
  runId: string;
  payload: unknown;
}

/** The BullMQ side of the worker process: thin, every job goes to the shared executor. */
@Processor(PLATFORM_QUEUE)
export class PlatformJobProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly log = new Logger('PlatformJobProcessor');

  constructor(
    private readonly executor: JobExecutor,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.queue.concurrency;
    this.log.log(`processing "${PLATFORM_QUEUE}" with concurrency ${this.config.queue.concurrency}`);
  }

  async process(job: Job<QueuedJobData>): Promise<unknown> {
    const maxAttempts = job.opts.attempts ?? 1;
    const outcome = await this.executor.attempt(job.data.runId, job.name, job.data.payload, job.attemptsMade + 1, maxAttempts);
    if (outcome.kind === 'completed') return outcome.result;
    // Permanent failures are not retried by BullMQ; the ledger already says "failed".
    if (outcome.permanent) throw new UnrecoverableError(outcome.error.message);
    throw outcome.error;
  }
}
