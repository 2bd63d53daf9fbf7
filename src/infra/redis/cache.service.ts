import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';

import { REDIS_CLIENT } from './redis.tokens';

/**
 * JSON cache-aside over the `app` Redis connection. A cache failure never fails the caller: reads
 * fall through to the source of truth and writes are skipped, with a warning.
 */
@Injectable()
export class CacheService {
  private readonly logger = new Logger(CacheService.name);

  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  /** False while the connection is down or (re)connecting: callers skip the cache instead of waiting. */
  get available(): boolean {
    return this.redis.status === 'ready';
  }

  async getJson<T>(key: string): Promise<T | undefined> {
    if (!this.available) return undefined;
    try {
      const raw = await this.redis.get(key);
      return raw === null ? undefined : (JSON.parse(raw) as T);
    } catch (error) {
      this.logger.warn({ key, err: error }, 'cache read failed');
      return undefined;
    }
  }

  async setJson(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    if (!this.available) return;
    try {
      await this.redis.set(key, JSON.stringify(value), 'EX', ttlSeconds);
    } catch (error) {
      this.logger.warn({ key, err: error }, 'cache write failed');
    }
  }

  /** Reads `key`, or computes, stores and returns the value. */
  async getOrSet<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
    const cached = await this.getJson<T>(key);
    if (cached !== undefined) return cached;
    const value = await load();
    await this.setJson(key, value, ttlSeconds);
    return value;
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await this.redis.del(...keys);
    } catch (error) {
      this.logger.warn({ keys, err: error }, 'cache invalidation failed');
    }
  }

  /** Current value of a generation counter (0 when absent or unreadable). */
  async generation(key: string): Promise<number> {
    if (!this.available) return -1;
    try {
      return Number((await this.redis.get(key)) ?? 0);
    } catch {
      return -1;
    }
  }

  /** Bumps a generation counter, orphaning every key derived from the previous generation. */
  async bumpGeneration(key: string): Promise<void> {
    try {
      await this.redis.incr(key);
    } catch (error) {
      this.logger.warn({ key, err: error }, 'cache generation bump failed');
    }
  }
}
