import { Column, Entity, PrimaryColumn } from 'typeorm';

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed';

/** The durable record of one job, whichever runner executes it. */
@Entity('job_run')
export class JobRunEntity {
  @PrimaryColumn('text') id!: string;
  @Column('text') name!: string;
  @Column('text') status!: JobStatus;
  @Column('jsonb') payload!: unknown;
  @Column('jsonb', { nullable: true }) result!: unknown;
  @Column('text', { nullable: true }) error!: string | null;
  @Column('bigint', { name: 'progress_done', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  progressDone!: number;
  @Column('bigint', {
    name: 'progress_total',
    nullable: true,
    transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) },
  })
  progressTotal!: number | null;
  @Column('int') attempts!: number;
  @Column('int', { name: 'max_attempts' }) maxAttempts!: number;
  @Column('uuid', { name: 'requested_by', nullable: true }) requestedBy!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt!: Date | null;
}
