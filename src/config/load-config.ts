import { loadEnvFile } from './env-file';
import { AppConfig, RedisServer } from './app-config';
import { crossFieldProblems, envSchema } from './env.schema';
import { parseRedisClusterNodes, RedisClusterSeeds } from './redis-cluster-nodes';

export class InvalidConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidConfigError';
  }
}

/** Validates the whole environment at once; throws naming every missing or malformed variable. */
export function loadConfig(source: Record<string, string | undefined>): AppConfig {
  // Empty strings count as unset, so `FOO=` in an env file falls back to the default or is reported missing.
  const raw = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(raw);
  const problems = [
    ...(parsed.error?.issues ?? []).map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      const message =
        issue.code === 'invalid_type' && raw[name] === undefined ? 'is required' : issue.message;
      return `${name} ${message}`;
    }),
    ...crossFieldProblems(raw).map(({ name, message }) => `${name} ${message}`),
  ];
  if (!parsed.success || problems.length) throw new InvalidConfigError([...new Set(problems)].sort());
  const env = parsed.data;
  return Object.assign(new AppConfig(), {
    env: env.NODE_ENV,
    http: {
      host: env.HOST,
      port: env.PORT,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      trustProxy: env.TRUST_PROXY,
      corsOrigins: env.CORS_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    },
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY ?? env.NODE_ENV === 'development' },
    db: {
      url: env.DATABASE_URL,
      listenUrl: env.DATABASE_LISTEN_URL ?? env.DATABASE_URL,
      poolSize: env.DATABASE_POOL_SIZE,
      runMigrations: env.DATABASE_RUN_MIGRATIONS,
    },
    redis: { server: redisServer(env.REDIS_URL, env.REDIS_CLUSTER_NODES), keyPrefix: env.REDIS_KEY_PREFIX },
    auth: {
      jwtSecret: env.JWT_SECRET,
      accessTtlSeconds: env.JWT_ACCESS_TTL_SECONDS,
      refreshTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
    },
    stripe: {
      mode: env.STRIPE_MODE,
      // Fake mode needs no real credentials; these only have to match between our client and our fake.
      secretKey: env.STRIPE_SECRET_KEY ?? 'sk_test_dispatch_fake',
      webhookSecret: env.STRIPE_WEBHOOK_SECRET ?? 'whsec_dispatch_fake',
      apiUrl: env.STRIPE_API_URL,
      fakePort: env.FAKE_STRIPE_PORT,
      timeoutMs: env.STRIPE_TIMEOUT_MS,
      maxRetries: env.STRIPE_MAX_RETRIES,
    },
    orders: { paymentWindowSeconds: env.PAYMENT_WINDOW_SECONDS, concurrency: env.ORDERS_CONCURRENCY },
    queues: {
      attempts: env.JOB_ATTEMPTS,
      backoffMs: env.JOB_BACKOFF_MS,
      completedRetentionSeconds: env.JOB_COMPLETED_RETENTION_SECONDS,
      lockMs: env.JOB_LOCK_MS,
      stalledIntervalMs: env.JOB_STALLED_INTERVAL_MS,
    },
    outbox: {
      batchSize: env.OUTBOX_BATCH_SIZE,
      pollMs: env.OUTBOX_POLL_MS,
      retentionSeconds: env.OUTBOX_RETENTION_SECONDS,
      stuckAfterSeconds: env.OUTBOX_STUCK_AFTER_SECONDS,
    },
    reconciler: { intervalMs: env.RECONCILER_INTERVAL_MS },
    mail: {
      host: env.SMTP_HOST,
      port: env.SMTP_PORT,
      secure: env.SMTP_SECURE,
      user: env.SMTP_USER,
      password: env.SMTP_PASSWORD,
      from: env.SMTP_FROM,
      capture: env.SMTP_CAPTURE ?? env.NODE_ENV !== 'production',
      adminAlertEmail: env.ADMIN_ALERT_EMAIL,
      concurrency: env.NOTIFICATIONS_CONCURRENCY,
    },
    metrics: { token: env.METRICS_TOKEN, workerPort: env.METRICS_PORT },
    queueHealth: { maxWaiting: env.QUEUE_MAX_WAITING, maxFailed: env.QUEUE_MAX_FAILED },
    documents: {
      dir: env.DOCUMENTS_DIR,
      seller: {
        name: env.SELLER_NAME,
        addressLines: env.SELLER_ADDRESS.split('|'),
        vatId: env.SELLER_VAT_ID,
      },
    },
    erp: {
      mode: env.ERP_MODE,
      url: env.ERP_URL,
      username: env.ERP_USERNAME,
      // Fake mode: credentials only have to match between our client and our fake ERP.
      password: env.ERP_PASSWORD ?? 'dispatch-erp-secret',
      timeoutMs: env.ERP_TIMEOUT_MS,
      concurrency: env.ERP_CONCURRENCY,
      ratePerSecond: env.ERP_RATE_LIMIT_PER_SECOND,
      breakerFailures: env.ERP_BREAKER_FAILURES,
      breakerOpenMs: env.ERP_BREAKER_OPEN_MS,
      fakePort: env.FAKE_ERP_PORT,
    },
    rateLimit: {
      windowMs: env.RATE_LIMIT_WINDOW_MS,
      max: env.RATE_LIMIT_MAX,
      authMax: env.AUTH_RATE_LIMIT_MAX,
    },
    catalog: { cacheTtlSeconds: env.CATALOG_CACHE_TTL_SECONDS },
    seed: {
      enabled: env.SEED_TEST_DATA,
      adminEmail: env.SEED_ADMIN_EMAIL,
      adminPassword: env.SEED_ADMIN_PASSWORD,
    },
    failpoints: Object.fromEntries(
      (env.FAILPOINTS ?? '')
        .split(',')
        .filter(Boolean)
        .map((entry) => entry.split('='))
        .map(([name, hit]) => [name, Number(hit)]),
    ),
  } satisfies AppConfig);
}

/** Both inputs were validated by the schema and crossFieldProblems: one of them is set and well-formed. */
function redisServer(url: string | undefined, clusterNodes: string | undefined): RedisServer {
  if (clusterNodes)
    return { kind: 'cluster', ...(parseRedisClusterNodes(clusterNodes) as RedisClusterSeeds) };
  return { kind: 'standalone', url: url! };
}

/** The process's configuration: `.env.local` (when present) under the real environment, validated. */
export function loadProcessConfig(): AppConfig {
  loadEnvFile();
  return loadConfig(process.env);
}
