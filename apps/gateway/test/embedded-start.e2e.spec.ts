import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '#shared/config/index.js';
import { runCli } from '../../cli/src/cli.js';
import { startGateway } from '../src/bootstrap.js';
import { gql } from './graphql-client.js';

/** What a new user gets from `npm start`: no DATABASE_URL, no REDIS_URL, an empty data directory. */
describe('first start on the embedded default', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'linkage-first-start-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates, migrates and seeds the embedded database, serves GraphQL, and keeps the data for the next start', async () => {
    const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'error' });
    expect(config.database.mode).toBe('embedded');
    const gw = await startGateway(config, { port: 0 });
    try {
      expect(gw.connection.kind).toBe('embedded');
      const res = await gql(gw.url, '{ departments { code } me { role department { code } } }', { key: gw.seeded!.demoKeys[0]!.key });
      expect(res.data!.departments.length).toBeGreaterThanOrEqual(13);
      expect(res.data!.me).toEqual({ role: 'LEADING', department: { code: 'JXW' } });

      // While the gateway holds the data directory, the CLI says so instead of opening it.
      const errors: string[] = [];
      const code = await runCli(['apikey', 'list'], () => undefined, (l) => errors.push(l), { DATA_DIR: dir });
      expect(code).toBe(1);
      expect(errors.join('\n')).toMatch(/in use by process \d+ \(gateway/);
    } finally {
      await gw.close();
    }

    // Now the CLI can open it; the second gateway start finds the data and does not seed again.
    const lines: string[] = [];
    expect(await runCli(['apikey', 'create', '--department', 'KW'], (l) => lines.push(l), (l) => lines.push(l), { DATA_DIR: dir })).toBe(0);
    const key = lines[lines.length - 1]!;
    const again = await startGateway(config, { port: 0 });
    try {
      expect(again.seeded).toBeNull();
      const me = await gql(again.url, '{ me { department { code } } }', { key });
      expect(me.data!.me.department.code).toBe('KW');
    } finally {
      await again.close();
    }
  });
});
