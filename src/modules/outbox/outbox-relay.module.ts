import { Module } from '@nestjs/common';

import { OutboxBatchRelay } from './outbox-batch.relay';
import { OutboxCleanup } from './outbox.cleanup';
import { OutboxRepository } from './outbox.repository';
import { OutboxRelay } from './outbox.relay';

/** The relay and cleanup loops: worker processes only. */
@Module({
  providers: [OutboxRepository, OutboxBatchRelay, OutboxRelay, OutboxCleanup],
  exports: [OutboxRelay],
})
export class OutboxRelayModule {}
