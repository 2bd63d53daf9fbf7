import { Module } from '@nestjs/common';

import { OutboxCleanup } from './outbox.cleanup';
import { OutboxRepository } from './outbox.repository';
import { OutboxRelay } from './outbox.relay';

/** The relay and cleanup loops: worker processes only. */
@Module({ providers: [OutboxRepository, OutboxRelay, OutboxCleanup], exports: [OutboxRelay] })
export class OutboxRelayModule {}
