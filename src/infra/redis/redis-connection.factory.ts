import Redis, { Cluster, RedisOptions } from 'ioredis';

import { AppConfig, RedisServer } from '../../config/app-config';
import { RedisClient } from './redis.tokens';

export type RedisPurpose = 'app' | 'bullmq';

const reconnectDelay = (attempt: number) => Math.min(attempt * 200, 2000);

/**
 * The one place ioredis connections are made: a `Redis` for REDIS_URL, a `Cluster` for REDIS_CLUSTER_NODES.
 * - `app` (cache, locks, rate limits, idempotency markers, email sent-markers): keys carry REDIS_KEY_PREFIX
 *   and a command fails after a couple of retries, so callers can degrade instead of hanging while Redis
 *   is down.
 * - `bullmq`: BullMQ requires `maxRetriesPerRequest: null` and prefixes keys itself (an ioredis keyPrefix
 *   is refused by BullMQ); the queue prefix carries the hash tag that keeps each queue in one slot.
 * The caller owns the connection and disconnects it. `onError` receives every 'error' event: ioredis prints
 * an unlisted one raw on stderr, once per reconnect attempt, so every connection gets a listener here.
 */
export function createRedisConnection(
  config: AppConfig,
  purpose: RedisPurpose,
  onError: (error: unknown, client: string) => void,
  name: string = purpose,
): RedisClient {
  const client = connect(config, purpose, name);
  client.on('error', (error: unknown) => onError(error, name));
  // A Cluster reports each node's connection failures apart, naming the node's host:port.
  if (client.isCluster) client.on('node error', (error: unknown) => onError(error, name));
  return client;
}

/** Where Redis is, for log lines: `host:port`, or a cluster's seed nodes. */
export function redisTarget(server: RedisServer): string {
  if (server.kind === 'cluster') return server.nodes.map(({ host, port }) => `${host}:${port}`).join(',');
  const url = new URL(server.url);
  return `${url.hostname}:${url.port || 6379}`;
}

function connect(config: AppConfig, purpose: RedisPurpose, name: string): RedisClient {
  const perNode: RedisOptions =
    purpose === 'app'
      ? {
          connectionName: `dispatch-${name}`,
          connectTimeout: 2000,
          maxRetriesPerRequest: 1,
          // Backstop for a hung connection; callers also skip Redis outright while it is not ready.
          commandTimeout: 1000,
        }
      : { connectionName: `dispatch-${name}`, maxRetriesPerRequest: null, enableReadyCheck: false };
  const prefixed = purpose === 'app' ? { keyPrefix: config.redis.keyPrefix } : {};
  const { server } = config.redis;
  if (server.kind === 'standalone') {
    return new Redis(server.url, { ...perNode, ...prefixed, retryStrategy: reconnectDelay });
  }
  return new Cluster(server.nodes, {
    ...prefixed,
    clusterRetryStrategy: reconnectDelay,
    redisOptions: {
      ...perNode,
      username: server.username,
      password: server.password,
      tls: server.tls ? {} : undefined,
    },
  });
}

/**
 * Closes a connection: QUIT when it is up (pending replies arrive), otherwise drops it at once. Takes any
 * client with ioredis' lifecycle, so BullMQ's wrapper of one of our connections closes the same way.
 */
export async function closeRedisConnection(redis: {
  status: string;
  quit(): Promise<unknown>;
  disconnect(): void;
}): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}
