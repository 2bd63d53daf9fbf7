import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';

import { AppConfig } from '../../config/app-config';
import { DatabaseHealth } from '../../infra/database/database-health';
import { ServiceUnavailableError } from '../../infra/errors/common.errors';
import { QueueRegistry } from '../../infra/queue/queue-registry';
import { REDIS_CLIENT, RedisClient } from '../../infra/redis/redis.tokens';
import { Public } from '../access/access-rules';

type CheckState = 'up' | 'down';

const CHECK_TIMEOUT_MS = 1500;

interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/** Resolves with the check's value, or rejects after CHECK_TIMEOUT_MS. */
async function probeValue<T>(check: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function probe(check: () => Promise<unknown>): Promise<CheckState> {
  return probeValue(check).then(
    () => 'up' as const,
    () => 'down' as const,
  );
}

@ApiTags('health')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly database: DatabaseHealth,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly config: AppConfig,
    private readonly registry: QueueRegistry,
  ) {}

  @Get('live')
  @ApiOkResponse({ description: 'The process is up' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('queues')
  @ApiOkResponse({ description: 'Per-queue job counts within QUEUE_MAX_WAITING / QUEUE_MAX_FAILED' })
  @ApiServiceUnavailableResponse({ description: 'A queue is over a threshold (or Redis is down)' })
  async queues(): Promise<{
    status: 'ok';
    thresholds: AppConfig['queueHealth'];
    queues: Record<string, QueueCounts>;
  }> {
    const { maxWaiting, maxFailed } = this.config.queueHealth;
    const queues: Record<string, QueueCounts> = {};
    const problems: string[] = [];
    for (const queue of this.registry.all()) {
      let counts: Record<string, number>;
      try {
        counts = await probeValue(() =>
          queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed'),
        );
      } catch {
        throw new ServiceUnavailableError({
          queues,
          problems: [...problems, `${queue.name}: Redis unreachable`],
        });
      }
      const entry: QueueCounts = {
        waiting: counts.waiting + counts.prioritized,
        active: counts.active,
        delayed: counts.delayed,
        failed: counts.failed,
      };
      queues[queue.name] = entry;
      if (entry.waiting > maxWaiting)
        problems.push(`${queue.name}: ${entry.waiting} waiting > ${maxWaiting}`);
      if (entry.failed > maxFailed) problems.push(`${queue.name}: ${entry.failed} failed > ${maxFailed}`);
    }
    if (problems.length)
      throw new ServiceUnavailableError({ queues, problems, thresholds: this.config.queueHealth });
    return { status: 'ok', thresholds: this.config.queueHealth, queues };
  }

  @Get('ready')
  @ApiOkResponse({ description: 'Postgres and Redis answer' })
  @ApiServiceUnavailableResponse({ description: 'Postgres or Redis is down' })
  async ready(): Promise<{ status: 'ok'; checks: Record<string, CheckState> }> {
    const [postgres, redis] = await Promise.all([
      probe(() => this.database.ping()),
      probe(() => this.redis.ping()),
    ]);
    const checks = { postgres, redis };
    if (postgres === 'down' || redis === 'down') throw new ServiceUnavailableError({ checks });
    return { status: 'ok', checks };
  }
}
