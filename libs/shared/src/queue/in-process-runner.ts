import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { JobExecutor } from './job-executor.js';
import { JobRunRepository } from './job-run.repository.js';

interface Pending {
  runId: string;
  name: string;
  payload: unknown;
  attempt: number;
  maxAttempts: number;
}

/**
 * Runs jobs inside this process when there is no Redis (the embedded default).
 * Same handlers, same ledger, same retries with exponential backoff as the BullMQ worker.
 * Jobs a previous process left queued or running are picked up again by resumeUnfinished(),
 * which the gateway calls once the schema is migrated.
 */
@Injectable()
export class InProcessRunner implements OnModuleDestroy {
  private readonly log = new Logger('InProcessRunner');
  private readonly waiting: Pending[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private active = 0;
  private stopping = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly executor: JobExecutor,
    private readonly runs: JobRunRepository,
    private readonly concurrency: number,
    private readonly backoffMs = 1000,
  ) {}

  async resumeUnfinished(): Promise<number> {
    const left = await this.runs.unfinished();
    for (const run of left) {
      this.log.log(`resuming ${run.name} ${run.id} left unfinished by an earlier process`);
      this.submit({ runId: run.id, name: run.name, payload: run.payload, attempt: run.attempts + 1, maxAttempts: Math.max(run.maxAttempts, run.attempts + 1) });
    }
    return left.length;
  }

  submit(job: Pending): void {
    if (this.stopping) return; // left queued in the ledger; the next start resumes it
    this.waiting.push(job);
    setImmediate(() => this.pump());
  }

  /** Resolves when nothing is running or waiting (tests and the CLI use it). */
  idle(): Promise<void> {
    if (this.active === 0 && this.waiting.length === 0 && this.timers.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (!this.stopping && this.active < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.active++;
      void this.run(job).finally(() => {
        this.active--;
        this.pump();
        this.checkIdle();
      });
    }
    this.checkIdle();
  }

  private async run(job: Pending): Promise<void> {
    try {
      const outcome = await this.executor.attempt(job.runId, job.name, job.payload, job.attempt, job.maxAttempts);
      if (outcome.kind === 'failed' && !outcome.final && !this.stopping) {
        const delay = this.backoffMs * 2 ** (job.attempt - 1);
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.submit({ ...job, attempt: job.attempt + 1 });
        }, delay);
        this.timers.add(timer);
      }
    } catch (err) {
      // The ledger itself failed (database gone): leave the run as it is for the next start.
      this.log.error(`job ${job.runId} could not be recorded: ${(err as Error).message}`);
    }
  }

  private checkIdle(): void {
    if (this.active === 0 && this.waiting.length === 0 && this.timers.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((w) => w());
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.waiting.length = 0;
    while (this.active > 0) await new Promise((r) => setTimeout(r, 20));
    this.checkIdle();
  }
}
