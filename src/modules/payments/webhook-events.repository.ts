import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** `webhook_events`: the inbox of Stripe events (its unique event id makes a redelivery a no-op). */
@Injectable()
export class WebhookEventsRepository {
  /** Records the event; false when it was received before. */
  async receive(em: EntityManager, eventId: string, type: string): Promise<boolean> {
    // INSERT … RETURNING answers the rows themselves.
    const inserted: unknown[] = await em.query(
      `INSERT INTO webhook_events (event_id, type, outcome) VALUES ($1, $2, 'received')
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [eventId, type],
    );
    return inserted.length > 0;
  }

  async recordOutcome(
    em: EntityManager,
    eventId: string,
    outcome: string,
    orderId: string | null,
  ): Promise<void> {
    await em.query(`UPDATE webhook_events SET outcome = $2, order_id = $3 WHERE event_id = $1`, [
      eventId,
      outcome,
      orderId,
    ]);
  }
}
