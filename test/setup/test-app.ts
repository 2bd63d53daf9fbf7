import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';

import { Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';

import { AppModule, ProcessRole } from '../../src/app.module';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { devTooling } from '../../src/dev/dev-tooling';
import { FakeErpServer } from '../../src/dev/fakes/erp/fake-erp.server';
import { FakeServers } from '../../src/dev/fakes/fake-servers';
import { SmtpCaptureServer } from '../../src/dev/fakes/smtp/smtp-capture.server';
import { FakeStripeServer } from '../../src/dev/fakes/stripe/fake-stripe.server';
import { configureApp, createHttpAdapter } from '../../src/infra/http/configure-app';
import { LOG_DESTINATION } from '../../src/infra/logging/logging.module';
import { TestDatabase, TestRedis } from './test-resources';

/** Environment every in-process test app starts from; tests override what they exercise. */
export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  JWT_SECRET: 'test-secret-0123456789-abcdefghijklmnop',
  STRIPE_MODE: 'fake',
  ERP_MODE: 'fake',
  SMTP_CAPTURE: 'true',
  // The test owns the outside world: it starts the fakes and points the app at them.
  DEV_SERVE_FAKES: 'false',
  RATE_LIMIT_MAX: '1000000',
  AUTH_RATE_LIMIT_MAX: '1000000',
  STRIPE_MAX_RETRIES: '0',
  JOB_BACKOFF_MS: '50',
  OUTBOX_POLL_MS: '200',
  RECONCILER_INTERVAL_MS: '3600000',
};

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  db: TestDatabase;
  redis: TestRedis;
  /** JSON log lines the app wrote (set LOG_LEVEL to see them; tests default to silent). */
  logs: LogCapture;
  /** The fake Stripe this test started (the app's STRIPE_API_URL). */
  fakeStripe: FakeStripeServer;
  /** The fake ERP this test started (the app's ERP_URL). */
  fakeErp: FakeErpServer;
  /** The SMTP capture this test started (the app's SMTP_HOST:SMTP_PORT). */
  smtp: SmtpCaptureServer;
  /** All three, to share with a second app (`shared.fakes`). */
  fakes: FakeServers;
  /** Environment for a Dispatch child process (node dist/…) on this app's database, Redis prefix and fakes. */
  childEnv: (overrides?: Record<string, string>) => Record<string, string>;
  http: () => TestAgent;
  close: () => Promise<void>;
}

/**
 * Boots the real AppModule (real Postgres database cloned from the migrated template, real Redis under a
 * private key prefix) with the same HTTP setup as main.ts. Pass `shared` to boot a second app on the
 * same database and Redis prefix.
 */
export interface TestAppOptions {
  /** Boot on this database, Redis prefix and fakes instead of fresh ones (they are then not dropped on close). */
  shared?: { db: TestDatabase; redis: TestRedis; fakes?: FakeServers };
  /** A fresh Redis prefix elsewhere than the suite's Redis (e.g. on a Redis Cluster), dropped on close. */
  redis?: TestRedis;
  /** A database the caller created (e.g. to put a pooler in front of it first), dropped on close. */
  db?: TestDatabase;
  /** Extra controllers mounted next to the app's own (for exercising cross-cutting behaviour). */
  controllers?: Type[];
  /** Which process to boot: 'all' (default) runs the api and the worker in this process. */
  role?: ProcessRole;
  /** Replace providers (e.g. a strategy that always fails). */
  overrides?: { provide: unknown; useValue?: unknown; useClass?: Type }[];
}

export async function startTestApp(
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const { shared } = options;
  const db = shared?.db ?? options.db ?? (await TestDatabase.create());
  const redis = shared?.redis ?? options.redis ?? new TestRedis();
  const fakes =
    shared?.fakes ??
    (await FakeServers.start({
      stripe: { port: 0 },
      erp: { port: 0, username: 'dispatch', password: 'dispatch-erp-secret' },
      smtp: { port: 0, apiPort: 0 },
    }));
  const fakeEnv = {
    STRIPE_API_URL: fakes.stripe!.url,
    ERP_URL: fakes.erp!.url,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(fakes.smtp!.port),
    SMTP_CAPTURE_API_URL: fakes.smtpApi!.url,
  };
  const documentsDir = mkdtempSync(path.join(tmpdir(), 'dispatch-docs-'));
  const baseEnv = {
    ...TEST_ENV,
    ...fakeEnv,
    DOCUMENTS_DIR: documentsDir,
    DATABASE_URL: db.url,
    ...redis.env(),
  };
  const config = loadConfig({ ...baseEnv, ...env });
  const logs = new LogCapture();
  const role = options.role ?? 'all';
  const builder = Test.createTestingModule({
    imports: [AppModule.forRole(role, devTooling(config, role))],
    controllers: options.controllers ?? [],
  })
    .overrideProvider(AppConfig)
    .useValue(config)
    .overrideProvider(LOG_DESTINATION)
    .useValue(logs.stream);
  for (const o of options.overrides ?? []) {
    const override = builder.overrideProvider(o.provide);
    if (o.useClass) override.useClass(o.useClass);
    else override.useValue(o.useValue);
  }
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(config), {
    bufferLogs: true,
    rawBody: true,
  });
  await configureApp(app, config);
  // Listen for real: the fake Stripe delivers webhooks over HTTP like Stripe does.
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  // Only an app that serves HTTP receives the webhooks (a worker sharing an api's fakes leaves them be).
  if (role !== 'worker')
    fakes.stripe!.configureWebhook({
      url: `${baseUrl}/v1/payments/webhook`,
      secret: config.stripe.webhookSecret,
    });
  return {
    app,
    config,
    db,
    redis,
    logs,
    fakeStripe: fakes.stripe!,
    fakeErp: fakes.erp!,
    smtp: fakes.smtp!,
    fakes,
    childEnv: (overrides = {}) => ({
      ...TEST_ENV,
      ...fakeEnv,
      DATABASE_URL: db.url,
      ...redis.env(),
      JWT_SECRET: config.auth.jwtSecret,
      DOCUMENTS_DIR: documentsDir,
      METRICS_PORT: '0',
      ...overrides,
    }),
    http: () => request(app.getHttpServer()),
    close: async () => {
      await app.close();
      rmSync(documentsDir, { recursive: true, force: true });
      if (!shared?.fakes) await fakes.stop();
      if (!shared) {
        await db.drop();
        await redis.cleanup();
      }
    },
  };
}

export class LogCapture {
  readonly stream = new PassThrough();
  readonly lines: Record<string, unknown>[] = [];
  private buffer = '';

  constructor() {
    this.stream.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
      }
    });
  }

  /** Lines for which `match` holds, after giving the async logger a moment to flush. */
  async where(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>[]> {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return this.lines.filter(match);
  }
}
