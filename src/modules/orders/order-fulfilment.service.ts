import { Injectable } from '@nestjs/common';

import { TransactionRunner } from '../../infra/database/transaction-runner';
import { CatalogService } from '../catalog/catalog.service';
import { OutboxWriter } from '../outbox/outbox.writer';
import { Order } from './order.entity';
import { assertTransition, OrderStatus, PAID_STATUSES } from './order-state';
import { orderEvents } from './orders.events';
import { IllegalOrderTransitionError, OrderNotFoundError, RefundExceedsCapturedError } from './orders.errors';
import { OrderStateWriter } from './order-state.writer';
import { OrdersRepository } from './orders.repository';
import { Refund, RefundsRepository } from './refunds.repository';

/** Admin actions. Those that move money go through the outbox (202); the rest change state at once (200). */
@Injectable()
export class OrderFulfilmentService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly orders: OrdersRepository,
    private readonly state: OrderStateWriter,
    private readonly refunds: RefundsRepository,
    private readonly outbox: OutboxWriter,
    private readonly catalog: CatalogService,
  ) {}

  ship(orderId: string, admin: string, input: { carrier: string; trackingNumber: string }): Promise<Order> {
    return this.tx.run(async (em) => {
      const order = await this.locked(em, orderId);
      return this.state.transition(em, order, OrderStatus.Shipped, {
        actor: admin,
        reason: `shipped with ${input.carrier}`,
        set: { carrier: input.carrier, tracking_number: input.trackingNumber },
      });
    });
  }

  deliver(orderId: string, admin: string): Promise<Order> {
    return this.tx.run(async (em) => {
      const order = await this.locked(em, orderId);
      return this.state.transition(em, order, OrderStatus.Delivered, { actor: admin, reason: 'delivered' });
    });
  }

  /**
   * Unpaid: cancelled now and stock released; a CANCEL job then cancels the PaymentIntent at Stripe.
   * Paid: a CANCEL job refunds and then cancels (`accepted` = true means 202).
   */
  async cancel(orderId: string, admin: string, reason: string): Promise<{ order: Order; accepted: boolean }> {
    const result = await this.tx.run(async (em) => {
      const order = await this.locked(em, orderId);
      assertTransition(order.status, OrderStatus.Cancelled);
      await this.outbox.append(em, orderEvents.cancelRequested(order.id, admin, reason));
      if (order.status !== OrderStatus.Pending) return { order, accepted: true, released: [] as string[] };
      const cancelled = await this.state.transition(em, order, OrderStatus.Cancelled, {
        actor: admin,
        reason,
      });
      return { order: cancelled, accepted: false, released: await this.orders.releaseStock(em, order.id) };
    });
    await this.catalog.invalidate(...result.released);
    return { order: result.order, accepted: result.accepted };
  }

  /** Records a refund request (never more than captured minus refunded and pending) and queues it. */
  refund(orderId: string, admin: string, input: { amountCents?: number; reason: string }): Promise<Refund> {
    return this.tx.run(async (em) => {
      const order = await this.locked(em, orderId);
      if (!PAID_STATUSES.includes(order.status))
        throw new IllegalOrderTransitionError(order.status, OrderStatus.Refunded);
      const refundable =
        order.totalCents - order.refundedCents - (await this.refunds.pendingTotal(em, order.id));
      const amount = input.amountCents ?? refundable;
      if (amount <= 0 || amount > refundable)
        throw new RefundExceedsCapturedError(amount, Math.max(0, refundable));
      const refund = await this.refunds.insert(em, order.id, amount, `${input.reason} (by ${admin})`);
      await this.outbox.append(em, orderEvents.refundRequested(order.id, refund.id));
      return refund;
    });
  }

  private async locked(em: Parameters<OrdersRepository['lock']>[0], orderId: string): Promise<Order> {
    const order = await this.orders.lock(em, orderId);
    if (!order) throw new OrderNotFoundError(orderId);
    return order;
  }
}
