import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';

import { AppConfig } from '../../../config/app-config';
import { TransactionRunner } from '../../../infra/database/transaction-runner';
import { DomainError } from '../../../infra/errors/domain-error';
import { OrderJobPayload } from '../../../infra/queue/job-payloads';
import { OrderJob, QueueName } from '../../../infra/queue/queue-names';
import { CorrelationContext } from '../../../infra/logging/correlation-context';
import { LockBusyError, LockService } from '../../../infra/redis/lock.service';
import { LockKey } from '../../../infra/redis/lock-keys';
import { JobRunRef, JobRunsRepository } from '../../outbox/job-runs.repository';
import { OutboxWriter } from '../../outbox/outbox.writer';
import { PaymentProviderUnavailableError } from '../../payments/payments.errors';
import { orderEvents } from '../orders.events';
import { OrderVersionConflictError } from '../orders.errors';
import {
  buildStrategyRegistry,
  JobOutcome,
  ORDER_JOB_STRATEGIES,
  OrderJobStrategy,
} from './order-job.strategy';

const LOCK_WAIT_MS = 5_000;

class RetryLaterError extends Error {
  override name = 'RetryLaterError';
}

/** Expected failures that another attempt may fix; every other DomainError is permanent. */
const RETRYABLE = [LockBusyError, OrderVersionConflictError, PaymentProviderUnavailableError];

/**
 * Orders queue worker. It only resolves the strategy, takes the order lock, runs it and maps the outcome:
 * done/skipped → complete, retry → retry with backoff, permanent error → UnrecoverableError. When the last
 * attempt fails it writes the order's (single) compensation to the outbox before giving up.
 */
// autorun off: the worker starts once the application (and its config) is ready, see onApplicationBootstrap.
@Processor(QueueName.Orders, { autorun: false })
export class OrderJobsProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(OrderJobsProcessor.name);
  private readonly registry: Map<OrderJob, OrderJobStrategy>;

  constructor(
    @Inject(ORDER_JOB_STRATEGIES) strategies: OrderJobStrategy[],
    private readonly locks: LockService,
    private readonly jobRuns: JobRunsRepository,
    private readonly outbox: OutboxWriter,
    private readonly tx: TransactionRunner,
    private readonly config: AppConfig,
  ) {
    super();
    this.registry = buildStrategyRegistry(strategies);
  }

  onApplicationBootstrap(): void {
    Object.assign(this.worker.opts, {
      concurrency: this.config.orders.concurrency,
      lockDuration: this.config.queues.lockMs,
      stalledInterval: this.config.queues.stalledIntervalMs,
    });
    void this.worker.run().catch((err: unknown) => this.logger.error({ err }, 'orders worker stopped'));
  }

  /** Graceful shutdown: stop taking jobs and let the active ones finish while the database is still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  process(job: Job<OrderJobPayload>): Promise<JobOutcome> {
    return CorrelationContext.run(job.data.correlationId ?? `job-${job.id}`, () => this.run(job));
  }

  private async run(job: Job<OrderJobPayload>): Promise<JobOutcome> {
    const jobId = job.id ?? 'unknown';
    const attempt = job.attemptsMade + 1;
    const fields = { jobId, orderId: job.data.orderId, queue: QueueName.Orders, job: job.name, attempt };
    const strategy = this.registry.get(job.name as OrderJob);
    if (!strategy) throw new UnrecoverableError(`no strategy for job ${job.name}`);
    const run: JobRunRef = {
      jobId,
      aggregateId: job.data.orderId,
      outboxId: job.data.outboxId,
      queue: QueueName.Orders,
      name: job.name,
      correlationId: job.data.correlationId ?? null,
    };
    await this.jobRuns.record(run, 'active', attempt);
    try {
      const outcome = await this.locks.withLock(
        LockKey.order(job.data.orderId),
        // Same lease as BullMQ's job lock: Redlock extends it while the job runs; a dead worker's lapses.
        { ttlMs: this.config.queues.lockMs, waitMs: LOCK_WAIT_MS },
        () => strategy.handle(job.data as never),
      );
      if (outcome.status === 'retry') throw new RetryLaterError(outcome.reason);
      await this.jobRuns.record(run, outcome.status === 'skipped' ? 'skipped' : 'completed', attempt);
      this.logger.log(
        { ...fields, outcome: outcome.status, reason: 'reason' in outcome ? outcome.reason : undefined },
        'job done',
      );
      return outcome;
    } catch (error) {
      const permanent = error instanceof DomainError && !RETRYABLE.some((type) => error instanceof type);
      const final = permanent || attempt >= (job.opts.attempts ?? 1);
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      await this.jobRuns.record(run, final ? 'failed' : 'retrying', attempt, message);
      if (final) await this.compensate(job, message);
      this.logger.warn(
        { ...fields, err: error, final },
        final ? 'job failed for good' : 'job failed; will retry',
      );
      throw permanent ? new UnrecoverableError(message) : error;
    }
  }

  private async compensate(job: Job<OrderJobPayload>, message: string): Promise<void> {
    if (job.name === OrderJob.Compensate) {
      this.logger.error(
        { orderId: job.data.orderId, jobId: job.id, error: message },
        'compensation failed for good: needs an operator',
      );
      return;
    }
    await this.tx.run((em) =>
      this.outbox.append(em, orderEvents.compensationNeeded(job.data.orderId, job.name, message)),
    );
  }

  @OnWorkerEvent('active')
  onActive(job: Job<OrderJobPayload>): void {
    this.logger.debug(
      { jobId: job.id, orderId: job.data.orderId, job: job.name, correlationId: job.data.correlationId },
      'job active',
    );
  }

  @OnWorkerEvent('completed')
  onCompleted(job: Job<OrderJobPayload>): void {
    this.logger.debug(
      { jobId: job.id, orderId: job.data.orderId, job: job.name, correlationId: job.data.correlationId },
      'job completed',
    );
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<OrderJobPayload> | undefined, error: Error): void {
    this.logger.warn(
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
    this.logger.warn({ jobId, queue: QueueName.Orders }, 'job stalled; it will be retried');
  }
}
