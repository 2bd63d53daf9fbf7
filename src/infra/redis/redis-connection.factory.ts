import Redis, { RedisOptions } from 'ioredis';

import { AppConfig } from '../../config/app-config';

export type RedisPurpose = 'app' | 'bullmq';

/**
 * The one place ioredis connections are made.
 * - `app` (cache, locks, rate limits, idempotency markers): keys carry REDIS_KEY_PREFIX and a command
 *   fails after a couple of retries, so callers can degrade instead of hanging while Redis is down.
 * - `bullmq`: BullMQ requires `maxRetriesPerRequest: null` and prefixes keys itself (ioredis keyPrefix
 *   is not supported by BullMQ).
 */
/** ioredis options from a redis:// or rediss:// URL (BullMQ wants options, not a URL). */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: Number(parsed.port || 6379),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
}

/** Connection options for BullMQ queues and workers (BullMQ opens and closes its own connections). */
export function bullmqConnectionOptions(config: AppConfig): RedisOptions {
  return {
    ...redisOptionsFromUrl(config.redis.url),
    connectionName: 'dispatch-bullmq',
    maxRetriesPerRequest: null,
    enableReadyCheck: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  };
}

export function createRedisConnection(config: AppConfig, purpose: RedisPurpose, name = purpose): Redis {
  const common: RedisOptions = {
    connectionName: `dispatch-${name}`,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  };
  if (purpose === 'bullmq') {
    return new Redis(config.redis.url, { ...common, maxRetriesPerRequest: null, enableReadyCheck: false });
  }
  return new Redis(config.redis.url, {
    ...common,
    keyPrefix: config.redis.keyPrefix,
    maxRetriesPerRequest: 1,
    // Backstop for a hung connection; callers also skip Redis outright while it is not ready.
    commandTimeout: 1000,
  });
}
