import { Injectable } from '@nestjs/common';
import { Job } from 'bullmq';
import { EntityManager } from 'typeorm';

import { JobEnvelope } from '../../infra/queue/job-payloads';
import { QueueName } from '../../infra/queue/queue-names';
import { adminAlert, OutboxMessage } from './outbox-message';
import { OutboxWriter } from './outbox.writer';

/** The admins hear of every job that failed for good (once per job), with what its failure set in motion. */
@Injectable()
export class JobFailureAlerts {
  constructor(private readonly outbox: OutboxWriter) {}

  /** Writes the alert and the follow-up messages (e.g. a compensation) in the caller's transaction. */
  async record(
    em: EntityManager,
    job: Job<JobEnvelope>,
    queue: QueueName,
    message: string,
    followUps: OutboxMessage[] = [],
  ): Promise<void> {
    const alert = adminAlert(
      job.data.orderId,
      {
        title: `${queue} job ${job.name} failed for good`,
        detail: `job ${job.id} for ${job.data.orderId}: ${message}`.slice(0, 1000),
        correlationId: job.data.correlationId,
      },
      String(job.id),
    );
    await this.outbox.append(em, ...followUps, alert);
  }
}
