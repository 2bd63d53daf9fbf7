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

export type Role = 'api' | 'worker';

const WEBHOOK_SECRET = 'whsec_chaos_suite';
const ERP_PASSWORD = 'chaos-erp-secret';

/**
 * Everything the chaos suite runs: its own Postgres and Redis servers, the fake Stripe, the fake ERP and an
 * SMTP capture in this process (they are the outside world and must outlive the crashes), and the api and
 * worker as `node dist/*.js` children under a supervisor that restarts a child that died unasked, as
 * systemd or Kubernetes would.
 */
export class ChaosWorld {
  readonly processes: Record<Role, AppProcess | undefined> = { api: undefined, worker: undefined };
  /** Every process started, in order (their logs stay readable after they exit). */
  readonly history: { role: Role; process: AppProcess; failpoints?: string }[] = [];
  readonly crashes: Record<Role, number> = { api: 0, worker: 0 };
  private readonly stopping = new Set<AppProcess>();
  private closed = false;

  private constructor(
    readonly pg: PrivatePostgres,
    readonly redis: PrivateRedis,
    readonly stripe: FakeStripeServer,
    readonly erp: FakeErpServer,
    readonly smtp: SmtpCaptureServer,
    readonly databaseUrl: string,
    readonly apiPort: number,
    private readonly documentsDir: string,
  ) {}

  static async create(): Promise<ChaosWorld> {
    const pg = await PrivatePostgres.start();
    const redis = await PrivateRedis.start();
    const apiPort = await freePort();
    const stripe = await FakeStripeServer.start({
      webhook: { url: `http://127.0.0.1:${apiPort}/v1/payments/webhook`, secret: WEBHOOK_SECRET },
      // Stripe keeps retrying for days; compressed here so a delivery outlives any outage the suite injects.
      webhookRetryDelaysMs: [200, 500, 1000, 2000, 3000, 5000, 8000, 13000],
    });
    const erp = await FakeErpServer.start({ username: 'dispatch', password: ERP_PASSWORD });
    const smtp = await SmtpCaptureServer.start({ keep: 100_000 });
    const databaseUrl = await pg.createDatabase('dispatch_chaos');
    const documentsDir = mkdtempSync(path.join(tmpdir(), 'dispatch-chaos-docs-'));
    return new ChaosWorld(pg, redis, stripe, erp, smtp, databaseUrl, apiPort, documentsDir);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  env(role: Role, failpoints?: string): Record<string, string> {
    return {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: role === 'api' ? String(this.apiPort) : '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
      DATABASE_URL: this.databaseUrl,
      DATABASE_POOL_SIZE: '10',
      REDIS_URL: this.redis.url,
      REDIS_KEY_PREFIX: 'chaos:',
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
      JOB_LOCK_MS: '3000',
      JOB_STALLED_INTERVAL_MS: '1000',
      OUTBOX_POLL_MS: '100',
      OUTBOX_STUCK_AFTER_SECONDS: '5',
      RECONCILER_INTERVAL_MS: '1000',
      ...(failpoints ? { FAILPOINTS: failpoints } : {}),
    };
  }

  /** Starts a role (replacing nothing: the previous one must be gone) and waits until it is ready. */
  async start(role: Role, failpoints?: string): Promise<AppProcess> {
    const entry = role === 'api' ? 'main.js' : 'worker.js';
    const child = AppProcess.start(entry, this.env(role, failpoints));
    this.processes[role] = child;
    this.history.push({ role, process: child, failpoints });
    void child.exited.then((code) => this.onExit(role, child, code));
    await this.ready(role, child);
    return child;
  }

  /** Stops a role on purpose (the supervisor does not restart it) and resolves with how it exited. */
  async stop(role: Role, signal: NodeJS.Signals): Promise<number | NodeJS.Signals | null> {
    const child = this.processes[role];
    if (!child) return null;
    this.stopping.add(child);
    this.processes[role] = undefined;
    return child.stop(signal);
  }

  /** Resolves when the supervisor has restarted `role` after a crash (or it is already running again). */
  async waitForRestart(role: Role, after: AppProcess, timeoutMs = 60_000): Promise<AppProcess> {
    const current = await waitFor(
      async () => {
        const running = this.processes[role];
        return running && running !== after && running.child.exitCode === null ? running : undefined;
      },
      { timeoutMs, intervalMs: 100, what: `${role} to be restarted` },
    );
    await this.ready(role, current);
    return current;
  }

  /** The api answers /health/ready; the worker has no HTTP surface, so its boot line tells. */
  private async ready(role: Role, child: AppProcess): Promise<void> {
    if (role === 'api') return child.waitUntilReady(60_000);
    await waitFor(
      async () => {
        if (child.child.exitCode !== null)
          throw new Error(`worker exited early:\n${child.stderr}${child.stdout.slice(-4000)}`);
        return child.logLines().some((line) => line.context === 'Bootstrap' && line.role === 'worker');
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'the worker to start' },
    );
  }

  /** Log lines of every process of a role started so far. */
  logs(role?: Role): Record<string, unknown>[] {
    return this.history.filter((h) => !role || h.role === role).flatMap((h) => h.process.logLines());
  }

  /** Writes every process's output under the system temp dir, for reading after a failed run. */
  dumpLogs(): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'dispatch-chaos-logs-'));
    this.history.forEach(({ role, process: child }, n) =>
      writeFileSync(path.join(dir, `${n}-${role}.log`), `${child.stdout}\n${child.stderr}`),
    );
    process.stdout.write(`chaos: process logs written to ${dir}\n`);
    return dir;
  }

  private onExit(role: Role, child: AppProcess, code: number | NodeJS.Signals | null): void {
    if (this.stopping.has(child) || this.closed) return;
    this.crashes[role]++;
    if (this.processes[role] === child) this.processes[role] = undefined;
    // Restart as a supervisor would, without the failpoint that crashed it.
    setTimeout(() => {
      if (this.closed || this.processes[role]) return;
      void this.start(role).catch((error: Error) => {
        process.stderr.write(
          `chaos supervisor: restarting ${role} after ${String(code)} failed: ${error.message}\n`,
        );
      });
    }, 300);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all((['api', 'worker'] as Role[]).map((role) => this.stop(role, 'SIGKILL')));
    await Promise.all([this.stripe.stop(), this.erp.stop(), this.smtp.stop()]);
    await this.redis.destroy();
    await this.pg.destroy();
    rmSync(this.documentsDir, { recursive: true, force: true });
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
