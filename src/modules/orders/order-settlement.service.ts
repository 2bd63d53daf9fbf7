import { Injectable, Logger } from '@nestjs/common';

import { Failpoint, Failpoints } from '../../infra/chaos/failpoints';
import { TransactionRunner } from '../../infra/database/transaction-runner';
import { CatalogService } from '../catalog/catalog.service';
import { OutboxWriter } from '../outbox/outbox.writer';
import { partialRefundEffects } from './orders.events';
import { OrderStepsRepository } from './order-steps.repository';
import { PaymentProviderError } from '../payments/payments.errors';
import { StripeClient } from '../payments/stripe/stripe.client';
import { Order } from './order.entity';
import { OrderStatus, PAID_STATUSES } from './order-state';
import { OrderPaymentsService } from './order-payments.service';
import { OrderStateWriter } from './order-state.writer';
import { OrdersRepository } from './orders.repository';
import { RefundsRepository } from './refunds.repository';

export type SettlementResult =
  { status: 'done' } | { status: 'skipped'; reason: string } | { status: 'retry'; reason: string };

/**
 * The money-and-stock moves the order jobs perform. Each re-reads the order, asks the transition table,
 * calls Stripe outside any transaction with a deterministic idempotency key, then writes the outcome in
 * one version-checked transaction. Running any of them twice has the effect of running it once.
 */
@Injectable()
export class OrderSettlementService {
  private readonly logger = new Logger(OrderSettlementService.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly orders: OrdersRepository,
    private readonly state: OrderStateWriter,
    private readonly refunds: RefundsRepository,
    private readonly payments: OrderPaymentsService,
    private readonly stripe: StripeClient,
    private readonly catalog: CatalogService,
    private readonly outbox: OutboxWriter,
    private readonly steps: OrderStepsRepository,
    private readonly failpoints: Failpoints,
  ) {}

  async get(orderId: string): Promise<Order | null> {
    return this.orders.find(orderId);
  }

  /** PAID → PROCESSED. */
  async process(orderId: string): Promise<SettlementResult> {
    const order = await this.orders.find(orderId);
    if (!order) return { status: 'skipped', reason: 'order not found' };
    if (order.status === OrderStatus.Pending) return { status: 'retry', reason: 'order not paid yet' };
    if (order.status !== OrderStatus.Paid) return { status: 'skipped', reason: `order is ${order.status}` };
    await this.tx.run(async (em) => {
      const current = await this.orders.lock(em, orderId);
      if (!current) return;
      await this.state.transition(em, current, OrderStatus.Processed, {
        actor: 'worker',
        reason: 'processed',
      });
      // Stock was reserved at placement; processing commits it to this order for good.
      await this.steps.mark(orderId, 'inventory_committed', 'done', undefined, em);
    });
    return { status: 'done' };
  }

  /** Cancels an order: unpaid → cancel the PaymentIntent and release stock; paid → refund, then cancel. */
  async cancel(orderId: string, actor: string, reason: string): Promise<SettlementResult> {
    const order = await this.orders.find(orderId);
    if (!order) return { status: 'skipped', reason: 'order not found' };
    if (order.status === OrderStatus.Pending || order.status === OrderStatus.Cancelled) {
      return this.cancelUnpaid(order, actor, reason);
    }
    if (order.status === OrderStatus.Paid || order.status === OrderStatus.Processed) {
      return this.cancelPaid(order, actor, reason);
    }
    return { status: 'skipped', reason: `order is ${order.status}` };
  }

  /** The payment window closed: settle from Stripe's view (paid after all, or cancel). */
  async expire(orderId: string): Promise<SettlementResult> {
    const order = await this.orders.find(orderId);
    if (!order) return { status: 'skipped', reason: 'order not found' };
    if (order.status !== OrderStatus.Pending)
      return { status: 'skipped', reason: `order is ${order.status}` };
    if (order.paymentDueAt.getTime() > Date.now())
      return { status: 'retry', reason: 'payment window still open' };
    if (order.paymentIntentId) {
      const intent = await this.stripe.retrievePaymentIntent(order.paymentIntentId, order.id);
      if (intent.status === 'succeeded') {
        await this.tx.run((em) => this.payments.paymentSucceeded(em, order.id, 'reconciler'));
        return { status: 'done' };
      }
    }
    return this.cancelUnpaid(order, 'system', 'payment window expired');
  }

