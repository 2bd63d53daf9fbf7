import { createHash } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { TransactionRunner } from '../../infra/database/transaction-runner';
import { CatalogService } from '../catalog/catalog.service';
import { CancelOrderService } from './cancel-order.service';
import { IdempotentAnswer, IdempotentRequests } from './idempotent-requests.service';
import { Order } from './order';
import { OrderResponse, toOrderResponse } from './order.response';
import { Actor, OrderStatus } from './order-state';
import { OrderNotFoundError } from './orders.errors';
import { OrderStateWriter } from './order-state.writer';
import { OrdersRepository } from './orders.repository';
import { RefundOrderService } from './refund-order.service';

export interface RefundAccepted {
  refundId: string;
  orderId: string;
  amountCents: number;
  status: string;
}

/**
 * Admin actions. Those that move money (cancel, refund) take an Idempotency-Key and go through the outbox
 * (202); ship and deliver change state at once (200).
 */
@Injectable()
export class OrderFulfilmentService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly orders: OrdersRepository,
    private readonly state: OrderStateWriter,
    private readonly cancellation: CancelOrderService,
    private readonly refunds: RefundOrderService,
    private readonly idempotent: IdempotentRequests,
    private readonly catalog: CatalogService,
  ) {}

  ship(orderId: string, admin: Actor, input: { carrier: string; trackingNumber: string }): Promise<Order> {
    return this.tx.run(async (em) => {
      const order = await this.locked(em, orderId);
      const shipped = await this.state.apply(em, order, OrderStatus.Shipped, {
        actor: admin,
        reason: `shipped with ${input.carrier}`,
        set: { carrier: input.carrier, trackingNumber: input.trackingNumber },
      });
      return shipped.order;
    });
  }

  deliver(orderId: string, admin: Actor): Promise<Order> {
    return this.tx.run(async (em) => {
      const order = await this.locked(em, orderId);
      return (await this.state.apply(em, order, OrderStatus.Delivered, { actor: admin, reason: 'delivered' }))
        .order;
    });
  }

  /** Unpaid: 200, cancelled now. Paid: 202, refunded and then cancelled by a job. Idempotent per key. */
  async cancel(
    orderId: string,
    admin: Actor & { id: string },
    key: string | undefined,
    input: { reason: string },
  ): Promise<IdempotentAnswer<OrderResponse>> {
    let released: string[] = [];
    const answer = await this.idempotent.once(
      admin.id,
      'orders.cancel',
      key,
      { orderId, ...input },
      async (em) => {
        const requested = await this.cancellation.request(
          em,
          await this.locked(em, orderId),
          admin,
          input.reason,
        );
        released = requested.releasedItems;
        return { status: requested.accepted ? 202 : 200, body: toOrderResponse(requested.order) };
      },
    );
    await this.catalog.invalidate(...released);
    return answer;
  }

  /**
   * Records a refund request and queues it (202). Idempotent per key: a retried request answers the first
   * answer, and the refund's Stripe idempotency key derives from this key, so it is never refunded twice.
   */
  refund(
    orderId: string,
    admin: Actor & { id: string },
    key: string | undefined,
    input: { amountCents?: number; reason: string },
  ): Promise<IdempotentAnswer<RefundAccepted>> {
    return this.idempotent.once(admin.id, 'orders.refund', key, { orderId, ...input }, async (em) => {
      const refund = await this.refunds.request(em, await this.locked(em, orderId), admin, {
        ...input,
        stripeIdempotencyKey: `refund:${orderId}:${createHash('sha256')
          .update(`${admin.id}\n${key}`)
          .digest('hex')
          .slice(0, 32)}`,
      });
      return {
        status: 202,
        body: {
          refundId: refund.id,
          orderId: refund.orderId,
          amountCents: refund.amountCents,
          status: refund.status,
        },
      };
    });
  }

  private async locked(em: EntityManager, orderId: string): Promise<Order> {
    const order = await this.orders.lock(em, orderId);
    if (!order) throw new OrderNotFoundError(orderId);
    return order;
  }
}
