import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { AppConfig } from '../config/config.js';
import { InProcessRunner } from './in-process-runner.js';
import { JobExecutor } from './job-executor.js';
import { JobHandlerRegistry } from './job-handler.js';
import { PLATFORM_QUEUE } from './job-names.js';
import { JobRunEntity } from './job-run.entity.js';
import { JobRunRepository } from './job-run.repository.js';
import { BullMqDispatcher, InProcessDispatcher, QueueService } from './queue.service.js';
import { redisOptionsFromUrl } from './redis-options.js';
import { PlatformJobProcessor } from './bullmq.processor.js';
import { SystemPingHandler } from './system-ping.handler.js';

export interface QueueModuleOptions {
  /** Process jobs in this process: the worker app with Redis; always true without Redis. */
  processJobs: boolean;
}

/**
 * The queue facade. With REDIS_URL: BullMQ (producers everywhere, processing in the worker).
 * Without: an in-process runner in the gateway. Either way callers use QueueService only.
 */
@Module({})
export class QueueModule {
  static forRoot(config: AppConfig, opts: QueueModuleOptions): DynamicModule {
    const common: Provider[] = [JobRunRepository, JobHandlerRegistry, JobExecutor, SystemPingHandler];
    const base = { module: QueueModule, global: true, exports: [QueueService, JobRunRepository] };
    if (config.queue.mode === 'redis' && config.queue.redisUrl) {
      return {
        ...base,
        imports: [
          DiscoveryModule,
          TypeOrmModule.forFeature([JobRunEntity]),
          BullModule.forRoot({ connection: redisOptionsFromUrl(config.queue.redisUrl), prefix: config.queue.prefix }),
          BullModule.registerQueue({ name: PLATFORM_QUEUE }),
        ],
        providers: [
          ...common,
          ...(opts.processJobs ? [PlatformJobProcessor] : []),
          {
            provide: QueueService,
            inject: [JobRunRepository, getQueueToken(PLATFORM_QUEUE)],
            useFactory: (runs: JobRunRepository, queue: Queue) => new QueueService(runs, new BullMqDispatcher(queue)),
          },
        ],
        exports: [...base.exports, BullModule],
      };
    }
    return {
      ...base,
      imports: [DiscoveryModule, TypeOrmModule.forFeature([JobRunEntity])],
      providers: [
        ...common,
        {
          provide: InProcessRunner,
          inject: [JobExecutor, JobRunRepository],
          useFactory: (executor: JobExecutor, runs: JobRunRepository) => new InProcessRunner(executor, runs, config.queue.concurrency),
        },
        {
          provide: QueueService,
          inject: [JobRunRepository, InProcessRunner],
          useFactory: (runs: JobRunRepository, runner: InProcessRunner) => new QueueService(runs, new InProcessDispatcher(runner)),
        },
      ],
      exports: [...base.exports, InProcessRunner],
    };
  }
}
