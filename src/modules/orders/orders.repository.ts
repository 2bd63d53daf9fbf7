import { Readable } from 'node:stream';

import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { AppConfig } from '../../config/app-config';
import { openQueryStream } from '../../infra/database/query-stream';
import { CorrelationContext } from '../../infra/logging/correlation-context';
import { ReservedLine } from '../catalog/stock.repository';
import { Order, OrderLine, OrderRow, ShippingAddress, toOrder } from './order';
import { OrderStatus } from './order-state';
import { OrderVersionConflictError } from './orders.errors';

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

/** One order with its lines, in one statement (every job and webhook reads an order: one round trip, not two). */
const ORDER_WITH_LINES = `
  SELECT o.*,
         (SELECT coalesce(json_agg(json_build_object(
                   'lineNo', l.line_no, 'itemId', l.item_id, 'sku', l.sku, 'name', l.name,
                   'quantity', l.quantity, 'unitPriceCents', l.unit_price_cents) ORDER BY l.line_no), '[]'::json)
            FROM order_lines l WHERE l.order_id = o.id) AS lines
    FROM orders o WHERE o.id = $1`;

type OrderWithLinesRow = OrderRow & { lines: OrderLine[] };

@Injectable()
export class OrdersRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /**
   * Marks the order's stock as released, exactly once (orders.stock_released): returns its lines when this
   * call flipped the flag (the caller gives them back to catalog in the same transaction), else nothing.
   */
  async claimStockRelease(
    em: EntityManager,
    orderId: string,
  ): Promise<{ itemId: string; quantity: number }[]> {
    const [flag]: [unknown[], number] = await em.query(
      `UPDATE orders SET stock_released = true WHERE id = $1 AND stock_released = false RETURNING id`,
      [orderId],
    );
    if (flag.length === 0) return [];
    return (await this.lines(em, orderId)).map((l) => ({ itemId: l.itemId, quantity: l.quantity }));
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

  /** Reads and row-locks the order (not its lines, which never change) for the rest of the transaction. */
  async lock(em: EntityManager, orderId: string): Promise<Order | null> {
    const rows: OrderWithLinesRow[] = await em.query(`${ORDER_WITH_LINES} FOR UPDATE OF o`, [orderId]);
    return rows[0] ? toOrder(rows[0], rows[0].lines) : null;
  }

  async find(orderId: string): Promise<Order | null> {
    const rows: OrderWithLinesRow[] = await this.dataSource.query(ORDER_WITH_LINES, [orderId]);
    return rows[0] ? toOrder(rows[0], rows[0].lines) : null;
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

  /** A history row that keeps the status: an operator's note. */
  async addNote(em: EntityManager, order: Order, actor: string, note: string): Promise<void> {
    await em.query(
      `INSERT INTO order_history (order_id, from_status, to_status, actor, reason, correlation_id)
       VALUES ($1, $2, $2, $3, $4, $5)`,
      [order.id, order.status, actor, note, CorrelationContext.current() ?? null],
    );
  }

  /**
   * Every order matching the filters, oldest first, from a server-side cursor (flat memory for any count):
   * the columns of an orders export, with the buyer's user id.
   */
  exportRows(filters: { status?: OrderStatus; from?: string; to?: string }): Promise<{
    rows: Readable;
    close: () => Promise<void>;
  }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filters.status) where.push(`o.status = $${params.push(filters.status)}`);
    if (filters.from) where.push(`o.created_at >= $${params.push(filters.from)}`);
    if (filters.to) where.push(`o.created_at < $${params.push(filters.to)}`);
    return openQueryStream(
      this.config.db.url,
      `SELECT o.id, o.created_at AS "createdAt", o.status, o.user_id AS "userId", o.total_cents AS "totalCents",
              o.refunded_cents AS "refundedCents", o.currency,
              (SELECT coalesce(sum(quantity), 0)::int FROM order_lines l WHERE l.order_id = o.id) AS "itemCount",
              o.payment_intent_id AS "paymentIntentId"
         FROM orders o ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY o.created_at, o.id`,
      params,
      { applicationName: 'dispatch-export' },
    );
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
