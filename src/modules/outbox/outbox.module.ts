import { Module } from '@nestjs/common';

import { JobExecutor } from './job-executor.service';
import { JobRunsRepository } from './job-runs.repository';
import { OutboxWriter } from './outbox.writer';

/** Writing to the outbox, job runs and the shared job executor: for every process. */
@Module({
  providers: [OutboxWriter, JobRunsRepository, JobExecutor],
  exports: [OutboxWriter, JobRunsRepository, JobExecutor],
})
export class OutboxModule {}
