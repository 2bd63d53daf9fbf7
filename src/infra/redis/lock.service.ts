import { Inject, Injectable } from '@nestjs/common';
import Redlock, { ExecutionError, RedlockAbortSignal } from 'redlock';

import { DomainError } from '../errors/domain-error';
import { REDIS_CLIENT, RedisClient } from './redis.tokens';

export class LockBusyError extends DomainError {
  readonly code = 'LOCK_BUSY';
  readonly httpStatus = 409;
  override readonly retryable = true;
  constructor(resource: string) {
    super(`Could not acquire lock ${resource}`, { resource });
  }
}

export interface LockOptions {
  /** Lease duration; Redlock extends it automatically while `work` runs. */
  ttlMs: number;
  /** How long to keep retrying before giving up with LockBusyError. */
  waitMs?: number;
}

/**
 * Distributed mutual exclusion over Redis (Redlock 5). A lock is only a performance guard: writes that
 * must not race are still fenced by row versions in Postgres, because a lease can expire mid-work.
 */
@Injectable()
export class LockService {
  private readonly redlock: Redlock;

  constructor(@Inject(REDIS_CLIENT) redis: RedisClient) {
    this.redlock = new Redlock([redis], { retryCount: 0, automaticExtensionThreshold: 500 });
    // Extension failures surface through the abort signal handed to `work`; keep them off the error event.
    this.redlock.on('error', () => undefined);
  }

  async withLock<T>(
    resource: string,
    options: LockOptions,
    work: (signal: RedlockAbortSignal) => Promise<T>,
  ): Promise<T> {
    const retryDelay = 50;
    const retryCount = Math.max(0, Math.ceil((options.waitMs ?? 0) / retryDelay));
    try {
      return await this.redlock.using(
        [resource],
        options.ttlMs,
        { retryCount, retryDelay, retryJitter: 25 },
        work,
      );
    } catch (error) {
      if (error instanceof ExecutionError) throw new LockBusyError(resource);
      throw error;
    }
  }
}
