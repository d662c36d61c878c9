import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DomainError } from '../core/errors.js';
import { acquireDataDirLock, startEmbeddedPostgres } from './embedded-postgres.js';

describe('embedded PostgreSQL', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'linkage-embedded-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps its data across a restart and speaks the PostgreSQL protocol, Chinese included', async () => {
    const first = await startEmbeddedPostgres(dir, 'test');
    const c1 = new pg.Client({ connectionString: first.url });
    await c1.connect();
    await c1.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await c1.query(`CREATE TABLE t (name text)`);
    await c1.query(`INSERT INTO t VALUES ($1)`, ['上海市科学技术委员会']);
    await c1.end();
    await first.close();

    const second = await startEmbeddedPostgres(dir, 'test');
    const c2 = new pg.Client({ connectionString: second.url });
    await c2.connect();
    const rows = (await c2.query(`SELECT name, similarity(name, '上海市科委') > 0 AS similar FROM t`)).rows;
    expect(rows).toEqual([{ name: '上海市科学技术委员会', similar: true }]);
    await c2.end();
    await second.close();
  });

  it('refuses a second process on the same data directory, naming the holder', () => {
    const holder = { pid: process.ppid, startedAt: new Date().toISOString(), command: 'gateway' };
    writeFileSync(join(dir, 'platform.lock'), JSON.stringify(holder));
    expect(() => acquireDataDirLock(dir, 'cli')).toThrow(DomainError);
    expect(() => acquireDataDirLock(dir, 'cli')).toThrow(new RegExp(`in use by process ${process.ppid} \\(gateway`));
  });

  it('clears a lock left by a process that died', () => {
    writeFileSync(join(dir, 'platform.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, startedAt: '2026-01-01T00:00:00Z', command: 'gateway' }));
    const release = acquireDataDirLock(dir, 'cli');
    expect(() => acquireDataDirLock(dir, 'other')).toThrow(new RegExp(`in use by process ${process.pid} \\(cli`));
    release();
    acquireDataDirLock(dir, 'again')();
  });
});
