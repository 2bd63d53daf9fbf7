import { Injectable } from '@nestjs/common';
import { Job } from 'bullmq';

import { AppConfig } from '../../config/app-config';
import { DocumentJobPayloads } from '../../infra/queue/job-payloads';
import { JobOutcome } from '../../infra/queue/job-outcome';
import { ManagedWorkerHost, QueueWorkerOptions } from '../../infra/queue/managed-worker.host';
import { DocumentJob, QueueName } from '../../infra/queue/queue-names';
import { JobExecutor } from '../../infra/queue/job-executor';
import { LockKey } from '../../infra/redis/lock-keys';
import { JobFailureAlerts } from '../outbox/job-failure-alerts';
import { ExportsService } from './exports.service';
import { InvoicesService } from './invoices.service';

/** `documents` queue: invoice PDFs and CSV exports. */
@Injectable()
export class DocumentJobsProcessor extends ManagedWorkerHost {
  constructor(
    private readonly executor: JobExecutor,
    private readonly invoices: InvoicesService,
    private readonly exports: ExportsService,
    private readonly alerts: JobFailureAlerts,
    config: AppConfig,
  ) {
    super(QueueName.Documents, config);
  }

  protected workerOptions(): QueueWorkerOptions {
    return { concurrency: this.config.documents.concurrency };
  }

  process(job: Job<DocumentJobPayloads[DocumentJob]>): Promise<JobOutcome> {
    if (job.name === DocumentJob.OrdersExport) {
      const { exportId } = job.data as DocumentJobPayloads[DocumentJob.OrdersExport];
      const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      return this.executor.execute(job, QueueName.Documents, () => this.exports.run(exportId, finalAttempt), {
        lockKey: LockKey.export(exportId),
        lockTtlMs: this.config.queues.lockMs,
        lockWaitMs: this.config.queues.lockWaitMs,
        onFinalFailure: (em, message) => this.alerts.record(em, job, QueueName.Documents, message),
      });
    }
    return this.executor.execute(job, QueueName.Documents, () => this.invoices.generate(job.data.orderId), {
      lockKey: LockKey.invoice(job.data.orderId),
      lockTtlMs: this.config.queues.lockMs,
      lockWaitMs: this.config.queues.lockWaitMs,
      onFinalFailure: (em, message) => this.alerts.record(em, job, QueueName.Documents, message),
    });
  }
}
