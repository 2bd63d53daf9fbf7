import { existsSync } from 'node:fs';

/**
 * Where the test Postgres and Redis live. Explicit TEST_DATABASE_URL / TEST_REDIS_URL win; otherwise
 * Testcontainers starts them when a container runtime is present; otherwise the local services
 * (127.0.0.1:5432 trust auth, 127.0.0.1:6379) are used.
 */
export interface TestInfra {
  adminDatabaseUrl: string;
  redisUrl: string;
  stop?: () => Promise<void>;
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

function containerRuntimePresent(): boolean {
  if (process.env.TESTCONTAINERS === 'false') return false;
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

export async function resolveTestInfra(): Promise<TestInfra> {
  if (process.env.TEST_DATABASE_URL || process.env.TEST_REDIS_URL || !containerRuntimePresent()) {
    return {
      adminDatabaseUrl: process.env.TEST_DATABASE_URL ?? DEFAULT_DATABASE_URL,
      redisUrl: process.env.TEST_REDIS_URL ?? DEFAULT_REDIS_URL,
    };
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { RedisContainer } = await import('@testcontainers/redis');
  const [postgres, redis] = await Promise.all([
    new PostgreSqlContainer('postgres:15-alpine').withUsername('postgres').withPassword('postgres').start(),
    new RedisContainer('redis:7-alpine').start(),
  ]);
  return {
    adminDatabaseUrl: postgres.getConnectionUri().replace(/\/[^/]*$/, '/postgres'),
    redisUrl: redis.getConnectionUrl(),
    stop: async () => {
      await Promise.all([postgres.stop(), redis.stop()]);
    },
  };
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
