import type { AppConfig } from '../config/config.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

/** Where the platform's database is, for this process. Opened before Nest starts, closed after it stops. */
export interface DatabaseConnection {
  readonly kind: 'postgres' | 'embedded';
  readonly url: string;
  readonly poolSize: number;
  close(): Promise<void>;
}

export async function openDatabase(config: AppConfig, command = 'platform'): Promise<DatabaseConnection> {
  const { database } = config;
  if (database.mode === 'postgres' && database.url) {
    return { kind: 'postgres', url: database.url, poolSize: database.poolSize, close: async () => undefined };
  }
  const embedded = await startEmbeddedPostgres(database.dataDir, command);
  return { kind: 'embedded', url: embedded.url, poolSize: 1, close: () => embedded.close() };
}
