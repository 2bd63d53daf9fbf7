import { Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { REDIS_CLIENT, RedisClient } from '../redis/redis.tokens';

// Fixed window: the first hit starts the window; returns [hits, remaining ms].
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { hits, redis.call('PTTL', KEYS[1]) }`;

const HIT_COMMAND = 'dispatchRateLimitHit';

const OPEN: ThrottlerStorageRecord = {
  totalHits: 0,
  timeToExpire: 0,
  isBlocked: false,
  timeToBlockExpire: 0,
};

/**
 * Rate-limit counters in Redis so every api replica shares them. When Redis is unreachable the limiter
 * fails open: losing Redis may slow protection down, never the API.
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(RedisThrottlerStorage.name);

  private readonly hit: (key: string, ttlMs: number) => Promise<[number, number]>;

  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {
    // A defined command runs by EVALSHA (the script is sent once per connection, not with every request).
    redis.defineCommand(HIT_COMMAND, { numberOfKeys: 1, lua: INCREMENT });
    const command = (
      redis as unknown as Record<string, (key: string, ttl: number) => Promise<[number, number]>>
    )[HIT_COMMAND];
    this.hit = (key, ttlMs) => command.call(redis, key, ttlMs);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _block: number,
    name: string,
  ): Promise<ThrottlerStorageRecord> {
    if (this.redis.status !== 'ready') return OPEN;
    try {
      const [hits, pttl] = await this.hit(`rl:${name}:${key}`, ttl);
      const seconds = Math.max(1, Math.ceil(pttl / 1000));
      const isBlocked = hits > limit;
      return {
        totalHits: hits,
        timeToExpire: seconds,
        isBlocked,
        timeToBlockExpire: isBlocked ? seconds : 0,
      };
    } catch (error) {
      this.logger.warn({ err: error }, 'rate limiter unavailable; allowing request');
      return OPEN;
    }
  }
}
