import { Injectable, Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { EntityManager } from 'typeorm';

import { TransactionRunner } from '../database/transaction-runner';
import { DomainError } from '../errors/domain-error';
import { CorrelationContext } from '../logging/correlation-context';
import { Metrics } from '../metrics/metrics.service';
import { LockService } from '../redis/lock.service';
import { JobEnvelope } from './job-payloads';
import { JobOutcome } from './job-outcome';
import { QueueName } from './queue-names';
import { JobRunLog } from './job-run-log';
import { JobRunRef } from './job-runs.repository';

class RetryLaterError extends Error {
  override name = 'RetryLaterError';
}

export interface ExecuteOptions {
  /** Redlock resource held while the handler runs (lease = the job lock, extended while alive). */
  lockKey?: string;
  lockTtlMs: number;
  /** How long to wait for that lock before the attempt counts as failed and is retried. */
  lockWaitMs: number;
  /**
   * Runs in one transaction when the job fails for good: what the failure means (an admin alert, a
   * compensation, a refund marked failed), written by the queue's owner.
   */
  onFinalFailure?: (em: EntityManager, message: string) => Promise<void>;
}

/**
 * Runs one job the same way on every queue: inside the job's correlation context, under an optional lock,
 * recording the job run in Postgres, mapping the outcome (done/skipped → complete, retry → backoff, permanent
 * DomainError → UnrecoverableError) and, when the last attempt fails, calling the owner's final-failure hook.
 */
@Injectable()
export class JobExecutor {
  private readonly logger = new Logger(JobExecutor.name);

  constructor(
    private readonly jobRuns: JobRunLog,
    private readonly locks: LockService,
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
    this.jobRuns.note(run, 'active', attempt);
    const timer = this.metrics.jobDuration.startTimer({ queue, name: job.name });
    try {
      const outcome = options.lockKey
        ? await this.locks.withLock(
            options.lockKey,
            { ttlMs: options.lockTtlMs, waitMs: options.lockWaitMs },
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
      const onFinalFailure = options.onFinalFailure;
      if (final && onFinalFailure) await this.tx.run((em) => onFinalFailure(em, message));
      this.logger.warn(
        { ...fields, err: error, final },
        final ? 'job failed for good' : 'job failed; will retry',
      );
      throw permanent ? new UnrecoverableError(message) : error;
    }
  }
}
