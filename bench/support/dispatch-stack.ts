import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ProcSampler } from './proc-sampler';
import { BenchProcess, freePort, profileHook, startNode, waitForOutput, waitReady } from './processes';
import { Settings } from './settings';

const WEBHOOK_SECRET = 'whsec_bench';
const ERP_PASSWORD = 'bench-erp-secret';

export type AppRole = 'api' | 'worker' | 'all-in-one';

/**
 * Dispatch as the bench runs it: the development build, every partner fake in a process of its own (fake
 * Stripe; fake ERP and SMTP capture as 'fake erp+smtp'), so that the api's and the worker's CPU is their own,
 * and the app configured as in production apart from the partners' addresses (STRIPE_MODE=mock, ERP_MODE=http,
 * SMTP_CAPTURE=false: no development tooling is loaded into api or worker). Limits that would throttle the
 * bench rather than the app are lifted: rate limits, the queue-depth health bound and the ERP's 10 requests/s.
 */
export class DispatchStack {
  readonly webhookSecret = WEBHOOK_SECRET;
  readonly base: string;
  private readonly processes = new Map<AppRole, BenchProcess>();
  private readonly fakes: BenchProcess[] = [];
  private readonly stopped: BenchProcess[] = [];

  private constructor(
    private readonly settings: Settings,
    private readonly sampler: ProcSampler,
    private readonly env: Record<string, string>,
    private readonly workerMetricsUrl: string,
    private readonly documentsDir: string,
    private readonly profileFile: string,
    readonly keyPrefix: string,
  ) {
    this.base = `http://127.0.0.1:${env.PORT}`;
  }

  static async create(
    settings: Settings,
    sampler: ProcSampler,
    options: { databaseUrl: string; keyPrefix: string; profileFile: string },
  ): Promise<DispatchStack> {
    const { databaseUrl, keyPrefix, profileFile } = options;
    const [appPort, stripePort, erpPort, smtpPort, metricsPort] = await Promise.all(
      Array.from({ length: 5 }, () => freePort()),
    );
    const documentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-bench-documents-'));
    const env: Record<string, string> = {
      ENV_FILE: '/nonexistent',
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(appPort),
      LOG_LEVEL: settings.logLevel,
      LOG_PRETTY: 'false',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: settings.poolSize,
      REDIS_URL: settings.redisUrl,
      REDIS_KEY_PREFIX: keyPrefix,
      JWT_SECRET: 'bench-secret-0123456789-abcdefghijklmnop',
      STRIPE_MODE: 'mock',
      STRIPE_API_URL: `http://127.0.0.1:${stripePort}`,
      STRIPE_SECRET_KEY: 'sk_test_bench',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ERP_MODE: 'http',
      ERP_URL: `http://127.0.0.1:${erpPort}`,
      ERP_PASSWORD,
      ERP_RATE_LIMIT_PER_SECOND: '10000',
      SMTP_CAPTURE: 'false',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtpPort),
      DEV_SERVE_FAKES: 'false',
      METRICS_PORT: String(metricsPort),
      DOCUMENTS_DIR: documentsDir,
      RATE_LIMIT_MAX: '10000000',
      AUTH_RATE_LIMIT_MAX: '10000000',
      QUEUE_MAX_WAITING: '10000000',
    };
    const stack = new DispatchStack(
      settings,
      sampler,
      env,
      `http://127.0.0.1:${metricsPort}/metrics`,
      documentsDir,
      profileFile,
      keyPrefix,
    );
    const devEntry = (p: string) => path.join(settings.dist, 'dev', 'fakes', p);
    const stripe = stack.fake('fake stripe', devEntry('stripe/fake-stripe.main.js'), {
      FAKE_STRIPE_PORT: String(stripePort),
      FAKE_STRIPE_WEBHOOK_URL: `${stack.base}/v1/payments/webhook`,
      FAKE_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    const erp = stack.fake('fake erp+smtp', devEntry('erp/fake-erp.main.js'), {
      FAKE_ERP_PORT: String(erpPort),
      FAKE_ERP_USERNAME: 'dispatch',
      FAKE_ERP_PASSWORD: ERP_PASSWORD,
    });
    const smtp = stack.fake('fake erp+smtp', devEntry('smtp/smtp-capture.main.js'), {
      FAKE_SMTP_PORT: String(smtpPort),
    });
    await Promise.all([stripe, erp, smtp].map((p) => waitForOutput(p, /listening on/)));
    return stack;
  }

  /** BullMQ's prefix of one queue, hash-tagged by queue as the app sets it (src/infra/queue/queue.module.ts). */
  queuePrefix(queue: string): string {
    return `${this.keyPrefix}{${queue}}`;
  }

  get(role: AppRole): BenchProcess | undefined {
    return this.processes.get(role);
  }

  /** Starts api (`dist/main.js`), worker (`dist/worker.js`) or both in one (`dist/all.js`) and waits for it. */
  async start(role: AppRole): Promise<void> {
    const entry = { api: 'main.js', worker: 'worker.js', 'all-in-one': 'all.js' }[role];
    // As the image runs them: the Dockerfile's api command and compose's worker command bound the old space alike.
    const nodeArgs = this.settings.apiNodeArgs;
    const profiled = this.settings.profile !== null && role !== 'worker';
    const proc = startNode({
      name: role,
      entry: path.join(this.settings.dist, entry),
      env: { ...this.env, ...(profiled ? { BENCH_PROFILE_FILE: this.profileFile } : {}) },
      nodeArgs: [...nodeArgs, ...(profiled ? ['-r', profileHook(this.settings)] : [])],
      cwd: this.settings.root,
    });
    this.processes.set(role, proc);
    this.sampler.track(proc);
    await waitReady(role === 'worker' ? this.workerMetricsUrl : `${this.base}/v1/health/ready`, proc);
  }

  async stop(role: AppRole): Promise<void> {
    const proc = this.processes.get(role);
    if (!proc) return;
    await proc.stop();
    this.processes.delete(role);
    this.stopped.push(proc);
  }

  /** Stops everything; with `logPrefix`, each process's last output goes to `<logPrefix>.<name>.log`. */
  async stopAll(logPrefix?: string): Promise<void> {
    const all = [...this.stopped, ...this.processes.values(), ...this.fakes];
    await Promise.all([...this.processes.keys()].map((role) => this.stop(role)));
    await Promise.all(this.fakes.map((f) => f.stop()));
    if (logPrefix) {
      for (const proc of all)
        fs.appendFileSync(`${logPrefix}.${proc.name.replace(/\W+/g, '-')}.log`, proc.output());
    }
    fs.rmSync(this.documentsDir, { recursive: true, force: true });
  }

  private fake(name: string, entry: string, env: Record<string, string>): BenchProcess {
    const proc = startNode({ name, entry, env, cwd: this.settings.root });
    this.fakes.push(proc);
    this.sampler.track(proc);
    return proc;
  }
}
