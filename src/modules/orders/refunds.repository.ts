import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface Refund {
  id: string;
  orderId: string;
  seq: number;
  amountCents: number;
  reason: string;
  status: 'pending' | 'succeeded' | 'failed';
  stripeRefundId: string | null;
}

interface RefundRow {
  id: string;
  order_id: string;
  seq: number;
  amount_cents: number;
  reason: string;
  status: Refund['status'];
  stripe_refund_id: string | null;
}

const toRefund = (r: RefundRow): Refund => ({
  id: r.id,
  orderId: r.order_id,
  seq: r.seq,
  amountCents: r.amount_cents,
  reason: r.reason,
  status: r.status,
  stripeRefundId: r.stripe_refund_id,
});

@Injectable()
export class RefundsRepository {
  /** Creates the next refund request of the order (the caller holds the order's row lock). */
  async insert(em: EntityManager, orderId: string, amountCents: number, reason: string): Promise<Refund> {
    const [row]: RefundRow[] = await em.query(
      `INSERT INTO refunds (order_id, seq, amount_cents, reason, status)
       VALUES ($1, (SELECT coalesce(max(seq), 0) + 1 FROM refunds WHERE order_id = $1), $2, $3, 'pending')
       RETURNING *`,
      [orderId, amountCents, reason],
    );
    return toRefund(row);
  }

  async pendingTotal(em: EntityManager, orderId: string): Promise<number> {
    const [{ sum }]: { sum: string | null }[] = await em.query(
      `SELECT sum(amount_cents) AS sum FROM refunds WHERE order_id = $1 AND status = 'pending'`,
      [orderId],
    );
    return Number(sum ?? 0);
  }

  async find(em: EntityManager, refundId: string): Promise<Refund | null> {
    const rows: RefundRow[] = await em.query(`SELECT * FROM refunds WHERE id = $1 FOR UPDATE`, [refundId]);
    return rows[0] ? toRefund(rows[0]) : null;
  }

  async markSucceeded(em: EntityManager, refundId: string, stripeRefundId: string): Promise<void> {
    await em.query(
      `UPDATE refunds SET status = 'succeeded', stripe_refund_id = $2, updated_at = now() WHERE id = $1`,
      [refundId, stripeRefundId],
    );
  }

  async markFailed(em: EntityManager, refundId: string): Promise<void> {
    await em.query(
      `UPDATE refunds SET status = 'failed', updated_at = now() WHERE id = $1 AND status = 'pending'`,
      [refundId],
    );
  }

  async forOrder(em: EntityManager, orderId: string): Promise<Refund[]> {
    const rows: RefundRow[] = await em.query(`SELECT * FROM refunds WHERE order_id = $1 ORDER BY seq`, [
      orderId,
    ]);
    return rows.map(toRefund);
  }
}
