import { NestFactory } from '@nestjs/core';
import { PlatformModule } from '#platform';
import { loadConfig } from '#shared/config/index.js';
import { JobName, QueueService } from '#shared/queue/index.js';
import { redisAvailable, resetDatabase, testConfig, testConnection, testDbKind } from '#shared/testing/index.js';
import { startWorker } from './worker.js';

describe(`worker process (${testDbKind()} database)`, () => {
  it('refuses to start without Redis, naming REDIS_URL', async () => {
    await expect(startWorker(loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1:1/x' }))).rejects.toThrow(/REDIS_URL: is not set/);
  });

  (redisAvailable() ? it : it.skip)('processes a job a gateway enqueued on real Redis', async () => {
    await resetDatabase();
    const config = testConfig({ REDIS_URL: process.env.REDIS_URL });
    const worker = await startWorker(config);
    const producer = await NestFactory.createApplicationContext(PlatformModule.forRoot({ config, connection: testConnection(), processJobs: false }), { logger: false });
    try {
      const queue = producer.get(QueueService);
      const run = await queue.enqueue(JobName.SystemPing, { message: 'via redis', steps: 2 });
      const done = await queue.waitFor(run.id, { timeoutMs: 20_000 });
      expect(done).toMatchObject({ status: 'completed', progressDone: 2, result: { echo: 'via redis' } });
    } finally {
      await producer.close();
      await worker.close();
    }
  });
});
