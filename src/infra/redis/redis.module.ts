import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';

import { AppConfig } from '../../config/app-config';
import { DependencyMonitor } from '../health/dependency-monitor';
import { CacheService } from './cache.service';
import { LockService } from './lock.service';
import { closeRedisConnection, createRedisConnection, redisTarget } from './redis-connection.factory';
import { REDIS_CLIENT, RedisClient } from './redis.tokens';

@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [AppConfig, DependencyMonitor],
      useFactory: (config: AppConfig, monitor: DependencyMonitor) =>
        createRedisConnection(config, 'app', (error, client) => monitor.clientError('redis', error, client)),
    },
    LockService,
    CacheService,
  ],
  exports: [REDIS_CLIENT, LockService, CacheService],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    config: AppConfig,
    monitor: DependencyMonitor,
  ) {
    // The shared connection is what every cache read, lock and rate limit uses: its PING is Redis' health.
    monitor.watch('redis', redisTarget(config.redis.server), () => redis.ping());
  }

  async onApplicationShutdown(): Promise<void> {
    await closeRedisConnection(this.redis);
  }
}
