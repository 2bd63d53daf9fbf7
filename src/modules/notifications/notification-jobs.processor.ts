import { Injectable } from '@nestjs/common';
import { Job } from 'bullmq';

import { AppConfig } from '../../config/app-config';
import { NotificationJobPayload } from '../../infra/queue/job-payloads';
import { JobOutcome } from '../../infra/queue/job-outcome';
import { ManagedWorkerHost, QueueWorkerOptions } from '../../infra/queue/managed-worker.host';
import { QueueName } from '../../infra/queue/queue-names';
import { JobExecutor } from '../../infra/queue/job-executor';
import { LockKey } from '../../infra/redis/lock-keys';
import { NotificationsService } from './notifications.service';

/** `notifications` queue: one job per notice, named after its event (the routing table picks the email). */
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
      lockKey: LockKey.notice(job.data.dedupeKey),
      lockTtlMs: this.config.queues.lockMs,
      lockWaitMs: this.config.queues.lockWaitMs,
      // No alert about an email that cannot be sent: an alert is an email too, it would loop; the logs say it.
    });
  }
}
