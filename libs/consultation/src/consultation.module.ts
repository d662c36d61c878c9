import { Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { DedupModule } from '#dedup';
import { HistoryModule } from '#history';
import { ReferenceModule } from '#reference';
import { HandlesJob, JobName, QueueService, scheduleDaily, type JobHandler, type JobResult } from '#shared/queue/index.js';
import { MeetingService } from './meeting.service.js';
import { ConsultationRequestService } from './request.service.js';
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
  private stop: (() => void) | null = null;
  constructor(private readonly queue: QueueService) {}

  start(everyMs?: number): void {
    this.stop ??= scheduleDaily(this.queue, JobName.MarkOverdueTasks, 'tasks-overdue', everyMs);
  }

  onModuleDestroy(): void {
    this.stop?.();
    this.stop = null;
  }
}

@Module({
  imports: [ReferenceModule, HistoryModule, DedupModule],
  providers: [TaskService, MeetingService, ConsultationRequestService, MarkOverdueTasksHandler, TaskTicker],
  exports: [TaskService, MeetingService, ConsultationRequestService, TaskTicker],
})
export class ConsultationModule {}
