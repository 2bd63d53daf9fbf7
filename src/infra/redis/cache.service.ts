import { Inject, Injectable, Logger } from '@nestjs/common';
import { assertOneSlot } from './hash-tag';
import { REDIS_CLIENT, RedisClient } from './redis.tokens';

/** How many keys' parsed entries CacheService keeps at most. */
const MAX_PARSED = 256;

/**
 * JSON cache-aside over the `app` Redis connection. A cache failure never fails the caller: reads
 * fall through to the source of truth and writes are skipped, with a warning. The keys passed to one
 * multi-key call (`getOrSetGenerational`, `invalidate`) must share a {hash tag}, so that a Redis Cluster
 * can serve them from one slot; a call that breaks this throws (a programming error, not an outage).
 */
@Injectable()
export class CacheService {
  private readonly logger = new Logger(CacheService.name);
  /**
   * The last entry parsed per key, with the text it was parsed from: a hit whose text is unchanged (the common
   * case: a hot list page) reuses the parsed value instead of parsing it again. Values are shared: read-only.
   */
  private readonly parsed = new Map<string, { raw: string; entry: unknown }>();

  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {}

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

  /**
   * Cache-aside for values derived from many rows (e.g. list pages), orphaned all at once by bumping
   * `generationKey`. The entry stores the generation it was computed under; the generation and the entry
   * are read in one MGET, so a hit costs one round trip.
   */
  async getOrSetGenerational<T>(
    generationKey: string,
    key: string,
    ttlSeconds: number,
    load: () => Promise<T>,
  ): Promise<T> {
    assertOneSlot([generationKey, key]);
    if (!this.available) return load();
    let generation: string;
    try {
      const [current, raw] = await this.redis.mget(generationKey, key);
      generation = current ?? '0';
      if (raw !== null) {
        const entry = this.parse<{ g: string; v: T }>(key, raw);
        if (entry.g === generation) return entry.v;
      }
    } catch (error) {
      this.logger.warn({ key, err: error }, 'cache read failed');
      return load();
    }
    // Computed after reading the generation: a write committing meanwhile bumps it and orphans this entry.
    const value = await load();
    await this.setJson(key, { g: generation, v: value }, ttlSeconds);
    return value;
  }

  private parse<T>(key: string, raw: string): T {
    const last = this.parsed.get(key);
    if (last?.raw === raw) return last.entry as T;
    const entry = JSON.parse(raw) as T;
    // Bounded: list pages are few (page × limit), but a client walking every page must not grow it forever.
    if (this.parsed.size >= MAX_PARSED && !last) this.parsed.clear();
    this.parsed.set(key, { raw, entry });
    return entry;
  }

  /** Deletes `keys` and bumps the generation counters in one round trip (a write's cache invalidation). */
  async invalidate(keys: string[], generations: string[]): Promise<void> {
    if (keys.length === 0 && generations.length === 0) return;
    // One pipeline: on a Redis Cluster every key in it must be in one slot.
    assertOneSlot([...keys, ...generations]);
    const pipeline = this.redis.pipeline();
    if (keys.length) pipeline.del(...keys);
    for (const key of generations) pipeline.incr(key);
    try {
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([error]) => error);
      if (failed) throw failed[0];
    } catch (error) {
      this.logger.warn({ keys, generations, err: error }, 'cache invalidation failed');
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
