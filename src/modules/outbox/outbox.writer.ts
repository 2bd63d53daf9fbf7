import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { CorrelationContext } from '../../infra/logging/correlation-context';
import { OutboxMessage } from './outbox-message';

/**
 * Appends domain events to the outbox inside the caller's transaction; the relay publishes them after
 * commit. The current correlation id travels with every row.
 */
@Injectable()
export class OutboxWriter {
  /** Returns the ids of the rows written (a message whose dedupe key already exists is skipped). */
  async append(em: EntityManager, ...messages: OutboxMessage[]): Promise<string[]> {
    if (messages.length === 0) return [];
    const correlationId = CorrelationContext.current() ?? null;
    const params: unknown[] = [];
    const values = messages.map((m) => {
      params.push(
        m.type,
        m.aggregateId,
        JSON.stringify(m.payload),
        correlationId,
        m.dedupeKey ?? null,
        m.deliverAfter ?? null,
      );
      const n = params.length;
      return `($${n - 5}, $${n - 4}, $${n - 3}::jsonb, $${n - 2}, $${n - 1}, $${n})`;
    });
    const rows: { id: string }[] = await em.query(
      `INSERT INTO outbox (type, aggregate_id, payload, correlation_id, dedupe_key, deliver_after)
       VALUES ${values.join(', ')}
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id`,
      params,
    );
    return rows.map((r) => String(r.id));
  }
}
