import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { CorrelationContext } from '../../infra/logging/correlation-context';
import { Order, OrderRow, toOrder } from './order';
import { OrderStatus } from './order-state';
import { OrderVersionConflictError } from './orders.errors';
import { SETTABLE } from './orders.repository';

/**
 * The raw status write, for OrderStateWriter only (this provider is not exported by OrdersModule, and
 * order-transitions.spec.ts checks that no other file writes `orders.status`).
 */
@Injectable()
export class OrderTransitionsRepository {
  /**
   * Writes `WHERE version = $n` (a stale writer, e.g. one whose lock expired, updates nothing and gets
   * OrderVersionConflictError) and records history with the current correlation id, in one statement.
   */
  async write(
    em: EntityManager,
    order: Order,
    to: OrderStatus,
    meta: { actor: string; reason?: string; set?: Record<string, unknown> },
  ): Promise<Order> {
    const extra = Object.entries(meta.set ?? {});
    for (const [column] of extra)
      if (!SETTABLE.has(column)) throw new Error(`column ${column} is not settable`);
    const params: unknown[] = [order.id, order.version, to, ...extra.map(([, v]) => v)];
    const sets = extra.map(([column], i) => `, ${column} = $${i + 4}`).join('');
    const n = params.length;
    params.push(order.status, meta.actor, meta.reason ?? null, CorrelationContext.current() ?? null);
    // Update and history row in one round trip; the history insert reads the update's RETURNING, so a stale
    // version (no row updated) writes no history either.
    const rows: OrderRow[] = await em.query(
      `WITH u AS (
         UPDATE orders SET status = $3, version = version + 1, updated_at = now()${sets}
          WHERE id = $1 AND version = $2 RETURNING *
       ), h AS (
         INSERT INTO order_history (order_id, from_status, to_status, actor, reason, correlation_id)
         SELECT u.id, $${n + 1}, u.status, $${n + 2}, $${n + 3}, $${n + 4} FROM u
       )
       SELECT * FROM u`,
      params,
    );
    if (rows.length === 0) throw new OrderVersionConflictError(order.id, order.version);
    return toOrder(rows[0], order.lines);
  }
}
