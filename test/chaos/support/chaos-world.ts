import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { FakeErpServer } from '../../../src/dev/fakes/erp/fake-erp.server';
import { SmtpCaptureServer } from '../../../src/dev/fakes/smtp/smtp-capture.server';
import { FakeStripeServer } from '../../../src/dev/fakes/stripe/fake-stripe.server';
import { AppProcess, freePort } from '../../setup/app-process';
import { waitFor } from '../../setup/wait-for';
import { PrivatePostgres } from './private-postgres';
import { PrivateRedis } from './private-redis';
import { RoundRobinProxy } from './round-robin-proxy';

export type Role = 'api' | 'worker';
/** One process of the setup: its role and its number (1 or 2: the suite runs two of each). */
export interface Replica {
  role: Role;
  n: number;
}
export const REPLICAS_PER_ROLE = 2;

const WEBHOOK_SECRET = 'whsec_chaos_suite';
const ERP_PASSWORD = 'chaos-erp-secret';
const nameOf = ({ role, n }: Replica) => `${role}-${n}`;

/**
 * Everything the chaos suite runs: its own Postgres and Redis servers, the fake Stripe, the fake ERP and an
 * SMTP capture in this process (they are the outside world and must outlive the crashes), two api and two
 * worker processes (`node dist/*.js` children) under a supervisor that restarts a child that died unasked, as
 * systemd or Kubernetes would, and a round-robin load balancer in front of the apis for Stripe's webhooks.
 */
export class ChaosWorld {
  private readonly processes = new Map<string, AppProcess>();
  /** Every process started, in order (their logs stay readable after they exit). */
  readonly history: { replica: Replica; process: AppProcess; failpoints?: string }[] = [];
  readonly crashes: Record<Role, number> = { api: 0, worker: 0 };
  private readonly stopping = new Set<AppProcess>();
  private closed = false;

  private constructor(
    readonly pg: PrivatePostgres,
    readonly redis: PrivateRedis,
    readonly stripe: FakeStripeServer,
    readonly erp: FakeErpServer,
    readonly smtp: SmtpCaptureServer,
    private readonly balancer: RoundRobinProxy,
    readonly databaseUrl: string,
    readonly apiPorts: number[],
    private readonly documentsDir: string,
  ) {}

  static async create(): Promise<ChaosWorld> {
    const pg = await PrivatePostgres.start();
    const redis = await PrivateRedis.start();
    const apiPorts: number[] = [];
    for (let n = 0; n < REPLICAS_PER_ROLE; n++) apiPorts.push(await freePort());
    const balancer = await RoundRobinProxy.start(() => apiPorts);
    const stripe = await FakeStripeServer.start({
      webhook: { url: `http://127.0.0.1:${balancer.port}/v1/payments/webhook`, secret: WEBHOOK_SECRET },
      // Stripe keeps retrying for days; compressed here so a delivery outlives any outage the suite injects.
      webhookRetryDelaysMs: [200, 500, 1000, 2000, 3000, 5000, 8000, 13000],
    });
    const erp = await FakeErpServer.start({ username: 'dispatch', password: ERP_PASSWORD });
    const smtp = await SmtpCaptureServer.start({ keep: 100_000 });
    const databaseUrl = await pg.createDatabase('dispatch_chaos');
    const documentsDir = mkdtempSync(path.join(tmpdir(), 'dispatch-chaos-docs-'));
    return new ChaosWorld(pg, redis, stripe, erp, smtp, balancer, databaseUrl, apiPorts, documentsDir);
  }

  /** REDIS_KEY_PREFIX of every replica (the queues' keys are `<prefix>{<queue>}:…`). */
  readonly keyPrefix = 'chaos:';

  /** Every replica of the setup, apis first. */
  get replicas(): Replica[] {
    return (['api', 'worker'] as Role[]).flatMap((role) =>
      Array.from({ length: REPLICAS_PER_ROLE }, (_, i) => ({ role, n: i + 1 })),
    );
  }

  /** The apis' base URLs, one per replica (the shoppers spread their requests over them). */
  get apiUrls(): string[] {
    return this.apiPorts.map((port) => `http://127.0.0.1:${port}`);
  }

  /** The process running a replica now, if any. */
  process(replica: Replica): AppProcess | undefined {
    return this.processes.get(nameOf(replica));
  }

