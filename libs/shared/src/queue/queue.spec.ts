import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { PlatformModule } from '#platform';
import { resetDatabase, redisAvailable, testConfig, testConnection, testDbKind } from '../testing/index.js';
import { ValidationError } from '../core/errors.js';
import { InProcessRunner } from './in-process-runner.js';
import { JobName } from './job-names.js';
import { QueueService } from './queue.service.js';
import type { AppConfig } from '../config/config.js';

async function platform(config: AppConfig, processJobs: boolean): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(PlatformModule.forRoot({ config, connection: testConnection(), processJobs }), { logger: false });
}

/** The same scenarios, whichever runner executes the jobs. */
function queueScenarios(label: string, start: () => Promise<{ queue: QueueService; close: () => Promise<void> }>) {
  describe(label, () => {
    let queue: QueueService;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ queue, close } = await start());
    });
    afterAll(() => close());

    it('runs a job to completion with its progress and result recorded', async () => {
      const run = await queue.enqueue(JobName.SystemPing, { message: 'hello', steps: 4 });
      expect(run.status).toBe('queued');
      const done = await queue.waitFor(run.id, { timeoutMs: 20_000 });
      expect(done).toMatchObject({ status: 'completed', progressDone: 4, progressTotal: 4, attempts: 1, result: { echo: 'hello', steps: 4, attempt: 1 } });
      expect(done.finishedAt).toBeInstanceOf(Date);
    });

    it('retries a failing job and records each try', async () => {
      const run = await queue.enqueue(JobName.SystemPing, { message: 'flaky', failTimes: 1 }, { attempts: 3 });
      const done = await queue.waitFor(run.id, { timeoutMs: 30_000 });
      expect(done).toMatchObject({ status: 'completed', attempts: 2, result: { attempt: 2 } });
    });

    it('gives up after the last try and keeps the error', async () => {
      const run = await queue.enqueue(JobName.SystemPing, { message: 'doomed', failTimes: 5 }, { attempts: 2 });
      const done = await queue.waitFor(run.id, { timeoutMs: 30_000 });
      expect(done).toMatchObject({ status: 'failed', attempts: 2 });
      expect(done.error).toMatch(/planned failure on try 2/);
    });

    it('runs a job with a deterministic id once, however often it is enqueued', async () => {
      const id = `ping-once-${Date.now()}`;
      const [a, b] = [await queue.enqueue(JobName.SystemPing, { message: 'once' }, { jobId: id }), await queue.enqueue(JobName.SystemPing, { message: 'twice' }, { jobId: id })];
      expect(a.id).toBe(id);
      expect(b.id).toBe(id);
      const done = await queue.waitFor(id, { timeoutMs: 20_000 });
      expect(done.result).toMatchObject({ echo: 'once' });
      expect(done.attempts).toBe(1);
    });

    it('refuses bad options naming the field', async () => {
      await expect(queue.enqueue(JobName.SystemPing, { message: 'x' }, { jobId: 'has:colon' })).rejects.toThrow(ValidationError);
      await expect(queue.enqueue(JobName.SystemPing, { message: 'x' }, { attempts: 0 })).rejects.toThrow(/attempts: must be a whole number/);
    });
  });
}

describe(`queue facade (${testDbKind()} database)`, () => {
  beforeAll(() => resetDatabase());

  queueScenarios('in-process runner (no Redis)', async () => {
    const app = await platform(testConfig({ REDIS_URL: undefined }), false);
    await app.init();
    return { queue: app.get(QueueService), close: () => app.close() };
  });

  it('resumes a job an earlier process left queued', async () => {
    const config = testConfig({ REDIS_URL: undefined });
    const first = await platform(config, false);
    // Enqueue, then stop before the runner gets to it: the run stays queued in the ledger.
    const runner = first.get(InProcessRunner);
    await runner.onModuleDestroy();
    const run = await first.get(QueueService).enqueue(JobName.SystemPing, { message: 'left behind' });
    await first.close();

    const second = await platform(config, false);
    try {
      expect(await second.get(InProcessRunner).resumeUnfinished()).toBeGreaterThanOrEqual(1);
      const done = await second.get(QueueService).waitFor(run.id, { timeoutMs: 20_000 });
      expect(done).toMatchObject({ status: 'completed', result: { echo: 'left behind' } });
    } finally {
      await second.close();
    }
  });

  (redisAvailable() ? describe : describe.skip)('BullMQ on real Redis', () => {
    queueScenarios('worker process consuming the queue', async () => {
      const config = testConfig({ REDIS_URL: process.env.REDIS_URL });
      // A producer (as in the gateway) and a separate worker, as in production.
      const producer = await platform(config, false);
      const worker = await platform(config, true);
      await producer.init();
      await worker.init();
      return {
        queue: producer.get(QueueService),
        close: async () => {
          await worker.close();
          await producer.close();
        },
      };
    });
  });
});
