import { Module } from '@nestjs/common';

import { OutboxModule } from '../outbox/outbox.module';
import { DocumentJobsProcessor } from './document-jobs.processor';
import { DocumentsModule } from './documents.module';

/** Worker side: the documents queue processor. */
@Module({ imports: [DocumentsModule, OutboxModule], providers: [DocumentJobsProcessor] })
export class DocumentJobsModule {}
