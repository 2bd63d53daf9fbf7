import { Injectable, Logger } from '@nestjs/common';

import { TransactionRunner } from '../../infra/database/transaction-runner';
import { OrderPaymentsService, PaymentEventOutcome } from '../orders/order-payments.service';
import { InvalidWebhookSignatureError } from './payments.errors';
import { StripeClient } from './stripe/stripe.client';

export type WebhookOutcome = PaymentEventOutcome | 'duplicate' | 'ignored';

/**
 * Verifies the signature, then in ONE transaction records the event in the inbox (its unique id makes a
 * redelivery a no-op) and applies it to the order, outbox row included.
 */
@Injectable()
export class PaymentsWebhookService {
  private readonly logger = new Logger(PaymentsWebhookService.name);

  constructor(
    private readonly stripe: StripeClient,
    private readonly tx: TransactionRunner,
    private readonly orderPayments: OrderPaymentsService,
  ) {}

  async receive(rawBody: Buffer | undefined, signature: string | undefined): Promise<WebhookOutcome> {
    const event = rawBody ? this.stripe.verifyWebhook(rawBody, signature) : null;
    if (!event) throw new InvalidWebhookSignatureError();
    const outcome = await this.tx.run(async (em): Promise<WebhookOutcome> => {
      // INSERT … RETURNING answers the rows themselves (UPDATE answers [rows, count]).
      const inserted: unknown[] = await em.query(
        `INSERT INTO webhook_events (event_id, type, outcome) VALUES ($1, $2, 'received')
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        [event.id, event.type],
      );
      if (inserted.length === 0) return 'duplicate';
      const orderId = await this.orderPayments.orderIdFor(em, event);
      let result: WebhookOutcome = 'ignored';
      if (orderId) {
        switch (event.type) {
          case 'payment_intent.succeeded':
            result = await this.orderPayments.paymentSucceeded(em, orderId, 'stripe');
            break;
          case 'payment_intent.payment_failed':
          case 'payment_intent.canceled':
            result = await this.orderPayments.paymentFailed(em, orderId, event.type);
            break;
        }
      }
      await em.query(`UPDATE webhook_events SET outcome = $2, order_id = $3 WHERE event_id = $1`, [
        event.id,
        result,
        orderId,
      ]);
      return result;
    });
    this.logger.log(
      { eventId: event.id, type: event.type, orderId: event.orderId, outcome },
      'stripe webhook',
    );
    return outcome;
  }
}
