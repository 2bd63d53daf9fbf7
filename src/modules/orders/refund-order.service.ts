import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { OutboxWriter } from '../outbox/outbox.writer';
import { LedgerRefund } from '../payments/ledger/ledger';
import { PaymentLedgerService } from '../payments/ledger/payment-ledger.service';
import { Order } from './order';
import { Actor, actorLabel, OrderStatus, PAID_STATUSES } from './order-state';
import { orderEvents } from './orders.events';
import { IllegalOrderTransitionError, OrderCancellationPendingError } from './orders.errors';

/**
 * An admin's refund request, in the caller's transaction and under the order's row lock: the amount (default:
 * everything still refundable) is reserved in the ledger, never more than captured − (refunded + pending +
 * requested), and a REFUND job asks Stripe for it with the refund's own idempotency key.
 */
@Injectable()
export class RefundOrderService {
  constructor(
    private readonly ledger: PaymentLedgerService,
    private readonly outbox: OutboxWriter,
  ) {}

  async request(
    em: EntityManager,
    order: Order,
    actor: Actor,
    input: { amountCents?: number; reason: string; stripeIdempotencyKey?: string },
  ): Promise<LedgerRefund> {
    if (!PAID_STATUSES.includes(order.status))
      throw new IllegalOrderTransitionError(order.status, OrderStatus.Refunded);
    const facts = await this.ledger.facts(em, order.id);
    if (facts.cancellation === 'open') throw new OrderCancellationPendingError(order.id);
    const refund = await this.ledger.reserveRefund(em, order.id, {
      amountCents: input.amountCents ?? facts.refundableCents,
      purpose: 'refund',
      reason: `${input.reason} (by ${actorLabel(actor)})`,
      stripeIdempotencyKey: input.stripeIdempotencyKey,
    });
    await this.outbox.append(em, orderEvents.refundRequested(order.id, refund.id));
    return refund;
  }
}
