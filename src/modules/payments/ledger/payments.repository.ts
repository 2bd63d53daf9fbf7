import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { LedgerPayment } from './ledger';

interface PaymentRow {
  order_id: string;
  payment_intent_id: string;
  amount_cents: number;
  currency: string;
  status: string;
  captured_cents: number;
}

const toPayment = (r: PaymentRow): LedgerPayment => ({
  orderId: r.order_id,
  paymentIntentId: r.payment_intent_id,
  amountCents: r.amount_cents,
  currency: r.currency.trim(),
  status: r.status,
  capturedCents: r.captured_cents,
});

/** `payments`: one row per order's PaymentIntent (written when the intent is attached to the order). */
@Injectable()
export class PaymentsRepository {
  async forOrder(em: EntityManager, orderId: string): Promise<LedgerPayment | null> {
    const rows: PaymentRow[] = await em.query(`SELECT * FROM payments WHERE order_id = $1`, [orderId]);
    return rows[0] ? toPayment(rows[0]) : null;
  }

  async byIntent(em: EntityManager, paymentIntentId: string): Promise<LedgerPayment | null> {
    const rows: PaymentRow[] = await em.query(`SELECT * FROM payments WHERE payment_intent_id = $1`, [
      paymentIntentId,
    ]);
    return rows[0] ? toPayment(rows[0]) : null;
  }

  async setStatus(em: EntityManager, orderId: string, status: string, capturedCents: number): Promise<void> {
    await em.query(
      `UPDATE payments SET status = $2, captured_cents = $3, updated_at = now() WHERE order_id = $1`,
      [orderId, status, capturedCents],
    );
  }
}
