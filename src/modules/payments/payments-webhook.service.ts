import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { TransactionRunner } from '../../infra/database/transaction-runner';
import { Metrics } from '../../infra/metrics/metrics.service';
import { CatalogService } from '../catalog/catalog.service';
import {
  FactSource,
  OrderPaymentsService,
  PaymentFactOutcome,
  PaymentFactResult,
} from '../orders/order-payments.service';
import { InvalidWebhookSignatureError } from './payments.errors';
import { PaymentEvent } from './stripe/payment-gateway';
import { StripeClient } from './stripe/stripe.client';
import { WebhookEventsRepository } from './webhook-events.repository';

export type WebhookOutcome = PaymentFactOutcome | 'duplicate' | 'ignored';

/**
 * Verifies the signature, then in ONE transaction records the event in the inbox (its unique id makes a
 * redelivery a no-op) and hands its payment facts to the orders module, outbox rows included.
 */
@Injectable()
export class PaymentsWebhookService {
  private readonly logger = new Logger(PaymentsWebhookService.name);

  constructor(
    private readonly stripe: StripeClient,
    private readonly tx: TransactionRunner,
    private readonly orderPayments: OrderPaymentsService,
    private readonly catalog: CatalogService,
    private readonly metrics: Metrics,
    private readonly inbox: WebhookEventsRepository,
  ) {}

  async receive(rawBody: Buffer | undefined, signature: string | undefined): Promise<WebhookOutcome> {
    const event = rawBody ? this.stripe.verifyWebhook(rawBody, signature) : null;
    if (!event) {
      this.metrics.webhookSignatureFailures.inc();
      throw new InvalidWebhookSignatureError();
    }
    const { outcome, orderId, releasedItems } = await this.tx.run(async (em) => {
      if (!(await this.inbox.receive(em, event.id, event.type)))
        return { outcome: 'duplicate' as const, orderId: null, releasedItems: [] };
      const applied = await this.apply(em, event);
      await this.inbox.recordOutcome(em, event.id, applied.outcome, applied.orderId);
      return applied;
    });
    await this.catalog.invalidate(...releasedItems);
    this.logger.log({ eventId: event.id, type: event.type, orderId, outcome }, 'stripe webhook');
    return outcome;
  }

  private apply(
    em: EntityManager,
    event: PaymentEvent,
  ): Promise<PaymentFactResult | { outcome: 'ignored'; orderId: null; releasedItems: string[] }> {
    const source: FactSource = { actor: { kind: 'stripe' }, event: { id: event.id, type: event.type } };
    switch (event.kind) {
      case 'payment_intent':
        if (event.type === 'payment_intent.succeeded')
          return this.orderPayments.paymentSucceeded(em, event.intent, source);
        if (event.type === 'payment_intent.payment_failed' || event.type === 'payment_intent.canceled')
          return this.orderPayments.paymentFailed(em, event.intent, source, event.type);
        return this.orderPayments.paymentUpdated(em, event.intent, source);
      case 'refund':
        return this.orderPayments.refundReported(em, event.refund, source);
      case 'charge_refunded':
        return this.orderPayments.chargeRefunded(
          em,
          {
            id: event.chargeId,
            paymentIntentId: event.paymentIntentId,
            amountRefundedCents: event.amountRefundedCents,
            currency: event.currency,
          },
          source,
        );
      default:
        return Promise.resolve({ outcome: 'ignored', orderId: null, releasedItems: [] });
    }
  }
}
