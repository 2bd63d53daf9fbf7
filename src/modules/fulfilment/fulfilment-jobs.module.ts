import { Module } from '@nestjs/common';

import { OutboxModule } from '../outbox/outbox.module';
import { FulfilmentJobsProcessor } from './fulfilment-jobs.processor';
import { FulfilmentModule } from './fulfilment.module';

/** Worker side: the fulfilment (ERP) queue processor. */
@Module({ imports: [FulfilmentModule, OutboxModule], providers: [FulfilmentJobsProcessor] })
export class FulfilmentJobsModule {}
