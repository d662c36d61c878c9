import { DataSource } from 'typeorm';

/** Apply pending migrations; returns the names applied (empty when the schema is current). */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  const applied = await ds.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}

/** Migrations not yet applied to this database. */
export async function pendingMigrations(ds: DataSource): Promise<boolean> {
  return ds.showMigrations();
}
