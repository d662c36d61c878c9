import type { JobName } from './job-names.js';
import type { QueueService } from './queue.service.js';

/**
 * Enqueue a payload-less job once per calendar day: first a minute after start, then every `everyMs`,
 * with the date in the job id, so any number of processes enqueue it once a day. Returns a stop function.
 */
export function scheduleDaily(queue: QueueService, name: JobName, idPrefix: string, everyMs = 3_600_000): () => void {
  let timer: NodeJS.Timeout;
  const tick = () => void queue.enqueue(name, {} as never, { jobId: `${idPrefix}-${new Date().toISOString().slice(0, 10)}`, attempts: 3 }).catch(() => undefined);
  timer = setTimeout(() => {
    tick();
    timer = setInterval(tick, everyMs);
    timer.unref();
  }, 60_000);
  timer.unref();
  return () => clearTimeout(timer);
}
