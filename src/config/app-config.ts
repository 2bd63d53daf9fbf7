import { RedisClusterSeeds } from './redis-cluster-nodes';

/** Where Redis is: one server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES, which wins). */
export type RedisServer = { kind: 'standalone'; url: string } | ({ kind: 'cluster' } & RedisClusterSeeds);

/**
 * The typed configuration every other part of Dispatch reads. Injected by class token; built once at boot
 * by `loadConfig` from the environment.
 */
export class AppConfig {
  env: 'development' | 'test' | 'production';
  http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    /** Take the client IP from X-Forwarded-For (only behind a trusted proxy). */
    trustProxy: boolean;
    corsOrigins: string[];
  };
  log: { level: string; pretty: boolean };
  db: {
    /** Every query (may point at a transaction-mode pooler such as PgBouncer). */
    url: string;
    /** The outbox relay's LISTEN session: a direct connection to Postgres (defaults to `url`). */
    listenUrl: string;
    poolSize: number;
    runMigrations: boolean;
  };
  redis: { server: RedisServer; keyPrefix: string };
  auth: { jwtSecret: string; accessTtlSeconds: number; refreshTtlDays: number };
  stripe: {
    mode: 'fake' | 'mock' | 'live';
    secretKey: string;
    webhookSecret: string;
    /** Base URL of a stripe-mock compatible server (mode mock); unset means api.stripe.com. */
    apiUrl?: string;
    /** Port of the in-process fake Stripe (mode fake); 0 picks a free port. */
    fakePort: number;
    timeoutMs: number;
    maxRetries: number;
  };
  orders: { paymentWindowSeconds: number; concurrency: number };
  queues: {
    attempts: number;
    backoffMs: number;
    completedRetentionSeconds: number;
    /** How long a worker's claim on a job lasts without renewal; a dead worker's job re-runs after it. */
    lockMs: number;
    stalledIntervalMs: number;
  };
  outbox: { batchSize: number; pollMs: number; retentionSeconds: number; stuckAfterSeconds: number };
  reconciler: { intervalMs: number };
  mail: {
    host: string;
    port: number;
    secure: boolean;
    user?: string;
    password?: string;
    from: string;
    /** Run our SMTP capture server on host:port (development and tests; listed at GET /v1/dev/mailbox). */
    capture: boolean;
    adminAlertEmail: string;
    concurrency: number;
  };
  /** /metrics: bearer token (required in production); the worker serves it on its own port. */
  metrics: { token?: string; workerPort: number };
  queueHealth: { maxWaiting: number; maxFailed: number };
  documents: { dir: string; seller: { name: string; addressLines: string[]; vatId?: string } };
  erp: {
    mode: 'fake' | 'http';
    url?: string;
    username: string;
    password: string;
    timeoutMs: number;
    concurrency: number;
    ratePerSecond: number;
    breakerFailures: number;
    breakerOpenMs: number;
    fakePort: number;
  };
  rateLimit: { windowMs: number; max: number; authMax: number };
  catalog: { cacheTtlSeconds: number };
  seed: { enabled: boolean; adminEmail?: string; adminPassword?: string };
  /** Chaos testing: failpoint name → the hit on which the process kills itself. Empty in production. */
  failpoints: Record<string, number>;
}
