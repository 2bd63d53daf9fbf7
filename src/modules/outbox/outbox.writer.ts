import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { CorrelationContext } from '../../infra/logging/correlation-context';
import { OutboxMessage } from './outbox-message';
import { OutboxRepository } from './outbox.repository';

/**
 * Appends domain events to the outbox inside the caller's transaction; the relay publishes them after
 * commit. The current correlation id travels with every row.
 */
@Injectable()
export class OutboxWriter {
  constructor(private readonly outbox: OutboxRepository) {}

  /** Returns the ids of the rows written (a message whose dedupe key already exists is skipped). */
  append(em: EntityManager, ...messages: OutboxMessage[]): Promise<string[]> {
    return this.outbox.append(em, CorrelationContext.current() ?? null, messages);
  }
}
