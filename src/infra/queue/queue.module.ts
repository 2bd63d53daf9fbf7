import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { JobsOptions } from 'bullmq';

import { AppConfig } from '../../config/app-config';
import { bullmqConnectionOptions } from '../redis/redis-connection.factory';
import { JobExecutor } from './job-executor';
import { JobRunsRepository } from './job-runs.repository';
import { QueueName } from './queue-names';
import { QueueRegistry } from './queue-registry';

/** BullMQ key prefix: under REDIS_KEY_PREFIX, with a {hash tag} so a queue's keys share one Cluster slot. */
export const queuePrefix = (config: AppConfig): string => `${config.redis.keyPrefix}{bull}`;

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
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        connection: bullmqConnectionOptions(config),
        prefix: queuePrefix(config),
        defaultJobOptions: defaultJobOptions(config),
      }),
    }),
    BullModule.registerQueue(
      { name: QueueName.Orders },
      { name: QueueName.Notifications },
      { name: QueueName.Documents },
      { name: QueueName.Fulfilment },
    ),
  ],
  // The job runtime every queue's processor uses: the executor and the durable record of job runs.
  providers: [QueueRegistry, JobExecutor, JobRunsRepository],
  exports: [BullModule, QueueRegistry, JobExecutor, JobRunsRepository],
})
export class QueueModule {}
