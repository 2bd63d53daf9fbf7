import { Injectable, Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { EntityManager } from 'typeorm';

import { TransactionRunner } from '../../infra/database/transaction-runner';
import { DomainError } from '../../infra/errors/domain-error';
import { CorrelationContext } from '../../infra/logging/correlation-context';
import { JobEnvelope } from '../../infra/queue/job-payloads';
import { JobOutcome } from '../../infra/queue/job-outcome';
import { QueueName } from '../../infra/queue/queue-names';
import { Metrics } from '../../infra/metrics/metrics.service';
import { LockService } from '../../infra/redis/lock.service';
import { JobRunRef, JobRunsRepository } from './job-runs.repository';
import { notification } from './outbox-message';
import { OutboxMessage } from './outbox-message';
import { OutboxWriter } from './outbox.writer';

class RetryLaterError extends Error {
  override name = 'RetryLaterError';
}

export interface ExecuteOptions {
  /** Redlock resource held while the handler runs (lease = the job lock, extended while alive). */
  lockKey?: string;
  lockTtlMs: number;
  /**
   * Runs in the transaction that writes the admin alert when the job fails for good: its own writes (e.g. a
   * refund marked failed) and the outbox messages it returns (e.g. the order's compensation) commit with it.
   */
  onFinalFailure?: (em: EntityManager, message: string) => Promise<OutboxMessage[]>;
}

const LOCK_WAIT_MS = 5_000;

/**
 * Runs one job the same way on every queue: inside the job's correlation context, under an optional lock,
 * recording the job run in Postgres, mapping the outcome (done/skipped → complete, retry → backoff, permanent
 * DomainError → UnrecoverableError) and, when the last attempt fails, writing the follow-up outbox rows and an
 * admin alert before giving up.
 */
@Injectable()
export class JobExecutor {
  private readonly logger = new Logger(JobExecutor.name);

  constructor(
    private readonly jobRuns: JobRunsRepository,
    private readonly locks: LockService,
    private readonly outbox: OutboxWriter,
    private readonly tx: TransactionRunner,
    private readonly metrics: Metrics,
  ) {}

  execute(
    job: Job<JobEnvelope>,
    queue: QueueName,
    handler: () => Promise<JobOutcome>,
    options: ExecuteOptions,
  ): Promise<JobOutcome> {
    return CorrelationContext.run(job.data.correlationId ?? `job-${job.id}`, () =>
      this.run(job, queue, handler, options),
    );
  }

  private async run(
    job: Job<JobEnvelope>,
    queue: QueueName,
    handler: () => Promise<JobOutcome>,
    options: ExecuteOptions,
  ): Promise<JobOutcome> {
    const jobId = job.id ?? 'unknown';
    const attempt = job.attemptsMade + 1;
    const fields = { jobId, orderId: job.data.orderId, queue, job: job.name, attempt };
    const run: JobRunRef = {
      jobId,
      aggregateId: job.data.orderId,
      outboxId: job.data.outboxId,
      queue,
      name: job.name,
      correlationId: job.data.correlationId ?? null,
    };
    await this.jobRuns.record(run, 'active', attempt);
    const timer = this.metrics.jobDuration.startTimer({ queue, name: job.name });
    try {
      const outcome = options.lockKey
        ? await this.locks.withLock(
            options.lockKey,
            { ttlMs: options.lockTtlMs, waitMs: LOCK_WAIT_MS },
            handler,
          )
        : await handler();
      if (outcome.status === 'retry') throw new RetryLaterError(outcome.reason);
      await this.jobRuns.record(run, outcome.status === 'skipped' ? 'skipped' : 'completed', attempt);
      timer({ outcome: outcome.status });
      this.logger.log(
        { ...fields, outcome: outcome.status, reason: 'reason' in outcome ? outcome.reason : undefined },
        'job done',
      );
      return outcome;
    } catch (error) {
      const permanent = error instanceof DomainError && !error.retryable;
      const final = permanent || attempt >= (job.opts.attempts ?? 1);
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      await this.jobRuns.record(run, final ? 'failed' : 'retrying', attempt, message);
      timer({ outcome: final ? 'failed' : 'retry' });
      this.metrics.jobFailures.inc({ queue, name: job.name, final: String(final) });
      if (final) await this.giveUp(job, queue, message, options);
      this.logger.warn(
        { ...fields, err: error, final },
        final ? 'job failed for good' : 'job failed; will retry',
      );
      throw permanent ? new UnrecoverableError(message) : error;
    }
  }

  private async giveUp(
    job: Job<JobEnvelope>,
    queue: QueueName,
    message: string,
    options: ExecuteOptions,
  ): Promise<void> {
    const alert = notification(
      'ADMIN_ALERT',
      job.data.orderId,
      {
        alert: {
          title: `${queue} job ${job.name} failed for good`,
          detail: `job ${job.id} for ${job.data.orderId}: ${message}`.slice(0, 1000),
          correlationId: job.data.correlationId,
        },
      },
      `ADMIN_ALERT:${job.id}`,
    );
    await this.tx.run(async (em) => {
      const followUps = (await options.onFinalFailure?.(em, message)) ?? [];
      // An alert about an alert that cannot be sent would loop: notifications only log.
      const messages = queue === QueueName.Notifications ? followUps : [...followUps, alert];
      if (messages.length) await this.outbox.append(em, ...messages);
    });
  }
}
