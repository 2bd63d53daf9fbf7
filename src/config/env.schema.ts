import { z } from 'zod';

import { parseRedisClusterNodes } from './redis-cluster-nodes';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL with protocol ${protocols.join(' or ')}` },
  );

/**
 * Every environment variable Dispatch reads. Defaults are for development only: secrets have none,
 * and `crossFieldProblems` below forbids dev conveniences in production.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(0, 65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.optional(),

  DATABASE_URL: url(['postgres:', 'postgresql:']),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  DATABASE_RUN_MIGRATIONS: bool.default(true),
  // The relay's LISTEN needs a session of its own: a direct connection, never a transaction-mode pooler.
  DATABASE_LISTEN_URL: url(['postgres:', 'postgresql:']).optional(),

  // Required unless REDIS_CLUSTER_NODES is set (checked in crossFieldProblems).
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  REDIS_CLUSTER_NODES: z
    .string()
    .superRefine((value, ctx) => {
      const parsed = parseRedisClusterNodes(value);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
    })
    .optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 : _ -')
    .default('dispatch:'),

  JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
  JWT_ACCESS_TTL_SECONDS: int(30, 86400).default(900),
  REFRESH_TOKEN_TTL_DAYS: int(1, 365).default(30),

  STRIPE_MODE: z.enum(['fake', 'mock', 'live']).default('fake'),
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  STRIPE_API_URL: url(['http:', 'https:']).optional(),
  FAKE_STRIPE_PORT: int(0, 65535).default(12111),
  STRIPE_TIMEOUT_MS: int(100, 120_000).default(10_000),
  STRIPE_MAX_RETRIES: int(0, 10).default(2),

  PAYMENT_WINDOW_SECONDS: int(10, 7 * 86400).default(1800),
  JOB_ATTEMPTS: int(1, 50).default(5),
  JOB_BACKOFF_MS: int(10, 600_000).default(2000),
  JOB_COMPLETED_RETENTION_SECONDS: int(60, 30 * 86400).default(86400),
  ORDERS_CONCURRENCY: int(1, 200).default(10),
  JOB_LOCK_MS: int(500, 600_000).default(30_000),
  JOB_STALLED_INTERVAL_MS: int(500, 600_000).default(30_000),
  JOB_LOCK_WAIT_MS: int(0, 600_000).default(5_000),
  OUTBOX_BATCH_SIZE: int(1, 5000).default(200),
  OUTBOX_POLL_MS: int(10, 60_000).default(1000),
  OUTBOX_RETENTION_SECONDS: int(120, 90 * 86400).default(7 * 86400),
  OUTBOX_STUCK_AFTER_SECONDS: int(1, 86400).default(60),
  RECONCILER_INTERVAL_MS: int(100, 3_600_000).default(60_000),
  RECONCILER_REFUND_CHECK_SECONDS: int(1, 86_400).default(300),

  SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  SMTP_PORT: int(0, 65535).default(2525),
  SMTP_SECURE: bool.default(false),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  SMTP_FROM: z.string().min(3).default('Dispatch <no-reply@dispatch.local>'),
  SMTP_CAPTURE: bool.optional(),
  SMTP_CAPTURE_API_URL: url(['http:']).default('http://127.0.0.1:2526'),
  ADMIN_ALERT_EMAIL: z.email().default('ops@dispatch.local'),
  NOTIFICATIONS_CONCURRENCY: int(1, 100).default(5),

  DOCUMENTS_DIR: z.string().min(1).default('./var/documents'),
  DOCUMENTS_CONCURRENCY: int(1, 50).default(2),
  SELLER_NAME: z.string().min(1).default('Dispatch Demo Store'),
  SELLER_ADDRESS: z.string().min(1).default('1 Commerce Street|10115 Berlin|Germany'),
  SELLER_VAT_ID: z.string().min(1).optional(),

  ERP_MODE: z.enum(['fake', 'http']).default('fake'),
  ERP_URL: url(['http:', 'https:']).optional(),
  ERP_USERNAME: z.string().min(1).default('dispatch'),
  ERP_PASSWORD: z.string().min(1).optional(),
  ERP_TIMEOUT_MS: int(100, 120_000).default(30_000),
  ERP_CONCURRENCY: int(1, 50).default(5),
  ERP_RATE_LIMIT_PER_SECOND: int(1, 10_000).default(10),
  ERP_BREAKER_FAILURES: int(1, 1000).default(5),
  ERP_BREAKER_OPEN_MS: int(100, 600_000).default(30_000),
  FAKE_ERP_PORT: int(0, 65535).default(12112),

  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_PORT: int(0, 65535).default(9464),
  QUEUE_MAX_WAITING: int(1, 10_000_000).default(1000),
  QUEUE_MAX_FAILED: int(0, 10_000_000).default(100),

  TRUST_PROXY: bool.default(false),
  BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024).default(65536),
  RATE_LIMIT_WINDOW_MS: int(100, 3_600_000).default(60_000),
  RATE_LIMIT_MAX: int(1, 10_000_000).default(300),
  AUTH_RATE_LIMIT_MAX: int(1, 10_000_000).default(20),
  CATALOG_CACHE_TTL_SECONDS: int(1, 86400).default(60),
  CORS_ORIGINS: z.string().default(''),

  // Development tooling (src/dev): this process starts the fakes (fake Stripe, fake ERP, SMTP capture) on their
  // configured ports. Exactly one process of a development setup does; the others use them over the network.
  DEV_SERVE_FAKES: bool.optional(),

  SEED_TEST_DATA: bool.default(false),
  SEED_ADMIN_EMAIL: z.email().optional(),
  SEED_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),

  // Chaos testing only: `name=N,...` makes the process SIGKILL itself the Nth time it passes that point.
  FAILPOINTS: z
    .string()
    .regex(/^[a-z][a-z.-]*=[1-9][0-9]*(,[a-z][a-z.-]*=[1-9][0-9]*)*$/, 'must look like name=N,name=N')
    .optional(),
});

const truthy = (value: string | undefined) => value === 'true' || value === '1';

/**
 * Rules that relate variables to each other. They read the raw values so that they are reported together
 * with every other problem, not only once the rest of the environment is valid.
 */
export function crossFieldProblems(
  raw: Record<string, string | undefined>,
): { name: string; message: string }[] {
  const problems: { name: string; message: string }[] = [];
  const production = raw.NODE_ENV === 'production';
  const stripeMode = raw.STRIPE_MODE ?? 'fake';
  if (!raw.REDIS_URL && !raw.REDIS_CLUSTER_NODES)
    problems.push({ name: 'REDIS_URL', message: 'is required (or REDIS_CLUSTER_NODES for a Redis Cluster)' });
  if (truthy(raw.SEED_TEST_DATA)) {
    if (production) problems.push({ name: 'SEED_TEST_DATA', message: 'must not be true in production' });
    if (!raw.SEED_ADMIN_EMAIL)
      problems.push({ name: 'SEED_ADMIN_EMAIL', message: 'is required when SEED_TEST_DATA=true' });
    if (!raw.SEED_ADMIN_PASSWORD) {
      problems.push({ name: 'SEED_ADMIN_PASSWORD', message: 'is required when SEED_TEST_DATA=true' });
    }
  }
  if (production && raw.FAILPOINTS)
    problems.push({ name: 'FAILPOINTS', message: 'must not be set in production' });
  if (production && stripeMode !== 'live')
    problems.push({ name: 'STRIPE_MODE', message: 'must be live in production' });
  if (stripeMode === 'mock' && !raw.STRIPE_API_URL) {
    problems.push({ name: 'STRIPE_API_URL', message: 'is required when STRIPE_MODE=mock' });
  }
  const retention = Number(raw.OUTBOX_RETENTION_SECONDS ?? 7 * 86400);
  const completedRetention = Number(raw.JOB_COMPLETED_RETENTION_SECONDS ?? 86400);
  if (retention <= completedRetention) {
    problems.push({
      name: 'OUTBOX_RETENTION_SECONDS',
      message:
        'must exceed JOB_COMPLETED_RETENTION_SECONDS (a re-sent outbox row must still be deduplicated)',
    });
  }
  if (raw.ERP_MODE === 'http') {
    for (const name of ['ERP_URL', 'ERP_PASSWORD']) {
      if (!raw[name]) problems.push({ name, message: 'is required when ERP_MODE=http' });
    }
  }
  if (production && raw.ERP_MODE !== 'http')
    problems.push({ name: 'ERP_MODE', message: 'must be http in production' });
  if (production && !raw.METRICS_TOKEN)
    problems.push({ name: 'METRICS_TOKEN', message: 'is required in production' });
  if (production && truthy(raw.SMTP_CAPTURE))
    problems.push({ name: 'SMTP_CAPTURE', message: 'must not be true in production' });
  if (production && truthy(raw.DEV_SERVE_FAKES))
    problems.push({ name: 'DEV_SERVE_FAKES', message: 'must not be true in production' });
  if (stripeMode !== 'fake') {
    for (const name of ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET']) {
      if (!raw[name]) problems.push({ name, message: `is required when STRIPE_MODE=${stripeMode}` });
    }
  }
  return problems;
}

export type Env = z.infer<typeof envSchema>;
