import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConnection } from './connection.js';
import { MIGRATIONS } from './migrations/index.js';

/** TypeORM options shared by the gateway, the worker, the CLI and the tests. Migrations only; never synchronize. */
export function dataSourceOptions(
  conn: Pick<DatabaseConnection, 'url' | 'poolSize'>,
  opts: { entities?: DataSourceOptions['entities']; migrationsRun?: boolean; logging?: boolean } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url: conn.url,
    entities: opts.entities ?? [],
    migrations: MIGRATIONS,
    migrationsRun: opts.migrationsRun ?? false,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: opts.logging ? ['query', 'error'] : ['error'],
    extra: { max: conn.poolSize, connectionTimeoutMillis: 30_000 },
    applicationName: 'st-linkage',
  } as DataSourceOptions;
}
