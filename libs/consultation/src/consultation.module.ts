import { Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { DedupModule } from '#dedup';
import { HistoryModule } from '#history';
import { ReferenceModule } from '#reference';
import { HandlesJob, JobName, QueueService, type JobHandler, type JobResult } from '#shared/queue/index.js';
import { MeetingService } from './meeting.service.js';
import { TaskService } from './task.service.js';

/** The daily mark of overdue follow-up tasks. */
@Injectable()
@HandlesJob(JobName.MarkOverdueTasks)
export class MarkOverdueTasksHandler implements JobHandler<JobName.MarkOverdueTasks> {
  constructor(private readonly tasks: TaskService) {}

  async handle(): Promise<JobResult<JobName.MarkOverdueTasks>> {
    return { marked: await this.tasks.markOverdue() };
  }
}

/** Enqueues the daily task mark once per calendar day (the job id is the date). */
@Injectable()
export class TaskTicker implements OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly queue: QueueService) {}

  /** First a minute after start, then every `everyMs`. */
  start(everyMs = 3_600_000): void {
    if (this.timer) return;
    const tick = () => void this.queue.enqueue(JobName.MarkOverdueTasks, {}, { jobId: `tasks-overdue-${new Date().toISOString().slice(0, 10)}`, attempts: 3 }).catch(() => undefined);
    this.timer = setTimeout(() => {
      tick();
      this.timer = setInterval(tick, everyMs);
      this.timer.unref();
    }, 60_000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

@Module({
  imports: [ReferenceModule, HistoryModule, DedupModule],
  providers: [TaskService, MeetingService, MarkOverdueTasksHandler, TaskTicker],
  exports: [TaskService, MeetingService, TaskTicker],
})
export class ConsultationModule {}