  /** Runs the pending refund request: Stripe refund with key `refund:<orderId>:<seq>`, then the books. */
  async refund(orderId: string, refundId: string): Promise<SettlementResult> {
    const refund = await this.tx.run((em) => this.refunds.find(em, refundId));
    if (!refund || refund.orderId !== orderId) return { status: 'skipped', reason: 'refund not found' };
    if (refund.status !== 'pending') return { status: 'skipped', reason: `refund is ${refund.status}` };
    const order = await this.orders.find(orderId);
    if (!order?.paymentIntentId) return { status: 'skipped', reason: 'order has no payment' };
    let stripeRefundId: string;
    try {
      ({ id: stripeRefundId } = await this.stripe.createRefund({
        paymentIntentId: order.paymentIntentId,
        orderId,
        amountCents: refund.amountCents,
        idempotencyKey: `refund:${orderId}:${refund.seq}`,
      }));
    } catch (error) {
      if (error instanceof PaymentProviderError)
        await this.tx.run((em) => this.refunds.markFailed(em, refundId));
      throw error;
    }
    this.failpoints.hit(Failpoint.RefundAtStripe);
    await this.tx.run(async (em) => {
      const current = await this.orders.lock(em, orderId);
      const again = await this.refunds.find(em, refundId);
      if (!current || again?.status !== 'pending') return;
      await this.refunds.markSucceeded(em, refundId, stripeRefundId);
      const refundedCents = current.refundedCents + refund.amountCents;
      if (refundedCents >= current.totalCents && PAID_STATUSES.includes(current.status)) {
        await this.state.transition(em, current, OrderStatus.Refunded, {
          actor: 'worker',
          reason: refund.reason,
          set: { refunded_cents: refundedCents },
        });
      } else {
        await this.orders.update(em, current, {
          refunded_cents: Math.min(refundedCents, current.totalCents),
        });
        await this.outbox.append(em, ...partialRefundEffects(orderId));
      }
    });
    return { status: 'done' };
  }

  private async cancelUnpaid(order: Order, actor: string, reason: string): Promise<SettlementResult> {
    if (order.paymentIntentId) {
      const intent = await this.stripe.cancelPaymentIntent(
        order.paymentIntentId,
        order.id,
        `cancel-pi:${order.id}`,
      );
      if (intent.status === 'succeeded') {
        // The customer paid meanwhile: record the payment; a PAID order is then cancelled by refund.
        await this.tx.run((em) => this.payments.paymentSucceeded(em, order.id, 'stripe'));
        const paid = await this.orders.find(order.id);
        return paid && paid.status === OrderStatus.Paid
          ? this.cancelPaid(paid, actor, reason)
          : { status: 'done' };
      }
    }
    const released = await this.tx.run(async (em) => {
      const current = await this.orders.lock(em, order.id);
      if (!current) return [];
      if (current.status === OrderStatus.Pending) {
        await this.state.transition(em, current, OrderStatus.Cancelled, { actor, reason });
      } else if (current.status !== OrderStatus.Cancelled) {
        return [];
      }
      return this.orders.releaseStock(em, order.id);
    });
    await this.catalog.invalidate(...released);
    return { status: 'done' };
  }

  private async cancelPaid(order: Order, actor: string, reason: string): Promise<SettlementResult> {
    const amount = order.totalCents - order.refundedCents;
    let stripeRefundId: string | null = null;
    if (amount > 0 && order.paymentIntentId) {
      ({ id: stripeRefundId } = await this.stripe.createRefund({
        paymentIntentId: order.paymentIntentId,
        orderId: order.id,
        amountCents: amount,
        idempotencyKey: `refund:${order.id}:cancel`,
      }));
    }
    const released = await this.tx.run(async (em) => {
      const current = await this.orders.lock(em, order.id);
      if (!current || (current.status !== OrderStatus.Paid && current.status !== OrderStatus.Processed))
        return [];
      if (stripeRefundId) {
        const refund = await this.refunds.insert(em, order.id, amount, `cancellation: ${reason}`);
        await this.refunds.markSucceeded(em, refund.id, stripeRefundId);
      }
      await this.state.transition(em, current, OrderStatus.Cancelled, {
        actor,
        reason,
        set: { refunded_cents: current.totalCents },
      });
      return this.orders.releaseStock(em, order.id);
    });
    await this.catalog.invalidate(...released);
    this.logger.log({ orderId: order.id, refundedCents: amount }, 'paid order cancelled and refunded');
    return { status: 'done' };
  }
}
