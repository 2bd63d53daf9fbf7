import { randomBytes } from 'node:crypto';

import { Client } from 'pg';
import { DataSource } from 'typeorm';

import { MIGRATIONS } from '../../src/infra/database/migrations';
import { runMigrationsLocked } from '../../src/infra/database/migration-runner';
import { databaseUrl, resolveTestInfra } from './test-infra';

/**
 * Once per Jest run: find (or start) Postgres and Redis, migrate a template database, and hand its name
 * to the test workers through the environment. Each test file clones the template (see test-app.ts).
 */
export default async function globalSetup(): Promise<void> {
  const infra = await resolveTestInfra();
  const template = `dispatch_tpl_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: infra.adminDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  const dataSource = await new DataSource({
    type: 'postgres',
    url: databaseUrl(infra.adminDatabaseUrl, template),
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
  }).initialize();
  try {
    await runMigrationsLocked(dataSource);
  } finally {
    await dataSource.destroy();
  }
  process.env.DISPATCH_TEST_ADMIN_DB_URL = infra.adminDatabaseUrl;
  process.env.DISPATCH_TEST_REDIS_URL = infra.redisUrl;
  process.env.DISPATCH_TEST_TEMPLATE_DB = template;
  (globalThis as { __dispatchInfraStop?: () => Promise<void> }).__dispatchInfraStop = infra.stop;
}
