import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { JobRunEntity } from './job-run.entity.js';

export interface JobRun {
  id: string;
  name: string;
  status: JobRunEntity['status'];
  payload: unknown;
  result: unknown;
  error: string | null;
  progressDone: number;
  progressTotal: number | null;
  attempts: number;
  maxAttempts: number;
  requestedBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** The only place the job_run table is queried. */
@Injectable()
export class JobRunRepository {
  constructor(@InjectRepository(JobRunEntity) private readonly repo: Repository<JobRunEntity>) {}

  /** Insert a queued run unless one with this id exists; returns the run and whether it is new. */
  async createIfAbsent(run: Pick<JobRun, 'id' | 'name' | 'payload' | 'maxAttempts' | 'requestedBy'>): Promise<{ run: JobRun; created: boolean }> {
    const inserted = await this.repo
      .createQueryBuilder()
      .insert()
      .values({
        id: run.id,
        name: run.name,
        status: 'queued',
        payload: run.payload as object,
        progressDone: 0,
        attempts: 0,
        maxAttempts: run.maxAttempts,
        requestedBy: run.requestedBy,
        createdAt: new Date(),
      })
      .orIgnore()
      .returning('id')
      .execute();
    const created = (inserted.raw as unknown[]).length > 0;
    const existing = await this.get(run.id);
    if (!existing) throw new Error(`job_run ${run.id} vanished after insert`);
    return { run: existing, created };
  }

  get(id: string): Promise<JobRun | null> {
    return this.repo.findOneBy({ id });
  }

  async markRunning(id: string, attempt: number): Promise<void> {
    await this.repo.update({ id }, { status: 'running', attempts: attempt, startedAt: new Date(), error: null });
  }

  async progress(id: string, done: number, total?: number): Promise<void> {
    await this.repo.update({ id }, total === undefined ? { progressDone: done } : { progressDone: done, progressTotal: total });
  }

  async complete(id: string, result: unknown): Promise<void> {
    await this.repo.update({ id }, { status: 'completed', result: result as object, finishedAt: new Date(), error: null });
  }

  /** A failed try: back to queued when another try follows, failed when none does. */
  async fail(id: string, error: string, final: boolean): Promise<void> {
    await this.repo.update({ id }, final ? { status: 'failed', error, finishedAt: new Date() } : { status: 'queued', error });
  }

  /** Runs a previous process left unfinished (for the in-process runner to pick up again). */
  unfinished(): Promise<JobRun[]> {
    return this.repo.find({ where: { status: In(['queued', 'running']) }, order: { createdAt: 'ASC' } });
  }
}
