import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { Metrics } from '../../infra/metrics/metrics.service';
import { adminAlert } from '../outbox/outbox-message';
import { OutboxWriter } from '../outbox/outbox.writer';
import { LedgerPayment } from '../payments/ledger/ledger';
import { PaymentLedgerService } from '../payments/ledger/payment-ledger.service';
import { UnmatchedReason } from '../payments/ledger/unmatched-payments.repository';
import { PaymentIntentState, StripeRefundReport } from '../payments/stripe/payment-gateway';
import { Order } from './order';
import { Actor, canTransition, OrderStatus } from './order-state';
import { OrderStateWriter } from './order-state.writer';
import { orderEvents } from './orders.events';
import { OrdersRepository } from './orders.repository';

export type PaymentFactOutcome =
  | 'paid'
  | 'cancel_requested'
  | 'late_payment_refund'
  | 'refund_booked'
  | 'sync_requested'
  | 'recorded'
  | 'stale'
  | 'unmatched';

export interface PaymentFactResult {
  outcome: PaymentFactOutcome;
  orderId: string | null;
  /** Items whose stock went back (the caller invalidates their cache after commit). */
  releasedItems: string[];
}

/** Where a fact came from: a webhook event (recorded as unmatched when it is not the order's), or a read. */
export interface FactSource {
  actor: Actor;
  event?: { id: string; type: string };
}

const result = (outcome: PaymentFactOutcome, orderId: string | null, releasedItems: string[] = []) => ({
  outcome,
  orderId,
  releasedItems,
});

/**
 * Applies payment facts (Stripe webhooks, or answers the workers got from Stripe) to the ledger and the order,
 * in the caller's transaction and under the order's row lock. A fact counts only for the order whose own
 * PaymentIntent it is, with the order's amount and currency; anything else is recorded as unmatched and the
 * admins are alerted. Stale or reordered facts never move the order or the ledger backwards.
 */
@Injectable()
export class OrderPaymentsService {
  private readonly logger = new Logger(OrderPaymentsService.name);

  constructor(
    private readonly orders: OrdersRepository,
    private readonly state: OrderStateWriter,
    private readonly ledger: PaymentLedgerService,
    private readonly outbox: OutboxWriter,
    private readonly metrics: Metrics,
  ) {}

  /** The PaymentIntent succeeded: PENDING → PAID, or, if the order was cancelled meanwhile, refund it. */
  async paymentSucceeded(
    em: EntityManager,
    intent: PaymentIntentState,
    source: FactSource,
  ): Promise<PaymentFactResult> {
    const matched = await this.match(em, intent, source);
    if (!matched) return result('unmatched', null);
    const { order, payment } = matched;
    await this.ledger.recordPaymentStatus(em, payment, 'succeeded', intent.amountReceivedCents);
    // Only a payment captured in full pays the order (the table's guard); anything less is recorded only.
    if (intent.amountReceivedCents < payment.amountCents) return result('recorded', order.id);
    if (order.status === OrderStatus.Pending) {
      const paid = await this.state.apply(em, order, OrderStatus.Paid, {
        actor: source.actor,
        reason: 'payment succeeded',
      });
      return result('paid', order.id, paid.releasedItems);
    }
    if (order.status === OrderStatus.Cancelled) {
      // Paid after it was cancelled (the customer raced the cancellation): give the money back, once.
      const { refundableCents } = await this.ledger.facts(em, order.id);
      if (refundableCents === 0) return result('stale', order.id);
      const refund = await this.ledger.reserveRefund(em, order.id, {
        amountCents: refundableCents,
        purpose: 'late_payment',
        reason: 'payment after cancellation',
      });
      await this.outbox.append(em, orderEvents.refundRequested(order.id, refund.id));
      return result('late_payment_refund', order.id);
    }
    return result('stale', order.id);
  }

  /** The payment failed or the intent was canceled: an unpaid order is cancelled (a CANCEL job). */
  async paymentFailed(
    em: EntityManager,
    intent: PaymentIntentState,
    source: FactSource,
    reason: string,
  ): Promise<PaymentFactResult> {
    const matched = await this.match(em, intent, source);
    if (!matched) return result('unmatched', null);
    const { order, payment } = matched;
    await this.ledger.recordPaymentStatus(em, payment, intent.status, 0);
    if (order.status !== OrderStatus.Pending) return result('stale', order.id);
    await this.outbox.append(em, orderEvents.cancelRequested(order.id, source.actor.kind, reason));
    return result('cancel_requested', order.id);
  }

  /** Any other PaymentIntent status (processing, requires_action, …): recorded, nothing else moves. */
  async paymentUpdated(
    em: EntityManager,
    intent: PaymentIntentState,
    source: FactSource,
  ): Promise<PaymentFactResult> {
    const matched = await this.match(em, intent, source);
    if (!matched) return result('unmatched', null);
    const changed = await this.ledger.recordPaymentStatus(em, matched.payment, intent.status, 0);
    return result(changed ? 'recorded' : 'stale', matched.order.id);
  }

  /** A refund as Stripe reports it, whoever made it: booked, then the order follows its ledger. */
  async refundReported(
    em: EntityManager,
    report: StripeRefundReport,
    source: FactSource,
  ): Promise<PaymentFactResult> {
    const payment = report.paymentIntentId
      ? await this.ledger.paymentByIntent(em, report.paymentIntentId)
      : null;
    if (!payment) {
      await this.unmatched(em, source, {
        reason: report.orderId ? 'foreign_payment_intent' : 'unknown_payment_intent',
        objectId: report.id,
        paymentIntentId: report.paymentIntentId,
        claimedOrderId: report.orderId ?? null,
        amountCents: report.amountCents,
        currency: report.currency,
      });
      return result('unmatched', null);
    }
    const order = await this.orders.lock(em, payment.orderId);
    if (!order) return result('stale', payment.orderId);
    const { changed } = await this.ledger.bookStripeRefund(em, order.id, report);
    if (!changed) return result('stale', order.id);
    const released = await this.settle(em, order, source.actor);
    return result('refund_booked', order.id, released);
  }

