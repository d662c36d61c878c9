import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const db = globalThis.__embeddedTestDb;
  if (!db) return;
  await db.close();
  rmSync(db.dataDir, { recursive: true, force: true });
}
