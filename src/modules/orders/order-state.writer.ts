import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { OutboxWriter } from '../outbox/outbox.writer';
import { Order } from './order.entity';
import { OrderStatus } from './order-state';
import { transitionEffects } from './orders.events';
import { OrdersRepository, TransitionMeta } from './orders.repository';

/**
 * Every status change of the application goes through here: the version-checked transition and the outbox
 * rows for the side effects it triggers (emails, invoice, ERP submission), in the caller's transaction.
 */
@Injectable()
export class OrderStateWriter {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async transition(em: EntityManager, order: Order, to: OrderStatus, meta: TransitionMeta): Promise<Order> {
    const next = await this.orders.transition(em, order, to, meta);
    await this.outbox.append(em, ...transitionEffects(order.id, to));
    return next;
  }
}
