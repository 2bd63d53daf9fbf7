import { Injectable } from '@nestjs/common';
import { Job } from 'bullmq';

import { AppConfig } from '../../config/app-config';
import { NotificationJobPayload } from '../../infra/queue/job-payloads';
import { JobOutcome } from '../../infra/queue/job-outcome';
import { ManagedWorkerHost, QueueWorkerOptions } from '../../infra/queue/managed-worker.host';
import { QueueName } from '../../infra/queue/queue-names';
import { JobExecutor } from '../outbox/job-executor.service';
import { NotificationsService } from './notifications.service';

/** `notifications` queue: one job per email, named after its kind. */
@Injectable()
export class NotificationJobsProcessor extends ManagedWorkerHost {
  constructor(
    private readonly executor: JobExecutor,
    private readonly notifications: NotificationsService,
    config: AppConfig,
  ) {
    super(QueueName.Notifications, config);
  }

  protected workerOptions(): QueueWorkerOptions {
    return { concurrency: this.config.mail.concurrency };
  }

  process(job: Job<NotificationJobPayload>): Promise<JobOutcome> {
    return this.executor.execute(job, QueueName.Notifications, () => this.notifications.deliver(job.data), {
      lockKey: `lock:notify:${job.data.dedupeKey}`,
      lockTtlMs: this.config.queues.lockMs,
    });
  }
}
