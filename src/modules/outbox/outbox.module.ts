import { Module } from '@nestjs/common';

import { JobRunsRepository } from './job-runs.repository';
import { OutboxWriter } from './outbox.writer';

/** Writing to the outbox and reading job runs: for every process. */
@Module({ providers: [OutboxWriter, JobRunsRepository], exports: [OutboxWriter, JobRunsRepository] })
export class OutboxModule {}
