import { Module } from '@nestjs/common';

import { OutboxCleanup } from './outbox.cleanup';
import { OutboxModule } from './outbox.module';
import { OutboxRelay } from './outbox.relay';

/** The relay and cleanup loops: worker processes only. */
@Module({ imports: [OutboxModule], providers: [OutboxRelay, OutboxCleanup], exports: [OutboxRelay] })
export class OutboxRelayModule {}
