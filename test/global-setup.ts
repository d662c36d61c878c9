import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '#shared/database/index.js';

declare global {
  // Shared with global-teardown (same process, same global scope).
  var __embeddedTestDb: EmbeddedPostgres | undefined;
}

/**
 * With DATABASE_URL set (CI), tests use that PostgreSQL server. Without it (a new user's
 * machine), one embedded database serves the whole run, reached through the same driver.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_DB_KIND = 'postgres';
    console.log(`\ntests use PostgreSQL at ${process.env.DATABASE_URL.replace(/\/\/[^@]*@/, '//')}${process.env.REDIS_URL ? ` and Redis at ${process.env.REDIS_URL}` : ', no Redis'}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'linkage-test-db-'));
  const db = await startEmbeddedPostgres(dir, 'jest');
  globalThis.__embeddedTestDb = db;
  process.env.DATABASE_URL = db.url;
  process.env.DB_POOL_SIZE = '1';
  process.env.TEST_DB_KIND = 'embedded';
  console.log(`\ntests use the embedded database (${dir})${process.env.REDIS_URL ? ` and Redis at ${process.env.REDIS_URL}` : ', no Redis'}`);
}
