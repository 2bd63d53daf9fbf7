import { Module, OnModuleInit } from '@nestjs/common';

import { Metrics } from '../../infra/metrics/metrics.service';
import { JobFailureAlerts } from './job-failure-alerts';
import { OutboxBatchRelay } from './outbox-batch.relay';
import { OutboxRepository } from './outbox.repository';
import { OutboxService } from './outbox.service';
import { OutboxWriter } from './outbox.writer';

/**
 * Writing to the outbox, re-dispatching, relaying on demand and inspecting it, and alerting on failed jobs: for
 * every process (the relay loop itself is OutboxRelayModule's, workers only).
 */
@Module({
  providers: [OutboxRepository, OutboxBatchRelay, OutboxWriter, OutboxService, JobFailureAlerts],
  exports: [OutboxWriter, OutboxService, JobFailureAlerts],
})
export class OutboxModule implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly outbox: OutboxRepository,
  ) {}

  /** Outbox lag at scrape time: how many rows wait for the relay and how old the oldest is. */
  onModuleInit(): void {
    this.metrics.addCollector(async () => {
      const { unsent, oldestAgeSeconds } = await this.outbox.lag();
      this.metrics.outboxUnsent.set(unsent);
      this.metrics.outboxOldestAge.set(oldestAgeSeconds);
    });
  }
}
