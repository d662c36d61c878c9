import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '#shared/core/index.js';
import { CONFIG_VARIABLES, loadConfig } from '#shared/config/index.js';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

/** No Docker engine runs here: the compose file is checked as data, against what the code expects. */
describe('docker-compose.yml', () => {
  const root = projectRoot();
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
  const s = compose.services;

  it('runs postgres, redis, the gateway and the worker', () => {
    expect(Object.keys(s)).toEqual(expect.arrayContaining(['postgres', 'redis', 'gateway', 'worker']));
    expect(s.postgres!.image).toMatch(/^postgres:1[5-9]/);
    expect(s.redis!.image).toMatch(/^redis:7/);
  });

  it('builds the gateway and worker from the Dockerfile in the repository, with commands that exist in the build', () => {
    expect(existsSync(join(root, 'Dockerfile'))).toBe(true);
    expect(s.gateway!.build).toBe('.');
    expect(s.worker!.image).toBe(s.gateway!.image);
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    for (const name of ['gateway', 'worker', 'migrate']) {
      const script = s[name]!.command!.find((c) => c.endsWith('.js'))!;
      expect(script).toMatch(/^dist\/apps\/(gateway|worker|cli)\/src\/main\.js$/);
      expect(existsSync(join(root, script.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    }
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toMatch(/COPY --from=build \/app\/seeds/);
  });

  it('wires valid database and Redis URLs that point at the compose services', () => {
    for (const name of ['gateway', 'worker', 'migrate']) {
      const env = Object.fromEntries(Object.entries(s[name]!.environment!).map(([k, v]) => [k, String(v).replace(/\$\{POSTGRES_PASSWORD:-([^}]*)\}/, '$1')]));
      for (const key of Object.keys(env)) expect(CONFIG_VARIABLES).toContain(key);
      const config = loadConfig(env);
      expect(config.database.mode).toBe('postgres');
      expect(new URL(config.database.url!).hostname).toBe('postgres');
      expect(config.queue.mode).toBe('redis');
      expect(new URL(config.queue.redisUrl!).hostname).toBe('redis');
    }
  });

  it('publishes the gateway port and persists data in volumes', () => {
    expect(s.gateway!.ports).toContain('3000:3000');
    expect(s.postgres!.volumes!.some((v) => v.startsWith('pgdata:'))).toBe(true);
    expect(s.redis!.volumes!.some((v) => v.startsWith('redisdata:'))).toBe(true);
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['pgdata', 'redisdata']));
  });

  it('starts services only when what they need is healthy, and checks their own health', () => {
    for (const name of ['postgres', 'redis', 'gateway']) expect(s[name]!.healthcheck?.test.length).toBeGreaterThan(0);
    expect(s.gateway!.healthcheck!.test.join(' ')).toContain('/health');
    for (const name of ['gateway', 'worker']) {
      expect(s[name]!.depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
  });
});
