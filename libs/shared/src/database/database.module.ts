import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/config.js';
import type { DatabaseConnection } from './connection.js';
import { dataSourceOptions } from './data-source.js';

export const DATABASE_CONNECTION = Symbol('DATABASE_CONNECTION');

/**
 * The TypeORM data source for a process. The connection (a server URL, or the embedded
 * database this process opened) is made before Nest starts and closed after it stops,
 * because Nest shuts modules down before the data source would be done with it.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig, connection: DatabaseConnection): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(connection, {
            migrationsRun: config.database.autoMigrate,
            logging: config.database.logQueries,
          }),
          autoLoadEntities: true,
        }),
      ],
      providers: [{ provide: DATABASE_CONNECTION, useValue: connection }],
      exports: [DATABASE_CONNECTION],
    };
  }
}