  env({ role, n }: Replica, failpoints?: string): Record<string, string> {
    return {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: role === 'api' ? String(this.apiPorts[n - 1]) : '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
      DATABASE_URL: this.databaseUrl,
      DATABASE_POOL_SIZE: '10',
      REDIS_URL: this.redis.url,
      REDIS_KEY_PREFIX: this.keyPrefix,
      JWT_SECRET: 'chaos-secret-0123456789-abcdefghijklmnop',
      STRIPE_MODE: 'mock',
      STRIPE_API_URL: this.stripe.url,
      STRIPE_SECRET_KEY: 'sk_test_chaos',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_TIMEOUT_MS: '3000',
      STRIPE_MAX_RETRIES: '1',
      ERP_MODE: 'http',
      ERP_URL: this.erp.url,
      ERP_PASSWORD,
      ERP_TIMEOUT_MS: '2000',
      ERP_BREAKER_OPEN_MS: '1000',
      ERP_RATE_LIMIT_PER_SECOND: '200',
      SMTP_CAPTURE: 'false',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(this.smtp.port),
      DOCUMENTS_DIR: this.documentsDir,
      RATE_LIMIT_MAX: '10000000',
      AUTH_RATE_LIMIT_MAX: '10000000',
      PAYMENT_WINDOW_SECONDS: '20',
      JOB_ATTEMPTS: '8',
      JOB_BACKOFF_MS: '200',
      // A job lease long enough that a busy machine's slow lock renewal never looks like a dead worker.
      JOB_LOCK_MS: '10000',
      JOB_STALLED_INTERVAL_MS: '1000',
      OUTBOX_POLL_MS: '100',
      OUTBOX_STUCK_AFTER_SECONDS: '5',
      RECONCILER_INTERVAL_MS: '1000',
      ...(failpoints ? { FAILPOINTS: failpoints } : {}),
    };
  }

  /** Starts a replica (replacing nothing: the previous one must be gone) and waits until it is ready. */
  async start(replica: Replica, failpoints?: string): Promise<AppProcess> {
    const entry = replica.role === 'api' ? 'main.js' : 'worker.js';
    const child = AppProcess.start(entry, this.env(replica, failpoints));
    this.processes.set(nameOf(replica), child);
    this.history.push({ replica, process: child, failpoints });
    void child.exited.then((code) => this.onExit(replica, child, code));
    await this.ready(replica.role, child);
    return child;
  }

  /** Stops a replica on purpose (the supervisor does not restart it) and resolves with how it exited. */
  async stop(replica: Replica, signal: NodeJS.Signals): Promise<number | NodeJS.Signals | null> {
    const child = this.processes.get(nameOf(replica));
    if (!child) return null;
    this.stopping.add(child);
    this.processes.delete(nameOf(replica));
    return child.stop(signal);
  }

  /**
   * Resolves when the supervisor has restarted a replica after a crash (or it is already running again).
   * A generous limit: on a busy machine a start takes long, and only a start that never comes is a failure.
   */
  async waitForRestart(replica: Replica, after: AppProcess, timeoutMs = 180_000): Promise<AppProcess> {
    const current = await waitFor(
      async () => {
        const running = this.processes.get(nameOf(replica));
        return running && running !== after && running.child.exitCode === null ? running : undefined;
      },
      { timeoutMs, intervalMs: 100, what: `${nameOf(replica)} to be restarted` },
    );
    await this.ready(replica.role, current);
    return current;
  }

  /** The api answers /health/ready; the worker has no HTTP surface, so its boot line tells. */
  private async ready(role: Role, child: AppProcess): Promise<void> {
    if (role === 'api') return child.waitUntilReady(180_000);
    await waitFor(
      async () => {
        if (child.child.exitCode !== null)
          throw new Error(`worker exited early:\n${child.stderr}${child.stdout.slice(-4000)}`);
        return child.logLines().some((line) => line.context === 'Bootstrap' && line.role === 'worker');
      },
      { timeoutMs: 180_000, intervalMs: 100, what: 'the worker to start' },
    );
  }

  /** Log lines of every process of a role started so far. */
  logs(role?: Role): Record<string, unknown>[] {
    return this.history.filter((h) => !role || h.replica.role === role).flatMap((h) => h.process.logLines());
  }

  /** Writes every process's output under the system temp dir, for reading after a failed run. */
  dumpLogs(): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'dispatch-chaos-logs-'));
    this.history.forEach(({ replica, process: child }, n) =>
      writeFileSync(path.join(dir, `${n}-${nameOf(replica)}.log`), `${child.stdout}\n${child.stderr}`),
    );
    process.stdout.write(`chaos: process logs written to ${dir}\n`);
    return dir;
  }

  private onExit(replica: Replica, child: AppProcess, code: number | NodeJS.Signals | null): void {
    if (this.stopping.has(child) || this.closed) return;
    this.crashes[replica.role]++;
    if (this.processes.get(nameOf(replica)) === child) this.processes.delete(nameOf(replica));
    // Restart as a supervisor would, without the failpoint that crashed it.
    setTimeout(() => {
      if (this.closed || this.processes.has(nameOf(replica))) return;
      void this.start(replica).catch((error: Error) => {
        process.stderr.write(
          `chaos supervisor: restarting ${nameOf(replica)} after ${String(code)} failed: ${error.message}\n`,
        );
      });
    }, 300);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.replicas.map((replica) => this.stop(replica, 'SIGKILL')));
    await Promise.all([this.stripe.stop(), this.erp.stop(), this.smtp.stop(), this.balancer.stop()]);
    await this.redis.destroy();
    await this.pg.destroy();
    rmSync(this.documentsDir, { recursive: true, force: true });
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
