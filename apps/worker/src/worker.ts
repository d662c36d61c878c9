import { TaskTicker } from '#consultation';
import { CreditTicker } from '#credit';
import 'reflect-metadata';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PlatformModule } from '#platform';
import { WebhookTicker } from '#integration';
import type { AppConfig } from '#shared/config/index.js';
import { ValidationError, type Clock } from '#shared/core/index.js';
import { openDatabase } from '#shared/database/index.js';

export interface RunningWorker {
  app: INestApplicationContext;
  close(): Promise<void>;
}

/**
 * The worker process: BullMQ processors for every job, nothing else. It needs Redis;
 * without REDIS_URL the gateway runs the same jobs itself and no worker is needed.
 */
export async function startWorker(config: AppConfig, opts: { clock?: Clock } = {}): Promise<RunningWorker> {
  if (config.queue.mode !== 'redis') {
    throw ValidationError.field('REDIS_URL', 'is not set: without Redis the gateway runs jobs itself and no worker is needed');
  }
  const connection = await openDatabase(config, 'worker');
  try {
    const app = await NestFactory.createApplicationContext(PlatformModule.forRoot({ config, connection, processJobs: true, clock: opts.clock }), {
      logger: ['error', 'warn', 'log'],
    });
    app.get(WebhookTicker).start();
    app.get(CreditTicker).start();
    app.get(TaskTicker).start();
    new Logger('Worker').log(`processing jobs from Redis (prefix "${config.queue.prefix}")`);
    return {
      app,
      async close() {
        await app.close();
        await connection.close();
      },
    };
  } catch (err) {
    await connection.close();
    throw err;
  }
}
