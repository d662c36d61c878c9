import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { ValidationError } from '../core/errors.js';
import type { InProcessRunner } from './in-process-runner.js';
import type { JobName, JobPayload } from './job-names.js';
import { JobRunRepository, type JobRun } from './job-run.repository.js';

export interface EnqueueOptions {
  /** A deterministic id makes the enqueue idempotent: the same id never runs twice. */
  jobId?: string;
  /** Tries in all, including the first (default 3). */
  attempts?: number;
  /** The department that asked for it, if any. */
  requestedBy?: string | null;
}

/** Where queued work goes: BullMQ on Redis, or this process. */
export interface JobDispatcher {
  dispatch(run: JobRun): Promise<void>;
}

const JOB_ID = /^[A-Za-z0-9_.-]{1,120}$/;

/**
 * The one way to enqueue work. Records the run in the job_run ledger (so its status and
 * progress are visible the same way in both modes), then hands it to the dispatcher.
 */
@Injectable()
export class QueueService {
  constructor(
    private readonly runs: JobRunRepository,
    private readonly dispatcher: JobDispatcher,
  ) {}

  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>, opts: EnqueueOptions = {}): Promise<JobRun> {
    const id = opts.jobId ?? randomUUID();
    if (!JOB_ID.test(id)) throw ValidationError.field('jobId', 'must be 1-120 letters, digits, ".", "_" or "-"');
    const attempts = opts.attempts ?? 3;
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > 20) throw ValidationError.field('attempts', 'must be a whole number from 1 to 20');
    const { run, created } = await this.runs.createIfAbsent({ id, name, payload, maxAttempts: attempts, requestedBy: opts.requestedBy ?? null });
    if (created) await this.dispatcher.dispatch(run);
    return run;
  }

  get(id: string): Promise<JobRun | null> {
    return this.runs.get(id);
  }

  /** Poll the ledger until the run finishes (CLI and tests). */
  async waitFor(id: string, opts: { timeoutMs?: number; intervalMs?: number; onProgress?: (run: JobRun) => void } = {}): Promise<JobRun> {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      const run = await this.runs.get(id);
      if (!run) throw new Error(`job ${id} does not exist`);
      opts.onProgress?.(run);
      if (run.status === 'completed' || run.status === 'failed') return run;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${run.status} after ${opts.timeoutMs ?? 60_000} ms`);
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
    }
  }
}

export class InProcessDispatcher implements JobDispatcher {
  constructor(private readonly runner: InProcessRunner) {}
  async dispatch(run: JobRun): Promise<void> {
    this.runner.submit({ runId: run.id, name: run.name, payload: run.payload, attempt: 1, maxAttempts: run.maxAttempts });
  }
}

export class BullMqDispatcher implements JobDispatcher {
  constructor(private readonly queue: Queue) {}
  async dispatch(run: JobRun): Promise<void> {
    await this.queue.add(
      run.name,
      { runId: run.id, payload: run.payload },
      {
        jobId: run.id,
        attempts: run.maxAttempts,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
        removeOnFail: { age: 30 * 24 * 3600 },
      },
    );
  }
}
