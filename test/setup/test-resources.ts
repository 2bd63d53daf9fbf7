import { randomBytes } from 'node:crypto';

import Redis, { Cluster } from 'ioredis';
import { Client } from 'pg';

import { RedisClient } from '../../src/infra/redis/redis.tokens';
import { databaseUrl } from './test-infra';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run tests through jest (global setup provides it)`);
  return value;
}

/** The suite's Postgres, as a URL a role that may create databases connects with (from global setup). */
export function adminDatabaseUrl(): string {
  return required('DISPATCH_TEST_ADMIN_DB_URL');
}

/** A database cloned from the migrated template, private to one test file. */
export class TestDatabase {
  private constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(): Promise<TestDatabase> {
    const adminUrl = adminDatabaseUrl();
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
    await withAdmin(adminDatabaseUrl(), (c) => c.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`));
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

/**
 * A Redis key prefix private to one test file, on the suite's Redis server or on a Redis Cluster of the test's
 * own (`clusterNodes`, as REDIS_CLUSTER_NODES); `cleanup` deletes every key under it.
 */
export class TestRedis {
  readonly prefix = `test:${randomBytes(6).toString('hex')}:`;
  readonly url = required('DISPATCH_TEST_REDIS_URL');
  private readonly client: RedisClient;

  constructor(private readonly clusterNodes?: string) {
    this.client = clusterNodes
      ? new Cluster(seeds(clusterNodes), { lazyConnect: true, keyPrefix: this.prefix })
      : new Redis(this.url, { lazyConnect: true, keyPrefix: this.prefix });
  }

  /** The REDIS_* variables of an app on this Redis and prefix. */
  env(): Record<string, string> {
    return this.clusterNodes
      ? { REDIS_CLUSTER_NODES: this.clusterNodes, REDIS_KEY_PREFIX: this.prefix }
      : { REDIS_URL: this.url, REDIS_KEY_PREFIX: this.prefix };
  }

  /** A client whose keys are relative to the prefix (same view as the app's). */
  get redis(): RedisClient {
    return this.client;
  }

  /** Deletes every key under the prefix: FLUSHALL for this test file only (other suites share the server). */
  async flush(): Promise<number> {
    if (!this.clusterNodes) {
      const raw = new Redis(this.url);
      try {
        return await deleteMatching(raw, `${this.prefix}*`);
      } finally {
        raw.disconnect();
      }
    }
    const raw = new Cluster(seeds(this.clusterNodes));
    try {
      await raw.ping();
      let deleted = 0;
      for (const master of raw.nodes('master')) deleted += await deleteMatching(master, `${this.prefix}*`);
      return deleted;
    } finally {
      raw.disconnect();
    }
  }

  async cleanup(): Promise<void> {
    await this.flush();
    this.client.disconnect();
  }
}

function seeds(clusterNodes: string): { host: string; port: number }[] {
  return clusterNodes.split(',').map((node) => {
    const [host, port] = node.split(':');
    return { host, port: Number(port) };
  });
}

/** SCAN + DEL on one server; one key per DEL, since a cluster node refuses keys of several slots at once. */
async function deleteMatching(server: Redis, pattern: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    if (keys.length) {
      const pipeline = server.pipeline();
      for (const key of keys) pipeline.del(key);
      deleted += ((await pipeline.exec()) ?? []).filter(([, n]) => n === 1).length;
    }
    cursor = next;
  } while (cursor !== '0');
  return deleted;
}

/** An empty database (no template): for exercising migrations as a fresh deployment would. */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const db = await TestDatabase.create();
  await db.query(`DROP SCHEMA public CASCADE; CREATE SCHEMA public;`);
  return db;
}
