import { Module, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { Metrics } from '../../infra/metrics/metrics.service';
import { JobExecutor } from './job-executor.service';
import { JobRunsRepository } from './job-runs.repository';
import { OutboxWriter } from './outbox.writer';

/** Writing to the outbox, job runs and the shared job executor: for every process. */
@Module({
  providers: [OutboxWriter, JobRunsRepository, JobExecutor],
  exports: [OutboxWriter, JobRunsRepository, JobExecutor],
})
export class OutboxModule implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly dataSource: DataSource,
  ) {}

  /** Outbox lag at scrape time: how many rows wait for the relay and how old the oldest is. */
  onModuleInit(): void {
    this.metrics.addCollector(async () => {
      const [row]: { unsent: string; age: number | null }[] = await this.dataSource.query(
        `SELECT count(*) AS unsent, extract(epoch FROM now() - min(occurred_at))::float8 AS age FROM outbox WHERE sent_at IS NULL`,
      );
      this.metrics.outboxUnsent.set(Number(row.unsent));
      this.metrics.outboxOldestAge.set(row.age ?? 0);
    });
  }
}
