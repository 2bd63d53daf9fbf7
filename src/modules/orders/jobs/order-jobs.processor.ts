import { Inject, Injectable } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';

import { AppConfig } from '../../../config/app-config';
import { OrderJobPayload } from '../../../infra/queue/job-payloads';
import { JobOutcome } from '../../../infra/queue/job-outcome';
import { ManagedWorkerHost, QueueWorkerOptions } from '../../../infra/queue/managed-worker.host';
import { OrderJob, QueueName } from '../../../infra/queue/queue-names';
import { LockKey } from '../../../infra/redis/lock-keys';
import { JobExecutor } from '../../../infra/queue/job-executor';
import { JobFailureAlerts } from '../../outbox/job-failure-alerts';
import { OrderJobCompensation } from './order-compensation';
import { buildStrategyRegistry, ORDER_JOB_STRATEGIES, OrderJobStrategy } from './order-job.strategy';

/**
 * Orders queue worker. It only resolves the strategy and hands it to the JobExecutor under the order lock;
 * when the last attempt fails, the compensation table (order-compensation.ts) decides what follows.
 */
@Injectable()
export class OrderJobsProcessor extends ManagedWorkerHost {
  private readonly registry: Map<OrderJob, OrderJobStrategy>;

  constructor(
    @Inject(ORDER_JOB_STRATEGIES) strategies: OrderJobStrategy[],
    private readonly executor: JobExecutor,
    private readonly compensation: OrderJobCompensation,
    private readonly alerts: JobFailureAlerts,
    config: AppConfig,
  ) {
    super(QueueName.Orders, config);
    this.registry = buildStrategyRegistry(strategies);
  }

  protected workerOptions(): QueueWorkerOptions {
    return { concurrency: this.config.orders.concurrency };
  }

  process(job: Job<OrderJobPayload>): Promise<JobOutcome> {
    const strategy = this.registry.get(job.name as OrderJob);
    if (!strategy) throw new UnrecoverableError(`no strategy for job ${job.name}`);
    return this.executor.execute(job, QueueName.Orders, () => strategy.handle(job.data as never), {
      // Same lease as BullMQ's job lock: Redlock extends it while the job runs; a dead worker's lapses.
      lockKey: LockKey.order(job.data.orderId),
      lockTtlMs: this.config.queues.lockMs,
      lockWaitMs: this.config.queues.lockWaitMs,
      onFinalFailure: async (em, message) =>
        this.alerts.record(
          em,
          job,
          QueueName.Orders,
          message,
          await this.compensation.onFinalFailure(em, job, message),
        ),
    });
  }
}
