import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { loadConfig, type AppConfig } from '../config/config.js';
import type { DatabaseConnection } from '../database/connection.js';

/** Which database the test run uses: a PostgreSQL server (CI) or the embedded one. */
export function testDbKind(): 'postgres' | 'embedded' {
  return process.env.TEST_DB_KIND === 'embedded' ? 'embedded' : 'postgres';
}

export function redisAvailable(): boolean {
  return Boolean(process.env.REDIS_URL);
}

/** Configuration for a test: the run's database, Redis only when asked for and available. */
export function testConfig(overrides: Record<string, string | undefined> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DATABASE_URL: process.env.DATABASE_URL,
    DB_POOL_SIZE: process.env.DB_POOL_SIZE,
    QUEUE_PREFIX: `test-${randomUUID().slice(0, 8)}`,
    AUTO_MIGRATE: 'true',
    SEED_DEMO_ON_EMPTY: 'false',
    ...overrides,
  });
}

/** Empty the run's database (drop and recreate the public schema); migrations then start from nothing. */
export async function resetDatabase(url = process.env.DATABASE_URL): Promise<void> {
  if (!url) throw new Error('no test database: run the tests through jest (test/global-setup)');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP SCHEMA IF EXISTS public CASCADE');
    await client.query('CREATE SCHEMA public');
  } finally {
    await client.end();
  }
}

/** A connection to the run's database for a Nest module under test (closing it leaves the database running). */
export function testConnection(): DatabaseConnection {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('no test database: run the tests through jest (test/global-setup)');
  return { kind: testDbKind(), url, poolSize: Number(process.env.DB_POOL_SIZE ?? 5), close: async () => undefined };
}
