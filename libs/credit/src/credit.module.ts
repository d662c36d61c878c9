import { Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { HistoryModule } from '#history';
import { ReferenceModule } from '#reference';
import { HandlesJob, JobName, QueueService, scheduleDaily, type JobHandler, type JobResult } from '#shared/queue/index.js';
import { CreditService } from './credit.service.js';

/** The daily credit job: expire records, re-check the open applications new records concern. */
@Injectable()
@HandlesJob(JobName.CreditDaily)
export class CreditDailyHandler implements JobHandler<JobName.CreditDaily> {
  constructor(private readonly credit: CreditService) {}

  handle(): Promise<JobResult<JobName.CreditDaily>> {
    return this.credit.daily();
  }
}

/** Enqueues the daily credit job once per calendar day (the job id is the date, so several processes enqueue it once). */
@Injectable()
export class CreditTicker implements OnModuleDestroy {
  private stop: (() => void) | null = null;
  constructor(private readonly queue: QueueService) {}

  start(everyMs?: number): void {
    this.stop ??= scheduleDaily(this.queue, JobName.CreditDaily, 'credit-daily', everyMs);
  }

  onModuleDestroy(): void {
    this.stop?.();
    this.stop = null;
  }
}

@Module({
  imports: [HistoryModule, ReferenceModule],
  providers: [CreditService, CreditDailyHandler, CreditTicker],
  exports: [CreditService, CreditTicker],
})
export class CreditModule {}
