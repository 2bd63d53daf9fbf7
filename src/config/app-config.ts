import { Env } from './env.schema';
import { parseRedisClusterNodes, RedisClusterSeeds } from './redis-cluster-nodes';

/** Where Redis is: one server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES, which wins). */
export type RedisServer = { kind: 'standalone'; url: string } | ({ kind: 'cluster' } & RedisClusterSeeds);

/**
 * The typed configuration, built once from the validated environment. Each variable is declared once, in
 * env.schema.ts; its place in the config is written once, here; the type is derived from this function.
 */
export function appConfigFrom(env: Env) {
  const stripeFake = env.STRIPE_MODE === 'fake';
  const erpFake = env.ERP_MODE === 'fake';
  const smtpCapture = env.SMTP_CAPTURE ?? env.NODE_ENV !== 'production';
  const failpoints: Record<string, number> = Object.fromEntries(
    (env.FAILPOINTS ?? '')
      .split(',')
      .filter(Boolean)
      .map((entry) => entry.split('='))
      .map(([name, hit]) => [name, Number(hit)]),
  );
  return {
    env: env.NODE_ENV,
    http: {
      host: env.HOST,
      port: env.PORT,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      /** Take the client IP from X-Forwarded-For (only behind a trusted proxy). */
      trustProxy: env.TRUST_PROXY,
      corsOrigins: env.CORS_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    },
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY ?? env.NODE_ENV === 'development' },
    db: {
      /** Every query (may point at a transaction-mode pooler such as PgBouncer). */
      url: env.DATABASE_URL,
      /** The outbox relay's LISTEN session: a direct connection to Postgres (defaults to `url`). */
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
      /** Where the SDK sends its requests (fake and mock modes); unset means api.stripe.com. */
      apiUrl: env.STRIPE_API_URL ?? (stripeFake ? `http://127.0.0.1:${env.FAKE_STRIPE_PORT}` : undefined),
      timeoutMs: env.STRIPE_TIMEOUT_MS,
      maxRetries: env.STRIPE_MAX_RETRIES,
    },
    orders: { paymentWindowSeconds: env.PAYMENT_WINDOW_SECONDS, concurrency: env.ORDERS_CONCURRENCY },
    queues: {
      attempts: env.JOB_ATTEMPTS,
      backoffMs: env.JOB_BACKOFF_MS,
      completedRetentionSeconds: env.JOB_COMPLETED_RETENTION_SECONDS,
      /** How long a worker's claim on a job lasts without renewal; a dead worker's job re-runs after it. */
      lockMs: env.JOB_LOCK_MS,
      stalledIntervalMs: env.JOB_STALLED_INTERVAL_MS,
      /** How long a job waits for its Redlock lock (e.g. the order's) before the attempt is retried. */
      lockWaitMs: env.JOB_LOCK_WAIT_MS,
    },
    outbox: {
      batchSize: env.OUTBOX_BATCH_SIZE,
      pollMs: env.OUTBOX_POLL_MS,
      retentionSeconds: env.OUTBOX_RETENTION_SECONDS,
      stuckAfterSeconds: env.OUTBOX_STUCK_AFTER_SECONDS,
    },
    reconciler: {
      intervalMs: env.RECONCILER_INTERVAL_MS,
      /** Refunds pending at Stripe (or given up by Dispatch) this long are checked with Stripe, once per period. */
      refundCheckSeconds: env.RECONCILER_REFUND_CHECK_SECONDS,
    },
    mail: {
      host: env.SMTP_HOST,
      port: env.SMTP_PORT,
      secure: env.SMTP_SECURE,
      user: env.SMTP_USER,
      password: env.SMTP_PASSWORD,
      from: env.SMTP_FROM,
      adminAlertEmail: env.ADMIN_ALERT_EMAIL,
      concurrency: env.NOTIFICATIONS_CONCURRENCY,
    },
    /** /metrics: bearer token (required in production); the worker serves it on its own port. */
    metrics: { token: env.METRICS_TOKEN, workerPort: env.METRICS_PORT },
    queueHealth: { maxWaiting: env.QUEUE_MAX_WAITING, maxFailed: env.QUEUE_MAX_FAILED },
    documents: {
      dir: env.DOCUMENTS_DIR,
      concurrency: env.DOCUMENTS_CONCURRENCY,
      seller: {
        name: env.SELLER_NAME,
        addressLines: env.SELLER_ADDRESS.split('|'),
        vatId: env.SELLER_VAT_ID,
      },
    },
    erp: {
      mode: env.ERP_MODE,
      url: env.ERP_URL ?? (erpFake ? `http://127.0.0.1:${env.FAKE_ERP_PORT}` : undefined),
      username: env.ERP_USERNAME,
      // Fake mode: credentials only have to match between our client and our fake ERP.
      password: env.ERP_PASSWORD ?? 'dispatch-erp-secret',
      timeoutMs: env.ERP_TIMEOUT_MS,
      concurrency: env.ERP_CONCURRENCY,
      ratePerSecond: env.ERP_RATE_LIMIT_PER_SECOND,
      breakerFailures: env.ERP_BREAKER_FAILURES,
      breakerOpenMs: env.ERP_BREAKER_OPEN_MS,
    },
    rateLimit: {
      windowMs: env.RATE_LIMIT_WINDOW_MS,
      max: env.RATE_LIMIT_MAX,
      authMax: env.AUTH_RATE_LIMIT_MAX,
    },
    catalog: { cacheTtlSeconds: env.CATALOG_CACHE_TTL_SECONDS },
    /**
     * Development tooling (src/dev, not in the production build): loaded when any of it is asked for. The
     * production modules only read the endpoints above; only the dev module knows the fakes.
     */
    dev: {
      enabled:
        stripeFake || erpFake || smtpCapture || env.SEED_TEST_DATA || Object.keys(failpoints).length > 0,
      /** This process starts the fakes on their configured ports (exactly one process of a setup does). */
      serveFakes: env.DEV_SERVE_FAKES ?? env.NODE_ENV === 'development',
      stripe: stripeFake ? { port: env.FAKE_STRIPE_PORT } : null,
      erp: erpFake ? { port: env.FAKE_ERP_PORT } : null,
      /** Our SMTP capture receives the mail (at SMTP_HOST:SMTP_PORT) and lists it at apiUrl. */
      smtpCapture: smtpCapture ? { apiUrl: env.SMTP_CAPTURE_API_URL } : null,
      seed: {
        enabled: env.SEED_TEST_DATA,
        adminEmail: env.SEED_ADMIN_EMAIL,
        adminPassword: env.SEED_ADMIN_PASSWORD,
      },
      /** Chaos testing: failpoint name → the hit on which the process kills itself. Empty in production. */
      failpoints,
    },
  };
}

type AppConfigValues = ReturnType<typeof appConfigFrom>;

/**
 * The configuration every other part of Dispatch reads, injected by this class token and built once at boot
 * by `loadConfig`. Its fields are those of `appConfigFrom` (declaration merging: the class is the token, the
 * interface its shape).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface AppConfig extends AppConfigValues {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class AppConfig {}

/** Both inputs were validated by the schema and crossFieldProblems: one of them is set and well-formed. */
function redisServer(url: string | undefined, clusterNodes: string | undefined): RedisServer {
  if (clusterNodes)
    return { kind: 'cluster', ...(parseRedisClusterNodes(clusterNodes) as RedisClusterSeeds) };
  return { kind: 'standalone', url: url! };
}
