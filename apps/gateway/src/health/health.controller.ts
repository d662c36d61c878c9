import { Controller, Get, HttpStatus, Inject, Optional, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { Response } from 'express';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#shared/config/index.js';
import { DATABASE_CONNECTION, type DatabaseConnection } from '#shared/database/index.js';
import { PLATFORM_QUEUE } from '#shared/queue/index.js';

interface Check {
  status: 'up' | 'down';
  mode: string;
  error?: string;
  ms?: number;
}

async function timed(mode: string, probe: () => Promise<unknown>): Promise<Check> {
  const started = Date.now();
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 3 s')), 3000))]);
    return { status: 'up', mode, ms: Date.now() - started };
  } catch (err) {
    return { status: 'down', mode, error: (err as Error).message };
  }
}

/** Liveness (the process answers) and readiness (its database, and Redis when configured, answer). */
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATABASE_CONNECTION) private readonly connection: DatabaseConnection,
    @Optional() private readonly moduleRef?: ModuleRef,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get()
  async health(@Res() res: Response): Promise<void> {
    return this.ready(res);
  }

  @Get('ready')
  async ready(@Res() res: Response): Promise<void> {
    const database = await timed(this.connection.kind, () => this.ds.query('SELECT 1'));
    let queue: Check = { status: 'up', mode: 'in-process' };
    if (this.config.queue.mode === 'redis') {
      const q = this.moduleRef?.get<Queue>(getQueueToken(PLATFORM_QUEUE), { strict: false });
      queue = await timed('redis', () => q!.getJobCounts('waiting'));
    }
    const ok = database.status === 'up' && queue.status === 'up';
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({ status: ok ? 'ok' : 'unavailable', checks: { database, queue } });
  }
}
