import { randomBytes } from 'node:crypto';

import Redis from 'ioredis';
import { Client } from 'pg';

import { databaseUrl } from './test-infra';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run tests through jest (global setup provides it)`);
  return value;
}

/** A database cloned from the migrated template, private to one test file. */
export class TestDatabase {
  private constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(): Promise<TestDatabase> {
    const adminUrl = required('DISPATCH_TEST_ADMIN_DB_URL');
    const name = `dispatch_t_${randomBytes(6).toString('hex')}`;
    await withAdmin(adminUrl, (c) =>
      c.query(`CREATE DATABASE ${name} TEMPLATE ${required('DISPATCH_TEST_TEMPLATE_DB')}`),
    );
    return new TestDatabase(name, databaseUrl(adminUrl, name));
  }

  query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return queryOnce<T>(this.url, sql, params);
  }

  async drop(): Promise<void> {
    await withAdmin(required('DISPATCH_TEST_ADMIN_DB_URL'), (c) =>
      c.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`),
    );
  }
}

/** One statement on its own connection (opened and closed around it): for test setup and checks. */
export async function queryOnce<T = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

async function withAdmin<T>(adminUrl: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A Redis key prefix private to one test file; `cleanup` deletes every key under it. */
export class TestRedis {
  readonly prefix = `test:${randomBytes(6).toString('hex')}:`;
  readonly url = required('DISPATCH_TEST_REDIS_URL');
  private readonly client = new Redis(this.url, { lazyConnect: true, keyPrefix: this.prefix });

  /** A client whose keys are relative to the prefix (same view as the app's). */
  get redis(): Redis {
    return this.client;
  }

  /** Deletes every key under the prefix: FLUSHALL for this test file only (other suites share the server). */
  async flush(): Promise<number> {
    const raw = new Redis(this.url);
    let deleted = 0;
    try {
      let cursor = '0';
      do {
        const [next, keys] = await raw.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
        if (keys.length) deleted += await raw.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      raw.disconnect();
    }
    return deleted;
  }

  async cleanup(): Promise<void> {
    await this.flush();
    this.client.disconnect();
  }
}

/** An empty database (no template): for exercising migrations as a fresh deployment would. */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const db = await TestDatabase.create();
  await db.query(`DROP SCHEMA public CASCADE; CREATE SCHEMA public;`);
  return db;
}
