import { TaskTicker } from '#consultation';
import { CreditTicker } from '#credit';
import 'reflect-metadata';
import { Logger, ValidationPipe, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SeedService, type SeedReport } from '#platform';
import { WebhookTicker } from '#integration';
import type { AppConfig } from '#shared/config/index.js';
import { ValidationError, type Clock } from '#shared/core/index.js';
import { openDatabase, type DatabaseConnection } from '#shared/database/index.js';
import { InProcessRunner } from '#shared/queue/index.js';
import { GatewayModule } from './gateway.module.js';

export interface RunningGateway {
  app: INestApplication;
  connection: DatabaseConnection;
  url: string;
  seeded: SeedReport | null;
  close(): Promise<void>;
}

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Start the gateway: open the database (embedded or server), build the app, migrate and seed
 * an empty embedded database, listen. `close()` stops the app first, then the database.
 */
export async function startGateway(config: AppConfig, opts: { clock?: Clock; port?: number } = {}): Promise<RunningGateway> {
  const connection = await openDatabase(config, 'gateway');
  let app: NestExpressApplication | undefined;
  try {
    app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot({ config, connection, clock: opts.clock }), {
      logger: LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1),
      bodyParser: false,
      // Close idle keep-alive connections on shutdown instead of waiting for clients to drop them.
      forceCloseConnections: true,
    });
    app.useBodyParser('json', { limit: config.graphql.maxBody });
    app.useGlobalPipes(
      new ValidationPipe({
        transform: true,
        // Inputs without class-validator rules are validated by the domain, which names the field.
        forbidUnknownValues: false,
        exceptionFactory: (errors) =>
          new ValidationError(errors.flatMap((e) => Object.values(e.constraints ?? { invalid: 'is invalid' }).map((reason) => ({ field: e.property, reason })))),
      }),
    );
    const seeded = config.database.seedDemoOnEmpty ? await app.get(SeedService).seedIfEmpty(true) : null;
    if (config.queue.mode === 'in-process') {
      await app.get(InProcessRunner).resumeUnfinished();
      app.get(WebhookTicker).start();
      app.get(CreditTicker).start();
      app.get(TaskTicker).start();
    }
    await app.listen(opts.port ?? config.http.port, config.http.host);
    const addr = app.getHttpServer().address() as { port: number };
    const url = `http://localhost:${addr.port}`;
    const running = app;
    return {
      app: running,
      connection,
      url,
      seeded,
      async close() {
        await running.close();
        await connection.close();
      },
    };
  } catch (err) {
    await app?.close().catch(() => undefined);
    await connection.close();
    throw err;
  }
}

export function printWelcome(g: RunningGateway, config: AppConfig): void {
  const log = new Logger('Gateway');
  log.log(`GraphQL at ${g.url}/graphql  (health: ${g.url}/health)`);
  log.log(`database: ${g.connection.kind === 'embedded' ? `embedded PostgreSQL in ${config.database.dataDir}` : 'PostgreSQL server'}; jobs: ${config.queue.mode}`);
  if (g.seeded?.demoKeys.length) {
    log.log(`Loaded reference data and ${g.seeded.demoProjects} demo projects. Demo keys (send as "Authorization: Bearer <key>"):`);
    for (const k of g.seeded.demoKeys) log.log(`  ${k.departmentCode.padEnd(5)} ${k.role.padEnd(18)} ${k.key}`);
  }
}
