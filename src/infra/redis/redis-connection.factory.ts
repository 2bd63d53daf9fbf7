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
