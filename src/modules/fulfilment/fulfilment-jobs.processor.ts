import { Injectable } from '@nestjs/common';
import { Job } from 'bullmq';

import { AppConfig } from '../../config/app-config';
import { FulfilmentJobPayloads } from '../../infra/queue/job-payloads';
import { JobOutcome } from '../../infra/queue/job-outcome';
import { ManagedWorkerHost, QueueWorkerOptions } from '../../infra/queue/managed-worker.host';
import { FulfilmentJob, QueueName } from '../../infra/queue/queue-names';
import { LockKey } from '../../infra/redis/lock-keys';
import { JobExecutor } from '../../infra/queue/job-executor';
import { JobFailureAlerts } from '../outbox/job-failure-alerts';
import { ErpSubmissionService } from './erp-submission.service';

/**
 * `fulfilment` queue: ERP submissions, at most ERP_CONCURRENCY at once and ERP_RATE_LIMIT_PER_SECOND per
 * second (BullMQ's limiter is global across workers, kept in Redis). A submission that fails for good
 * (an ERP 4xx, or retries exhausted) alerts the admins and never moves money (order-compensation.ts).
 */
@Injectable()
export class FulfilmentJobsProcessor extends ManagedWorkerHost {
  constructor(
    private readonly executor: JobExecutor,
    private readonly submissions: ErpSubmissionService,
    private readonly alerts: JobFailureAlerts,
    config: AppConfig,
  ) {
    super(QueueName.Fulfilment, config);
  }

  protected workerOptions(): QueueWorkerOptions {
    return {
      concurrency: this.config.erp.concurrency,
      limiter: { max: this.config.erp.ratePerSecond, duration: 1000 },
    };
  }

  process(job: Job<FulfilmentJobPayloads[FulfilmentJob]>): Promise<JobOutcome> {
    return this.executor.execute(job, QueueName.Fulfilment, () => this.submissions.submit(job.data.orderId), {
      lockKey: LockKey.order(job.data.orderId),
      lockTtlMs: this.config.queues.lockMs,
      lockWaitMs: this.config.queues.lockWaitMs,
      // Never moves money (order-compensation.ts): the admins are told, an operator decides.
      onFinalFailure: (em, message) => this.alerts.record(em, job, QueueName.Fulfilment, message),
    });
  }
}
