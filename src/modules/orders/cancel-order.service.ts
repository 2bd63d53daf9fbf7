import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { OutboxWriter } from '../outbox/outbox.writer';
import { PaymentLedgerService } from '../payments/ledger/payment-ledger.service';
import { Order } from './order';
import { Actor, actorLabel, OrderStatus } from './order-state';
import { orderEvents } from './orders.events';
import {
  IllegalOrderTransitionError,
  OrderCancellationPendingError,
  OrderRefundInProgressError,
} from './orders.errors';
import { OrderStateWriter } from './order-state.writer';

export interface CancellationRequested {
  order: Order;
  /** True when the cancellation waits for a refund (202); false when the order is cancelled now (200). */
  accepted: boolean;
  releasedItems: string[];
}

/**
 * Asks for an order's cancellation, in the caller's transaction and under the order's row lock. Unpaid: the
 * order is CANCELLED now (stock released) and a CANCEL job cancels its PaymentIntent at Stripe. Paid: what is
 * still refundable is reserved in the ledger for a refund (a REFUND job); the order becomes CANCELLED when
 * that refund succeeds. Used by the admin route and by compensation.
 */
@Injectable()
export class CancelOrderService {
  constructor(
    private readonly state: OrderStateWriter,
    private readonly ledger: PaymentLedgerService,
    private readonly outbox: OutboxWriter,
  ) {}

  async request(
    em: EntityManager,
    order: Order,
    actor: Actor,
    reason: string,
  ): Promise<CancellationRequested> {
    if (order.status === OrderStatus.Pending) {
      const cancelled = await this.state.apply(em, order, OrderStatus.Cancelled, { actor, reason });
      await this.outbox.append(em, orderEvents.cancelRequested(order.id, actorLabel(actor), reason));
      return { order: cancelled.order, accepted: false, releasedItems: cancelled.releasedItems };
    }
    if (order.status !== OrderStatus.Paid && order.status !== OrderStatus.Processed)
      throw new IllegalOrderTransitionError(order.status, OrderStatus.Cancelled);
    const facts = await this.ledger.facts(em, order.id);
    if (facts.cancellation !== 'none') throw new OrderCancellationPendingError(order.id);
    if (facts.refundableCents === 0) throw new OrderRefundInProgressError(order.id);
    const refund = await this.ledger.reserveRefund(em, order.id, {
      amountCents: facts.refundableCents,
      purpose: 'cancellation',
      reason: `cancellation: ${reason} (by ${actorLabel(actor)})`,
    });
    await this.outbox.append(em, orderEvents.refundRequested(order.id, refund.id));
    return { order, accepted: true, releasedItems: [] };
  }
}
