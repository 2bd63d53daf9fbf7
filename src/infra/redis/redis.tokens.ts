import type { Cluster, Redis } from 'ioredis';

/** Injection token of the shared `app` ioredis connection (prefixed keys). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/**
 * What REDIS_CLIENT (and every connection from `createRedisConnection`) is: one Redis server or a Redis
 * Cluster. Code types against this union, so it only uses what both offer; on a Cluster, the keys of one
 * multi-key command, script or pipeline must share a hash tag (`{…}`), i.e. one slot.
 */
export type RedisClient = Redis | Cluster;
