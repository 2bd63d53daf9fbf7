import { OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';

import { AppConfig } from '../../../config/app-config';
import { OrderJobPayload } from '../../../infra/queue/job-payloads';
import { JobOutcome } from '../../../infra/queue/job-outcome';
import { ManagedWorkerHost } from '../../../infra/queue/managed-worker.host';
import { OrderJob, QueueName } from '../../../infra/queue/queue-names';
import { LockKey } from '../../../infra/redis/lock-keys';
import { JobExecutor } from '../../outbox/job-executor.service';
import { orderEvents } from '../orders.events';
import { buildStrategyRegistry, ORDER_JOB_STRATEGIES, OrderJobStrategy } from './order-job.strategy';

/**
 * Orders queue worker. It only resolves the strategy and hands it to the JobExecutor under the order lock;
 * when the last attempt fails the order's (single) compensation is written to the outbox.
 */
// autorun off: the worker starts once the application (and its config) is ready, see onApplicationBootstrap.
@Processor(QueueName.Orders, { autorun: false })
export class OrderJobsProcessor extends ManagedWorkerHost implements OnApplicationBootstrap {
  private readonly registry: Map<OrderJob, OrderJobStrategy>;

  constructor(
    @Inject(ORDER_JOB_STRATEGIES) strategies: OrderJobStrategy[],
    private readonly executor: JobExecutor,
    private readonly config: AppConfig,
  ) {
    super();
    this.registry = buildStrategyRegistry(strategies);
  }

  onApplicationBootstrap(): void {
    this.startWorker({
      concurrency: this.config.orders.concurrency,
      lockDuration: this.config.queues.lockMs,
      stalledInterval: this.config.queues.stalledIntervalMs,
    });
  }

  process(job: Job<OrderJobPayload>): Promise<JobOutcome> {
    const strategy = this.registry.get(job.name as OrderJob);
    if (!strategy) throw new UnrecoverableError(`no strategy for job ${job.name}`);
    return this.executor.execute(job, QueueName.Orders, () => strategy.handle(job.data as never), {
      // Same lease as BullMQ's job lock: Redlock extends it while the job runs; a dead worker's lapses.
      lockKey: LockKey.order(job.data.orderId),
      lockTtlMs: this.config.queues.lockMs,
      onFinalFailure: (message) =>
        job.name === OrderJob.Compensate
          ? []
          : [orderEvents.compensationNeeded(job.data.orderId, job.name, message)],
    });
  }

  @OnWorkerEvent('active')
  onActive(job: Job<OrderJobPayload>): void {
    this.workerLogger.debug(
      { jobId: job.id, orderId: job.data.orderId, job: job.name, correlationId: job.data.correlationId },
      'job active',
    );
  }

  @OnWorkerEvent('completed')
  onCompleted(job: Job<OrderJobPayload>): void {
    this.workerLogger.debug(
      { jobId: job.id, orderId: job.data.orderId, job: job.name, correlationId: job.data.correlationId },
      'job completed',
    );
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<OrderJobPayload> | undefined, error: Error): void {
    this.workerLogger.warn(
      {
        jobId: job?.id,
        orderId: job?.data.orderId,
        job: job?.name,
        attempt: job?.attemptsMade,
        correlationId: job?.data.correlationId,
        error: error.message,
      },
      'job failed',
    );
  }

  @OnWorkerEvent('stalled')
  onStalled(jobId: string): void {
    this.workerLogger.warn({ jobId, queue: QueueName.Orders }, 'job stalled; it will be retried');
  }
}
