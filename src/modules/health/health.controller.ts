import { Controller, Get, Inject } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';

import { AppConfig } from '../../config/app-config';
import { DatabaseHealth } from '../../infra/database/database-health';
import { ServiceUnavailableError } from '../../infra/errors/common.errors';
import { ApiContract } from '../../infra/http/api-contract';
import { QueueRegistry } from '../../infra/queue/queue-registry';
import { REDIS_CLIENT, RedisClient } from '../../infra/redis/redis.tokens';
import { Public } from '../access/access-rules';
import { LiveResponse, QueueCountsResponse, QueuesHealthResponse, ReadyResponse } from './health.response';

type CheckState = 'up' | 'down';

const CHECK_TIMEOUT_MS = 1500;

type QueueCounts = QueueCountsResponse;

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
@ApiExtraModels(QueueCountsResponse)
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
  @ApiContract({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ type: LiveResponse, description: 'The process is up' })
  live(): LiveResponse {
    return { status: 'ok' };
  }

  @Get('queues')
  @ApiContract({
    summary: 'Queue health: job counts per queue within their thresholds',
    description:
      '503 SERVICE_UNAVAILABLE when a queue is over a threshold or Redis is down (details.problems).',
    errors: { 503: ['SERVICE_UNAVAILABLE'] },
  })
  @ApiOkResponse({
    type: QueuesHealthResponse,
    description: 'Per-queue job counts within QUEUE_MAX_WAITING / QUEUE_MAX_FAILED',
  })
  async queues(): Promise<QueuesHealthResponse> {
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
  @ApiContract({
    summary: 'Readiness: Postgres and Redis answer',
    description: '503 SERVICE_UNAVAILABLE when Postgres or Redis is down (details.checks).',
    errors: { 503: ['SERVICE_UNAVAILABLE'] },
  })
  @ApiOkResponse({ type: ReadyResponse, description: 'Postgres and Redis answer' })
  async ready(): Promise<ReadyResponse> {
    const [postgres, redis] = await Promise.all([
      probe(() => this.database.ping()),
      probe(() => this.redis.ping()),
    ]);
    const checks = { postgres, redis };
    if (postgres === 'down' || redis === 'down') throw new ServiceUnavailableError({ checks });
    return { status: 'ok', checks };
  }
}
