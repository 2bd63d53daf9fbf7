import { BullModule } from '@nestjs/bullmq';
import { Global, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { JobsOptions } from 'bullmq';
import Redis, { Cluster } from 'ioredis';

import { AppConfig } from '../../config/app-config';
import { DependencyMonitor } from '../health/dependency-monitor';
import { closeRedisConnection, createRedisConnection } from '../redis/redis-connection.factory';
import { JobExecutor } from './job-executor';
import { JobRunLog } from './job-run-log';
import { JobRunsRepository } from './job-runs.repository';
import { QueueName } from './queue-names';
import { QueueRegistry } from './queue-registry';

/**
 * BullMQ key prefix of one queue: under REDIS_KEY_PREFIX, with the queue's name as a {hash tag}, so every key
 * of a queue (and so every BullMQ script, which touches several of them) lives in one Redis Cluster slot,
 * while different queues spread over the masters. Keys look like `dispatch:{orders}:orders:<id>`.
 */
export const queuePrefix = (config: AppConfig, queue: QueueName): string =>
  `${config.redis.keyPrefix}{${queue}}`;

/** The default options of every job (ARCHITECTURE.md §5), set here and nowhere else. */
export function defaultJobOptions(config: AppConfig): JobsOptions {
  return {
    attempts: config.queues.attempts,
    backoff: { type: 'exponential', delay: config.queues.backoffMs },
    removeOnComplete: { age: config.queues.completedRetentionSeconds },
    removeOnFail: false,
  };
}

@Global()
@Module({
  imports: [
    BullModule.registerQueueAsync(
      ...Object.values(QueueName).map((name) => ({
        name,
        inject: [AppConfig, DependencyMonitor],
        useFactory: (config: AppConfig, monitor: DependencyMonitor) => ({
          // A connection of its own per queue (a Redis or a Cluster); BullMQ leaves a connection it was given
          // open on close, so QueueModule closes it on shutdown.
          connection: createRedisConnection(
            config,
            'bullmq',
            (error, client) => monitor.clientError('redis', error, client),
            `queue-${name}`,
          ),
          prefix: queuePrefix(config, name),
          defaultJobOptions: defaultJobOptions(config),
        }),
      })),
    ),
  ],
  // The job runtime every queue's processor uses: the executor and the durable record of job runs.
  providers: [QueueRegistry, JobExecutor, JobRunsRepository, JobRunLog],
  exports: [BullModule, QueueRegistry, JobExecutor, JobRunsRepository],
})
export class QueueModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly queues: QueueRegistry,
    private readonly monitor: DependencyMonitor,
  ) {}

  onModuleInit(): void {
    // A Queue re-emits its connection's errors; unlistened, BullMQ prints each one raw on stderr.
    for (const queue of this.queues.all())
      queue.on('error', (error) => this.monitor.clientError('redis', error, `queue-${queue.name}`));
  }

  async onApplicationShutdown(): Promise<void> {
    // Workers stopped before this phase (beforeApplicationShutdown) and nothing enqueues any more. The
    // connection is the one handed to the queue (not `queue.client`, which waits for Redis to be ready).
    await Promise.all(
      this.queues
        .all()
        .map((queue) => queue.opts.connection)
        .filter((connection) => connection instanceof Redis || connection instanceof Cluster)
        .map((connection) => closeRedisConnection(connection)),
    );
  }
}
