import { Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { HistoryModule } from '#history';
import { ReferenceModule } from '#reference';
import { HandlesJob, JobName, QueueService, type JobHandler, type JobResult } from '#shared/queue/index.js';
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
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly queue: QueueService) {}

  /** First a minute after start, then every `everyMs`. */
  start(everyMs = 3_600_000): void {
    if (this.timer) return;
    const tick = () => void this.queue.enqueue(JobName.CreditDaily, {}, { jobId: `credit-daily-${new Date().toISOString().slice(0, 10)}`, attempts: 3 }).catch(() => undefined);
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
  imports: [HistoryModule, ReferenceModule],
  providers: [CreditService, CreditDailyHandler, CreditTicker],
  exports: [CreditService, CreditTicker],
})
export class CreditModule {}
