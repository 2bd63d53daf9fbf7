import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';

import { AppModule } from '../../src/app.module';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { configureApp, createHttpAdapter } from '../../src/infra/http/configure-app';
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
  http: () => TestAgent;
  close: () => Promise<void>;
}

/**
 * Boots the real AppModule (real Postgres database cloned from the migrated template, real Redis under a
 * private key prefix) with the same HTTP setup as main.ts. Pass `shared` to boot a second app on the
 * same database and Redis prefix.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  shared?: { db: TestDatabase; redis: TestRedis },
): Promise<TestApp> {
  const db = shared?.db ?? (await TestDatabase.create());
  const redis = shared?.redis ?? new TestRedis();
  const config = loadConfig({
    ...TEST_ENV,
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.prefix,
    ...env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(AppConfig)
    .useValue(config)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(config), { bufferLogs: true });
  await configureApp(app, config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    db,
    redis,
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
