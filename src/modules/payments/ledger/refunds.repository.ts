import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { LedgerRefund, RefundInitiator, RefundPurpose, RefundStatus } from './ledger';

interface RefundRow {
  id: string;
  order_id: string;
  seq: number;
  amount_cents: number;
  reason: string;
  status: RefundStatus;
  purpose: RefundPurpose;
  initiator: RefundInitiator;
  stripe_refund_id: string | null;
  stripe_idempotency_key: string;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

const toRefund = (r: RefundRow): LedgerRefund => ({
  id: r.id,
  orderId: r.order_id,
  seq: r.seq,
  amountCents: r.amount_cents,
  reason: r.reason,
  status: r.status,
  purpose: r.purpose,
  initiator: r.initiator,
  stripeRefundId: r.stripe_refund_id,
  stripeIdempotencyKey: r.stripe_idempotency_key,
  failureReason: r.failure_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface NewRefund {
  orderId: string;
  amountCents: number;
  reason: string;
  purpose: RefundPurpose;
  status: RefundStatus;
  initiator: RefundInitiator;
  /** Omitted: `refund:<orderId>:<seq>`. */
  stripeIdempotencyKey?: string;
  stripeRefundId?: string;
  failureReason?: string | null;
}

/** `refunds`: every refund of an order, requested by Dispatch or booked from Stripe. */
@Injectable()
export class RefundsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The next refund of the order (the caller holds the order's row lock, which serialises `seq`). */
  async insert(em: EntityManager, refund: NewRefund): Promise<LedgerRefund> {
    const [row]: RefundRow[] = await em.query(
      `WITH n AS (SELECT coalesce(max(seq), 0) + 1 AS seq FROM refunds WHERE order_id = $1)
       INSERT INTO refunds (order_id, seq, amount_cents, reason, status, purpose, initiator,
                            stripe_idempotency_key, stripe_refund_id, failure_reason)
       SELECT $1, n.seq, $2, $3, $4, $5, $6, coalesce($7, 'refund:' || $1 || ':' || n.seq), $8, $9 FROM n
       RETURNING *`,
      [
        refund.orderId,
        refund.amountCents,
        refund.reason,
        refund.status,
        refund.purpose,
        refund.initiator,
        refund.stripeIdempotencyKey ?? null,
        refund.stripeRefundId ?? null,
        refund.failureReason ?? null,
      ],
    );
    return toRefund(row);
  }

  async forOrder(em: EntityManager, orderId: string): Promise<LedgerRefund[]> {
    const rows: RefundRow[] = await em.query(`SELECT * FROM refunds WHERE order_id = $1 ORDER BY seq`, [
      orderId,
    ]);
    return rows.map(toRefund);
  }

  /** Reads and row-locks one refund (after the order's lock: always order first, then its refunds). */
  async lock(em: EntityManager, refundId: string): Promise<LedgerRefund | null> {
    const rows: RefundRow[] = await em.query(`SELECT * FROM refunds WHERE id = $1 FOR UPDATE`, [refundId]);
    return rows[0] ? toRefund(rows[0]) : null;
  }

  async update(
    em: EntityManager,
    refundId: string,
    set: { status: RefundStatus; stripeRefundId?: string | null; failureReason?: string | null },
  ): Promise<LedgerRefund> {
    const [rows]: [RefundRow[], number] = await em.query(
      `UPDATE refunds SET status = $2, stripe_refund_id = coalesce($3, stripe_refund_id),
              failure_reason = CASE WHEN $2 IN ('failed', 'canceled') THEN coalesce($4, failure_reason) ELSE NULL END,
              updated_at = now()
        WHERE id = $1 RETURNING *`,
      [refundId, set.status, set.stripeRefundId ?? null, set.failureReason ?? null],
    );
    return toRefund(rows[0]);
  }

  /**
   * Orders whose refunds the reconciler should ask Stripe about: still pending at Stripe (or requested with no
   * job to send them) past `olderThanSeconds`, or given up by Dispatch before Stripe answered and never checked.
   * Each is checked at most once per `olderThanSeconds` (checked_at).
   */
  async dueForCheck(olderThanSeconds: number, limit: number): Promise<string[]> {
    // UPDATE … RETURNING answers [rows, count].
    const [rows]: [{ order_id: string }[], number] = await this.dataSource.query(
      `WITH due AS (
         SELECT id FROM refunds
          WHERE ((status IN ('requested', 'pending') AND updated_at < now() - make_interval(secs => $1))
                 OR (status = 'failed' AND stripe_refund_id IS NULL))
            AND (checked_at IS NULL OR checked_at < now() - make_interval(secs => $1))
            AND NOT (status = 'failed' AND checked_at IS NOT NULL)
          ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       UPDATE refunds r SET checked_at = now() FROM due WHERE r.id = due.id RETURNING r.order_id`,
      [olderThanSeconds, limit],
    );
    return [...new Set(rows.map((r) => r.order_id))];
  }
}
