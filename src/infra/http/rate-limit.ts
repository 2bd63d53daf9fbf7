import { CustomDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerModuleOptions } from '@nestjs/throttler';

import { AppConfig } from '../../config/app-config';
import { RedisClient } from '../redis/redis.tokens';
import { RedisThrottlerStorage } from './redis-throttler.storage';

const STRICT_RATE_LIMIT = 'dispatch:strictRateLimit';

/** Credential endpoints (login, register, refresh): the tighter AUTH_RATE_LIMIT_MAX applies. */
export const StrictRateLimit = (): CustomDecorator => SetMetadata(STRICT_RATE_LIMIT, true);

export function rateLimitOptions(config: AppConfig, redis: RedisClient): ThrottlerModuleOptions {
  const reflector = new Reflector();
  return {
    throttlers: [
      {
        name: 'default',
        ttl: config.rateLimit.windowMs,
        limit: (context: ExecutionContext) =>
          reflector.get<boolean>(STRICT_RATE_LIMIT, context.getHandler())
            ? config.rateLimit.authMax
            : config.rateLimit.max,
      },
    ],
    storage: new RedisThrottlerStorage(redis),
  };
}
