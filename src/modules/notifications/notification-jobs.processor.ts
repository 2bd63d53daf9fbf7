import { Processor } from '@nestjs/bullmq';
import { OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';

import { AppConfig } from '../../config/app-config';
import { NotificationJobPayload } from '../../infra/queue/job-payloads';
import { JobOutcome } from '../../infra/queue/job-outcome';
import { ManagedWorkerHost } from '../../infra/queue/managed-worker.host';
import { QueueName } from '../../infra/queue/queue-names';
import { JobExecutor } from '../outbox/job-executor.service';
import { NotificationsService } from './notifications.service';

/** `notifications` queue: one job per email, named after its kind. */
@Processor(QueueName.Notifications, { autorun: false })
export class NotificationJobsProcessor extends ManagedWorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly executor: JobExecutor,
    private readonly notifications: NotificationsService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.startWorker({
      concurrency: this.config.mail.concurrency,
      lockDuration: this.config.queues.lockMs,
      stalledInterval: this.config.queues.stalledIntervalMs,
    });
  }

  process(job: Job<NotificationJobPayload>): Promise<JobOutcome> {
    return this.executor.execute(job, QueueName.Notifications, () => this.notifications.deliver(job.data), {
      lockKey: `lock:notify:${job.data.dedupeKey}`,
      lockTtlMs: this.config.queues.lockMs,
    });
  }
}
