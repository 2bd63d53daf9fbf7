import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** Why a payment event was not applied to any order. */
export type UnmatchedReason =
  'unknown_payment_intent' | 'foreign_payment_intent' | 'amount_mismatch' | 'currency_mismatch';

export interface UnmatchedPayment {
  id: string;
  eventId: string;
  eventType: string;
  objectId: string | null;
  paymentIntentId: string | null;
  /** The order the event's metadata named, if any (not proof that it is the order's). */
  claimedOrderId: string | null;
  amountCents: number | null;
  currency: string | null;
  reason: UnmatchedReason;
  createdAt: string;
}

interface UnmatchedRow {
  id: string;
  event_id: string;
  event_type: string;
  object_id: string | null;
  payment_intent_id: string | null;
  claimed_order_id: string | null;
  amount_cents: string | null;
  currency: string | null;
  reason: UnmatchedReason;
  created_at: Date;
}

/** `unmatched_payments`: payment events that named no order of ours, or not with its intent and amount. */
@Injectable()
export class UnmatchedPaymentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Returns the new row's id, or null when this event was recorded already. */
  async record(em: EntityManager, entry: Omit<UnmatchedPayment, 'id' | 'createdAt'>): Promise<string | null> {
    const rows: { id: string }[] = await em.query(
      `INSERT INTO unmatched_payments (event_id, event_type, object_id, payment_intent_id, claimed_order_id,
                                       amount_cents, currency, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_id) DO NOTHING RETURNING id`,
      [
        entry.eventId,
        entry.eventType,
        entry.objectId,
        entry.paymentIntentId,
        entry.claimedOrderId,
        entry.amountCents,
        entry.currency,
        entry.reason,
      ],
    );
    return rows[0]?.id ?? null;
  }

  async list(limit: number): Promise<UnmatchedPayment[]> {
    const rows: UnmatchedRow[] = await this.dataSource.query(
      `SELECT * FROM unmatched_payments ORDER BY created_at DESC, id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      id: r.id,
      eventId: r.event_id,
      eventType: r.event_type,
      objectId: r.object_id,
      paymentIntentId: r.payment_intent_id,
      claimedOrderId: r.claimed_order_id,
      amountCents: r.amount_cents === null ? null : Number(r.amount_cents),
      currency: r.currency,
      reason: r.reason,
      createdAt: r.created_at.toISOString(),
    }));
  }
}
