import { PassThrough } from 'node:stream';

import { Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';

import { AppModule } from '../../src/app.module';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { configureApp, createHttpAdapter } from '../../src/infra/http/configure-app';
import { LOG_DESTINATION } from '../../src/infra/logging/logging.module';
import { TestDatabase, TestRedis } from './test-resources';

/** Environment every in-process test app starts from; tests override what they exercise. */
export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  JWT_SECRET: 'test-secret-0123456789-abcdefghijklmnop',
  STRIPE_MODE: 'fake',
  RATE_LIMIT_MAX: '1000000',
  AUTH_RATE_LIMIT_MAX: '1000000',
};

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  db: TestDatabase;
  redis: TestRedis;
  /** JSON log lines the app wrote (set LOG_LEVEL to see them; tests default to silent). */
  logs: LogCapture;
  http: () => TestAgent;
  close: () => Promise<void>;
}

/**
 * Boots the real AppModule (real Postgres database cloned from the migrated template, real Redis under a
 * private key prefix) with the same HTTP setup as main.ts. Pass `shared` to boot a second app on the
 * same database and Redis prefix.
 */
export interface TestAppOptions {
  /** Boot on this database and Redis prefix instead of fresh ones (they are then not dropped on close). */
  shared?: { db: TestDatabase; redis: TestRedis };
  /** Extra controllers mounted next to the app's own (for exercising cross-cutting behaviour). */
  controllers?: Type[];
}

export async function startTestApp(
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const { shared } = options;
  const db = shared?.db ?? (await TestDatabase.create());
  const redis = shared?.redis ?? new TestRedis();
  const config = loadConfig({
    ...TEST_ENV,
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.prefix,
    ...env,
  });
  const logs = new LogCapture();
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule],
    controllers: options.controllers ?? [],
  })
    .overrideProvider(AppConfig)
    .useValue(config)
    .overrideProvider(LOG_DESTINATION)
    .useValue(logs.stream)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(config), {
    bufferLogs: true,
  });
  await configureApp(app, config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    db,
    redis,
    logs,
    http: () => request(app.getHttpServer()),
    close: async () => {
      await app.close();
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
