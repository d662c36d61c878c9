import { ConsultationModule } from '#consultation';
import { DedupModule } from '#dedup';
import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, type AppConfig } from '#shared/config/index.js';
import { CoreModule, type Clock } from '#shared/core/index.js';
import { DatabaseModule, type DatabaseConnection } from '#shared/database/index.js';
import { QueueModule } from '#shared/queue/index.js';
import { IdentityModule } from '#identity';
import { ReferenceModule } from '#reference';
import { RegistryModule } from '#registry';
import { IntegrationModule } from '#integration';
import { ReportModule } from '#report';
import { SeedService } from './seed.service.js';

export interface PlatformOptions {
  config: AppConfig;
  connection: DatabaseConnection;
  /** Run queued jobs in this process (the worker; always so without Redis). */
  processJobs: boolean;
  clock?: Clock;
}

/**
 * The composition root of the domain: configuration, database, queue and every domain lib.
 * The gateway, the worker and the CLI each import it and add their own entry points.
 */
@Module({})
export class PlatformModule {
  static forRoot(opts: PlatformOptions): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(opts.config),
        CoreModule.forRoot(opts.clock),
        DatabaseModule.forRoot(opts.config, opts.connection),
        QueueModule.forRoot(opts.config, { processJobs: opts.processJobs || opts.config.queue.mode === 'in-process' }),
        ReferenceModule,
        IdentityModule,
        RegistryModule,
        DedupModule,
        IntegrationModule,
        ConsultationModule,
        ReportModule,
      ],
      providers: [SeedService],
      exports: [ReferenceModule, IdentityModule, RegistryModule, DedupModule, IntegrationModule, ConsultationModule, ReportModule, SeedService],
    };
  }
}
