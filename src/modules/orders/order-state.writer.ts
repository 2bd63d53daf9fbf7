import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { Metrics } from '../../infra/metrics/metrics.service';
import { CatalogService } from '../catalog/catalog.service';
import { OutboxWriter } from '../outbox/outbox.writer';
import { PaymentLedgerService } from '../payments/ledger/payment-ledger.service';
import { Order } from './order';
import { Actor, actorLabel, OrderStatus, planTransition } from './order-state';
import { OrdersRepository } from './orders.repository';
import { OrderTransitionsRepository } from './order-transitions.repository';

export interface AppliedTransition {
  order: Order;
  /** Items whose stock went back on the shelf (their cached copies are invalidated after commit). */
  releasedItems: string[];
}

/**
 * The one writer of `orders.status`. It applies the process table (order-state.ts) in the caller's
 * transaction, which must hold the order's row lock: reads the ledger, checks who and which payment facts
 * allow the transition, writes the status with the version check and its history row, the transition's
 * outbox rows, and releases stock where the table says so.
 */
@Injectable()
export class OrderStateWriter {
  constructor(
    private readonly transitions: OrderTransitionsRepository,
    private readonly orders: OrdersRepository,
    private readonly ledger: PaymentLedgerService,
    private readonly outbox: OutboxWriter,
    private readonly catalog: CatalogService,
    private readonly metrics: Metrics,
  ) {}

  async apply(
    em: EntityManager,
    order: Order,
    to: OrderStatus,
    ctx: { actor: Actor; reason?: string; set?: { carrier?: string; trackingNumber?: string } },
  ): Promise<AppliedTransition> {
    const ledger = await this.ledger.facts(em, order.id);
    const plan = planTransition(order, to, { actor: ctx.actor, reason: ctx.reason, ledger });
    const set: Record<string, unknown> = { refunded_cents: ledger.refundedCents };
    if (ctx.set?.carrier !== undefined) set.carrier = ctx.set.carrier;
    if (ctx.set?.trackingNumber !== undefined) set.tracking_number = ctx.set.trackingNumber;
    const next = await this.transitions.write(em, order, to, {
      actor: actorLabel(ctx.actor),
      reason: ctx.reason,
      set,
    });
    await this.outbox.append(em, ...plan.effects);
    const releasedItems = plan.releasesStock
      ? await this.catalog.releaseStock(em, await this.orders.claimStockRelease(em, order.id))
      : [];
    this.metrics.orderTransitions.inc({ from: order.status, to });
    return { order: next, releasedItems };
  }
}
