import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { CorrelationContext } from '../../infra/logging/correlation-context';
import { Order, OrderLine, OrderRow, ShippingAddress, toOrder } from './order.entity';
import { OrderStatus } from './order-state';
import { InsufficientStockError, OrderItemNotFoundError, OrderVersionConflictError } from './orders.errors';

export interface ReservedLine {
  itemId: string;
  quantity: number;
  sku: string;
  name: string;
  unitPriceCents: number;
  currency: string;
}

export interface HistoryEntry {
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus;
  actor: string;
  reason: string | null;
  correlationId: string | null;
  at: string;
}

export interface OrderListFilter {
  userId?: string;
  status?: OrderStatus;
  from?: Date;
  to?: Date;
  page: number;
  limit: number;
}

/** Columns other than status that writers may set (checked, since the names are spliced into SQL). */
export const SETTABLE = new Set([
  'carrier',
  'tracking_number',
  'refunded_cents',
  'stock_released',
  'erp_reference',
  'erp_response',
  'erp_submitted_at',
]);

@Injectable()
export class OrdersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes stock for every line with a guarded update (`stock >= qty`), in item-id order so concurrent
   * orders lock rows in the same sequence and never deadlock. Throws when an item is missing or short.
   */
  async reserveStock(
    em: EntityManager,
    lines: { itemId: string; quantity: number }[],
  ): Promise<ReservedLine[]> {
    const reserved: ReservedLine[] = [];
    for (const line of [...lines].sort((a, b) => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0))) {
      const [rows]: [{ sku: string; name: string; price_cents: number; currency: string }[], number] =
        await em.query(
          `UPDATE items SET stock = stock - $2, updated_at = now()
          WHERE id = $1 AND deleted_at IS NULL AND stock >= $2
          RETURNING sku, name, price_cents, currency`,
          [line.itemId, line.quantity],
        );
      if (rows.length === 0) {
        const exists = await em.query(`SELECT 1 FROM items WHERE id = $1 AND deleted_at IS NULL`, [
          line.itemId,
        ]);
        throw exists.length
          ? new InsufficientStockError(line.itemId)
          : new OrderItemNotFoundError(line.itemId);
      }
      const row = rows[0];
      reserved.push({
        itemId: line.itemId,
        quantity: line.quantity,
        sku: row.sku,
        name: row.name,
        unitPriceCents: row.price_cents,
        currency: row.currency.trim(),
      });
    }
    return reserved;
  }

  /**
   * Gives the order's stock back exactly once (guarded by orders.stock_released). Item rows are locked in id
   * order first, as reservation locks them, so a release never deadlocks with concurrent orders. Returns the
   * item ids.
   */
  async releaseStock(em: EntityManager, orderId: string): Promise<string[]> {
    const [flag]: [unknown[], number] = await em.query(
      `UPDATE orders SET stock_released = true WHERE id = $1 AND stock_released = false RETURNING id`,
      [orderId],
    );
    if (flag.length === 0) return [];
    const locked: { id: string }[] = await em.query(
      `SELECT i.id FROM items i WHERE i.id IN (SELECT item_id FROM order_lines WHERE order_id = $1)
        ORDER BY i.id FOR UPDATE OF i`,
      [orderId],
    );
    if (locked.length === 0) return [];
    await em.query(
      `UPDATE items i SET stock = i.stock + l.quantity, updated_at = now()
         FROM (SELECT item_id, sum(quantity)::int AS quantity FROM order_lines WHERE order_id = $1 GROUP BY item_id) l
        WHERE i.id = l.item_id`,
      [orderId],
    );
    return locked.map((i) => i.id);
  }

  async insert(
    em: EntityManager,
    draft: {
      userId: string;
      currency: string;
      shippingAddress: ShippingAddress;
      paymentDueAt: Date;
      lines: ReservedLine[];
    },
  ): Promise<Order> {
    const totalCents = draft.lines.reduce((sum, l) => sum + l.unitPriceCents * l.quantity, 0);
    const lines: OrderLine[] = draft.lines.map((l, i) => ({
      lineNo: i + 1,
      itemId: l.itemId,
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      unitPriceCents: l.unitPriceCents,
    }));
    // Order, lines and the first history entry in one statement (one round trip instead of three): the
    // data-modifying CTEs all run, in this transaction, whether or not the final SELECT reads them.
    const [row]: OrderRow[] = await em.query(
      `WITH o AS (
         INSERT INTO orders (user_id, status, total_cents, currency, shipping_address, payment_due_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6) RETURNING *
       ), l AS (
         INSERT INTO order_lines (order_id, line_no, item_id, sku, name, quantity, unit_price_cents)
         SELECT o.id, u.* FROM o, unnest($7::int[], $8::uuid[], $9::text[], $10::text[], $11::int[], $12::int[]) u
       ), h AS (
         INSERT INTO order_history (order_id, from_status, to_status, actor, reason, correlation_id)
         SELECT o.id, NULL, o.status, $13, $14, $15 FROM o
       )
       SELECT * FROM o`,
      [
        draft.userId,
        OrderStatus.Pending,
        totalCents,
        draft.currency,
        JSON.stringify(draft.shippingAddress),
        draft.paymentDueAt,
        lines.map((l) => l.lineNo),
        lines.map((l) => l.itemId),
        lines.map((l) => l.sku),
        lines.map((l) => l.name),
        lines.map((l) => l.quantity),
        lines.map((l) => l.unitPriceCents),
        `customer:${draft.userId}`,
        'order placed',
        CorrelationContext.current() ?? null,
      ],
    );
    return toOrder(row, lines);
  }

  /** Version-checked update of non-status columns (refund totals, payment intent). */
  async update(em: EntityManager, order: Order, set: Record<string, unknown>): Promise<Order> {
    const entries = Object.entries(set);
    for (const [column] of entries)
      if (!SETTABLE.has(column)) throw new Error(`column ${column} is not settable`);
    const [rows]: [OrderRow[], number] = await em.query(
      `UPDATE orders SET version = version + 1, updated_at = now()${entries.map(([c], i) => `, ${c} = $${i + 3}`).join('')}
        WHERE id = $1 AND version = $2 RETURNING *`,
      [order.id, order.version, ...entries.map(([, v]) => v)],
    );
    if (rows.length === 0) throw new OrderVersionConflictError(order.id, order.version);
    return toOrder(rows[0], order.lines);
  }

  /**
   * Stores the order's PaymentIntent (on the order and as its ledger payment row) and the idempotent answer of
   * the request that placed it, in one statement (atomic on its own: one round trip instead of BEGIN, three
   * writes and COMMIT).
   */
  async attachPaymentIntent(
    order: Order,
    paymentIntentId: string,
    answer: { userId: string; key: string; status: number; body: unknown },
  ): Promise<void> {
    await this.dataSource.query(
      `WITH intent AS (
         UPDATE orders SET payment_intent_id = $2 WHERE id = $1 AND payment_intent_id IS NULL
       ), payment AS (
         INSERT INTO payments (order_id, payment_intent_id, amount_cents, currency, status)
         VALUES ($1, $2, $7, $8, 'requires_payment_method') ON CONFLICT DO NOTHING
       )
       -- The first answer is final: a resumed request never overwrites it.
       UPDATE idempotency_keys SET response_status = $5, response_body = $6::jsonb
        WHERE user_id = $3 AND scope = 'orders.place' AND key = $4 AND response_status IS NULL`,
      [
        order.id,
        paymentIntentId,
        answer.userId,
        answer.key,
        answer.status,
        JSON.stringify(answer.body),
        order.totalCents,
        order.currency,
      ],
    );
  }

  /** Reads and row-locks the order for the rest of the transaction. */
  async lock(em: EntityManager, orderId: string): Promise<Order | null> {
    const rows: OrderRow[] = await em.query(`SELECT * FROM orders WHERE id = $1 FOR UPDATE`, [orderId]);
    return rows[0] ? toOrder(rows[0], await this.lines(em, orderId)) : null;
  }

  async find(orderId: string): Promise<Order | null> {
    const rows: OrderRow[] = await this.dataSource.query(`SELECT * FROM orders WHERE id = $1`, [orderId]);
    return rows[0] ? toOrder(rows[0], await this.lines(this.dataSource.manager, orderId)) : null;
  }

  async list(filter: OrderListFilter): Promise<{ orders: Order[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.userId) add('user_id = ?', filter.userId);
    if (filter.status) add('status = ?', filter.status);
    if (filter.from) add('created_at >= ?', filter.from);
    if (filter.to) add('created_at < ?', filter.to);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ count }]: { count: string }[] = await this.dataSource.query(
      `SELECT count(*) FROM orders ${clause}`,
      params,
    );
    const rows: OrderRow[] = await this.dataSource.query(
      `SELECT * FROM orders ${clause} ORDER BY created_at DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, (filter.page - 1) * filter.limit],
    );
    const lines = await this.linesOf(rows.map((r) => r.id));
    return { orders: rows.map((r) => toOrder(r, lines.get(r.id) ?? [])), total: Number(count) };
  }

  async history(orderId: string): Promise<HistoryEntry[]> {
    const rows: {
      from_status: OrderStatus | null;
      to_status: OrderStatus;
      actor: string;
      reason: string | null;
      correlation_id: string | null;
      created_at: Date;
    }[] = await this.dataSource.query(`SELECT * FROM order_history WHERE order_id = $1 ORDER BY id`, [
      orderId,
    ]);
    return rows.map((r) => ({
      fromStatus: r.from_status,
      toStatus: r.to_status,
      actor: r.actor,
      reason: r.reason,
      correlationId: r.correlation_id,
      at: r.created_at.toISOString(),
    }));
  }

  /** PENDING orders whose payment window has closed. */
  async overduePending(limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM orders WHERE status = 'PENDING' AND payment_due_at < now() ORDER BY payment_due_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  private async lines(em: EntityManager, orderId: string): Promise<OrderLine[]> {
    return (await this.linesOf([orderId], em)).get(orderId) ?? [];
  }

  private async linesOf(
    orderIds: string[],
    em: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, OrderLine[]>> {
    const map = new Map<string, OrderLine[]>();
    if (orderIds.length === 0) return map;
    const rows: {
      order_id: string;
      line_no: number;
      item_id: string;
      sku: string;
      name: string;
      quantity: number;
      unit_price_cents: number;
    }[] = await em.query(
      `SELECT * FROM order_lines WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, line_no`,
      [orderIds],
    );
    for (const r of rows) {
      const list = map.get(r.order_id) ?? [];
      list.push({
        lineNo: r.line_no,
        itemId: r.item_id,
        sku: r.sku,
        name: r.name,
        quantity: r.quantity,
        unitPriceCents: r.unit_price_cents,
      });
      map.set(r.order_id, list);
    }
    return map;
  }
}
