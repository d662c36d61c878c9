import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Every environment variable the platform reads, validated once at start.
 * `.env.example` documents each of them; keep the two in step.
 */
const intFrom = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const postgresUrl = z
  .string()
  .url('must be a URL such as postgres://user:pass@host:5432/db')
  .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must start with postgres:// or postgresql://');

const redisUrl = z
  .string()
  .url('must be a URL such as redis://host:6379')
  .refine((u) => /^rediss?:\/\//.test(u), 'must start with redis:// or rediss://');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: intFrom(1, 65535).default(3000),
  DATABASE_URL: postgresUrl.optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DB_POOL_SIZE: intFrom(1, 200).optional(),
  DB_LOG_QUERIES: bool.default(false),
  REDIS_URL: redisUrl.optional(),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]{1,40}$/i, 'must be 1-40 letters, digits, - or _')
    .default('linkage'),
  JOB_CONCURRENCY: intFrom(1, 64).default(2),
  AUTO_MIGRATE: bool.optional(),
  SEED_DEMO_ON_EMPTY: bool.optional(),
  GRAPHQL_MAX_DEPTH: intFrom(2, 50).default(10),
  GRAPHQL_MAX_COMPLEXITY: intFrom(10, 100000).default(2000),
  GRAPHQL_MAX_BODY: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must be a size such as 512kb or 1mb')
    .default('1mb'),
  GRAPHQL_PLAYGROUND: bool.optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
});

export type DatabaseMode = 'postgres' | 'embedded';
export type QueueMode = 'redis' | 'in-process';

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  http: { host: string; port: number };
  database: {
    mode: DatabaseMode;
    /** Set when mode is `postgres`. */
    url?: string;
    /** Where the embedded database keeps its files (mode `embedded`). */
    dataDir: string;
    poolSize: number;
    logQueries: boolean;
    /** Run pending migrations when the gateway starts. */
    autoMigrate: boolean;
    /** Load reference and demo data when the database holds no departments yet. */
    seedDemoOnEmpty: boolean;
  };
  queue: { mode: QueueMode; redisUrl?: string; prefix: string; concurrency: number };
  graphql: { maxDepth: number; maxComplexity: number; maxBody: string; playground: boolean };
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}\nSee .env.example for every variable and its meaning.`);
    this.name = 'ConfigError';
  }
}

/** Validate the environment and build the typed configuration; throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  // An empty string means "not set", as in a docker-compose file with `FOO=`.
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v.trim() !== '') cleaned[key] = v.trim();
  }
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0] ?? '?');
        const shown = cleaned[name] === undefined ? '' : ` (got "${cleaned[name]}")`;
        return `${name}: ${i.message}${shown}`;
      }),
    );
  }
  const e = parsed.data;
  const embedded = !e.DATABASE_URL;
  return {
    env: e.NODE_ENV,
    http: { host: e.HOST, port: e.PORT },
    database: {
      mode: embedded ? 'embedded' : 'postgres',
      url: e.DATABASE_URL,
      dataDir: resolve(e.DATA_DIR),
      // The embedded database is one session underneath: one connection keeps transactions whole.
      poolSize: embedded ? 1 : (e.DB_POOL_SIZE ?? 10),
      logQueries: e.DB_LOG_QUERIES,
      autoMigrate: e.AUTO_MIGRATE ?? embedded,
      seedDemoOnEmpty: e.SEED_DEMO_ON_EMPTY ?? embedded,
    },
    queue: {
      mode: e.REDIS_URL ? 'redis' : 'in-process',
      redisUrl: e.REDIS_URL,
      prefix: e.QUEUE_PREFIX,
      concurrency: e.JOB_CONCURRENCY,
    },
    graphql: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxComplexity: e.GRAPHQL_MAX_COMPLEXITY,
      maxBody: e.GRAPHQL_MAX_BODY,
      playground: e.GRAPHQL_PLAYGROUND ?? e.NODE_ENV !== 'production',
    },
    logLevel: e.LOG_LEVEL,
  };
}

/** The variable names the platform reads (for documentation checks). */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);
