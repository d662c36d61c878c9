import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { JobName, JobPayload, JobResult } from './job-names.js';

export interface JobContext {
  readonly runId: string;
  /** 1 on the first try. */
  readonly attempt: number;
  /** Record progress (rows done out of total); visible through GraphQL and the CLI. */
  progress(done: number, total?: number): Promise<void>;
}

export interface JobHandler<N extends JobName = JobName> {
  handle(payload: JobPayload<N>, ctx: JobContext): Promise<JobResult<N>>;
}

/** Marks a provider as the handler of one job name. Exactly one handler per name. */
export const HandlesJob = DiscoveryService.createDecorator<JobName>();

@Injectable()
export class JobHandlerRegistry implements OnModuleInit {
  private readonly handlers = new Map<JobName, JobHandler>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: HandlesJob.KEY })) {
      const name = this.discovery.getMetadataByDecorator(HandlesJob, wrapper);
      if (!name || !wrapper.instance) continue;
      if (this.handlers.has(name)) throw new Error(`Two handlers for job "${name}"`);
      this.handlers.set(name, wrapper.instance as JobHandler);
    }
  }

  get(name: JobName): JobHandler | undefined {
    return this.handlers.get(name);
  }

  names(): JobName[] {
    return [...this.handlers.keys()];
  }
}
