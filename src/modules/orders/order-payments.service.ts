import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { OutboxWriter } from '../outbox/outbox.writer';
import { OrderStatus } from './order-state';
import { orderEvents } from './orders.events';
import { OrderStateWriter } from './order-state.writer';
import { OrdersRepository } from './orders.repository';
import { RefundsRepository } from './refunds.repository';

export type PaymentEventOutcome =
  'paid' | 'cancel_requested' | 'late_payment_refund' | 'stale' | 'unknown_order';

/**
 * Applies payment facts (from Stripe webhooks or from the reconciler asking Stripe) inside the caller's
 * transaction. Stale or out-of-order facts never move an order backwards: they are reported as `stale`.
 */
@Injectable()
export class OrderPaymentsService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly state: OrderStateWriter,
    private readonly refunds: RefundsRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async orderIdFor(
    em: EntityManager,
    ref: { orderId?: string; paymentIntentId?: string },
  ): Promise<string | null> {
    if (ref.paymentIntentId) {
      const byIntent = await this.orders.findByPaymentIntent(em, ref.paymentIntentId);
      if (byIntent) return byIntent;
    }
    return ref.orderId ?? null;
  }

  async paymentSucceeded(em: EntityManager, orderId: string, actor: string): Promise<PaymentEventOutcome> {
    const order = await this.orders.lock(em, orderId);
    if (!order) return 'unknown_order';
    if (order.status === OrderStatus.Pending) {
      await this.state.transition(em, order, OrderStatus.Paid, { actor, reason: 'payment succeeded' });
      await this.outbox.append(em, orderEvents.paid(order.id));
      return 'paid';
    }
    if (order.status === OrderStatus.Cancelled && order.refundedCents < order.totalCents) {
      // Paid after it was cancelled (customer raced the cancellation): give the money back.
      const refund = await this.refunds.insert(
        em,
        order.id,
        order.totalCents - order.refundedCents,
        'payment after cancellation',
      );
      await this.outbox.append(em, orderEvents.refundRequested(order.id, refund.id));
      return 'late_payment_refund';
    }
    return 'stale';
  }

  async paymentFailed(em: EntityManager, orderId: string, reason: string): Promise<PaymentEventOutcome> {
    const order = await this.orders.lock(em, orderId);
    if (!order) return 'unknown_order';
    if (order.status !== OrderStatus.Pending) return 'stale';
    await this.outbox.append(em, orderEvents.cancelRequested(order.id, 'stripe', reason));
    return 'cancel_requested';
  }
}
