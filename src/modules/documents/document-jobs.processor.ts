import { Injectable } from '@nestjs/common';
import { Job } from 'bullmq';

import { AppConfig } from '../../config/app-config';
import { DocumentJobPayloads } from '../../infra/queue/job-payloads';
import { JobOutcome } from '../../infra/queue/job-outcome';
import { ManagedWorkerHost, QueueWorkerOptions } from '../../infra/queue/managed-worker.host';
import { DocumentJob, QueueName } from '../../infra/queue/queue-names';
import { JobExecutor } from '../outbox/job-executor.service';
import { ExportsService } from './exports.service';
import { InvoicesService } from './invoices.service';

/** `documents` queue: invoice PDFs and CSV exports. */
@Injectable()
export class DocumentJobsProcessor extends ManagedWorkerHost {
  constructor(
    private readonly executor: JobExecutor,
    private readonly invoices: InvoicesService,
    private readonly exports: ExportsService,
    config: AppConfig,
  ) {
    super(QueueName.Documents, config);
  }

  protected workerOptions(): QueueWorkerOptions {
    return { concurrency: 2 };
  }

  process(job: Job<DocumentJobPayloads[DocumentJob]>): Promise<JobOutcome> {
    if (job.name === DocumentJob.OrdersExport) {
      const { exportId } = job.data as DocumentJobPayloads[DocumentJob.OrdersExport];
      const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      return this.executor.execute(job, QueueName.Documents, () => this.exports.run(exportId, finalAttempt), {
        lockKey: `lock:export:${exportId}`,
        lockTtlMs: this.config.queues.lockMs,
      });
    }
    return this.executor.execute(job, QueueName.Documents, () => this.invoices.generate(job.data.orderId), {
      lockKey: `lock:invoice:${job.data.orderId}`,
      lockTtlMs: this.config.queues.lockMs,
    });
  }
}