  /**
   * charge.refunded carries the charge's refunded total, not the refunds: ask Stripe for them (a SYNC job),
   * which books each, including refunds made in the dashboard.
   */
  async chargeRefunded(
    em: EntityManager,
    charge: { id: string; paymentIntentId: string | null; amountRefundedCents: number; currency: string },
    source: FactSource,
  ): Promise<PaymentFactResult> {
    const payment = charge.paymentIntentId
      ? await this.ledger.paymentByIntent(em, charge.paymentIntentId)
      : null;
    if (!payment) {
      await this.unmatched(em, source, {
        reason: 'unknown_payment_intent',
        objectId: charge.id,
        paymentIntentId: charge.paymentIntentId,
        claimedOrderId: null,
        amountCents: charge.amountRefundedCents,
        currency: charge.currency,
      });
      return result('unmatched', null);
    }
    await this.outbox.append(em, orderEvents.paymentSyncRequested(payment.orderId, 'charge.refunded'));
    return result('sync_requested', payment.orderId);
  }

  /**
   * Makes the order follow its ledger after refunds moved (the caller holds the order's lock): the refunded
   * total is stored on the order; a paid order whose cancellation refund succeeded is CANCELLED (stock
   * released); one refunded in full is REFUNDED; a partial refund tells the customer. Returns released items.
   */
  async settle(em: EntityManager, order: Order, actor: Actor): Promise<string[]> {
    const facts = await this.ledger.facts(em, order.id);
    if (facts.cancellation === 'refunded' && canTransition(order.status, OrderStatus.Cancelled)) {
      const cancelled = await this.state.apply(em, order, OrderStatus.Cancelled, {
        actor,
        reason: 'cancelled: payment refunded',
      });
      return cancelled.releasedItems;
    }
    const full = facts.capturedCents > 0 && facts.refundedCents === facts.capturedCents;
    if (full && facts.cancellation === 'none' && canTransition(order.status, OrderStatus.Refunded)) {
      const refunded = await this.state.apply(em, order, OrderStatus.Refunded, {
        actor,
        reason: 'refunded in full',
      });
      return refunded.releasedItems;
    }
    if (facts.refundedCents !== order.refundedCents) {
      await this.orders.update(em, order, {
        refunded_cents: Math.min(facts.refundedCents, order.totalCents),
      });
      if (facts.refundedCents > order.refundedCents)
        await this.outbox.append(em, orderEvents.partiallyRefunded(order.id));
    }
    return [];
  }

  /** The order whose own PaymentIntent this is, locked, when amount and currency agree; else unmatched. */
  private async match(
    em: EntityManager,
    intent: PaymentIntentState,
    source: FactSource,
  ): Promise<{ order: Order; payment: LedgerPayment } | null> {
    const payment = await this.ledger.paymentByIntent(em, intent.id);
    const entry = {
      objectId: intent.id,
      paymentIntentId: intent.id,
      claimedOrderId: intent.orderId ?? null,
      amountCents: intent.amountCents,
      currency: intent.currency,
    };
    if (!payment) {
      await this.unmatched(em, source, {
        ...entry,
        reason: intent.orderId ? 'foreign_payment_intent' : 'unknown_payment_intent',
      });
      return null;
    }
    if (intent.amountCents !== payment.amountCents) {
      await this.unmatched(em, source, { ...entry, reason: 'amount_mismatch' });
      return null;
    }
    if (intent.currency.toUpperCase() !== payment.currency.toUpperCase()) {
      await this.unmatched(em, source, { ...entry, reason: 'currency_mismatch' });
      return null;
    }
    const order = await this.orders.lock(em, payment.orderId);
    return order ? { order, payment } : null;
  }

  /** Records an event that is not the order's own and alerts the admins (once per event). */
  private async unmatched(
    em: EntityManager,
    source: FactSource,
    entry: {
      reason: UnmatchedReason;
      objectId: string | null;
      paymentIntentId: string | null;
      claimedOrderId: string | null;
      amountCents: number | null;
      currency: string | null;
    },
  ): Promise<void> {
    if (!source.event) {
      this.logger.warn({ ...entry }, 'payment fact matched no order');
      return;
    }
    const id = await this.ledger.recordUnmatched(em, {
      eventId: source.event.id,
      eventType: source.event.type,
      ...entry,
    });
    if (!id) return;
    this.metrics.unmatchedPayments.inc();
    this.logger.warn(
      { ...entry, eventId: source.event.id, eventType: source.event.type },
      'unmatched payment',
    );
    await this.outbox.append(
      em,
      adminAlert(
        id,
        {
          title: `Unmatched payment event ${source.event.type}`,
          detail:
            `Stripe event ${source.event.id} (${entry.reason}) for ${entry.objectId ?? 'an unknown object'}` +
            ` (PaymentIntent ${entry.paymentIntentId ?? 'none'}, ${entry.amountCents ?? '?'} ${entry.currency ?? ''})` +
            `${entry.claimedOrderId ? ` claims order ${entry.claimedOrderId}` : ''}; it was not applied. ` +
            'See GET /v1/ops/unmatched-payments.',
        },
        `unmatched:${id}`,
      ),
    );
  }
}
