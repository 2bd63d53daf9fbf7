import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';

import { AppConfig } from '../../config/app-config';
import { CacheService } from './cache.service';
import { LockService } from './lock.service';
import { closeRedisConnection, createRedisConnection } from './redis-connection.factory';
import { REDIS_CLIENT, RedisClient } from './redis.tokens';

@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => createRedisConnection(config, 'app'),
    },
    LockService,
    CacheService,
  ],
  exports: [REDIS_CLIENT, LockService, CacheService],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {}

  async onApplicationShutdown(): Promise<void> {
    await closeRedisConnection(this.redis);
  }
}
