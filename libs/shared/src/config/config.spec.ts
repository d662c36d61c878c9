import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../core/project-root.js';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to the embedded database and in-process jobs on port 3000', () => {
    const c = loadConfig({});
    expect(c.http.port).toBe(3000);
    expect(c.database.mode).toBe('embedded');
    expect(c.database.poolSize).toBe(1);
    expect(c.database.autoMigrate).toBe(true);
    expect(c.database.seedDemoOnEmpty).toBe(true);
    expect(c.queue.mode).toBe('in-process');
    expect(c.database.dataDir).toMatch(/data$/);
  });

  it('uses PostgreSQL and Redis when their URLs are given, without auto-migration', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/linkage', REDIS_URL: 'redis://cache:6379', DB_POOL_SIZE: '20' });
    expect(c.database).toMatchObject({ mode: 'postgres', url: 'postgres://u:p@db:5432/linkage', poolSize: 20, autoMigrate: false, seedDemoOnEmpty: false });
    expect(c.queue).toMatchObject({ mode: 'redis', redisUrl: 'redis://cache:6379' });
  });

  it('lets PORT override the port and treats empty values as unset', () => {
    expect(loadConfig({ PORT: '8080' }).http.port).toBe(8080);
    expect(loadConfig({ PORT: '', DATABASE_URL: '  ' }).database.mode).toBe('embedded');
  });

  it.each([
    [{ PORT: 'abc' }, /PORT: must be a whole number \(got "abc"\)/],
    [{ PORT: '70000' }, /PORT: must be between 1 and 65535/],
    [{ DATABASE_URL: 'mysql://x@y/z' }, /DATABASE_URL: must start with postgres:\/\//],
    [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL: /],
    [{ AUTO_MIGRATE: 'maybe' }, /AUTO_MIGRATE: must be true or false/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL: /],
    [{ GRAPHQL_MAX_BODY: 'huge' }, /GRAPHQL_MAX_BODY: must be a size/],
  ])('rejects %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'x', JOB_CONCURRENCY: '0' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect((err as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(['JOB_CONCURRENCY', 'PORT']);
    }
  });

  it('is documented variable by variable in .env.example', () => {
    const example = readFileSync(join(projectRoot(), '.env.example'), 'utf8');
    for (const name of CONFIG_VARIABLES) expect(example).toMatch(new RegExp(`^#?\\s*${name}=`, 'm'));
  });
});
