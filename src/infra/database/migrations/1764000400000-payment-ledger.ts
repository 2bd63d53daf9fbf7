import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The payment ledger (issue 10): one row per order's PaymentIntent and refund rows that mirror Stripe's
 * (whoever created them), payment events that matched no order, and idempotency keys scoped per route so the
 * admin money routes can take them too.
 */
export class PaymentLedger1764000400000 implements MigrationInterface {
  name = 'PaymentLedger1764000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payments (
        order_id uuid PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
        payment_intent_id text NOT NULL UNIQUE,
        amount_cents integer NOT NULL CHECK (amount_cents > 0),
        currency char(3) NOT NULL,
        status text NOT NULL,
        captured_cents integer NOT NULL DEFAULT 0 CHECK (captured_cents >= 0 AND captured_cents <= amount_cents),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Orders placed before the ledger existed: their intent, captured when the order got paid.
    await q.query(`
      INSERT INTO payments (order_id, payment_intent_id, amount_cents, currency, status, captured_cents)
      SELECT id, payment_intent_id, total_cents, currency,
             CASE WHEN status IN ('PAID','PROCESSED','SHIPPED','DELIVERED','REFUNDED') OR refunded_cents > 0
                  THEN 'succeeded' WHEN status = 'CANCELLED' THEN 'canceled' ELSE 'requires_payment_method' END,
             CASE WHEN status IN ('PAID','PROCESSED','SHIPPED','DELIVERED','REFUNDED') OR refunded_cents > 0
                  THEN total_cents ELSE 0 END
        FROM orders WHERE payment_intent_id IS NOT NULL AND total_cents > 0`);

    await q.query(`ALTER TABLE refunds DROP CONSTRAINT refunds_status_check`);
    // Before the ledger, 'pending' meant "recorded, not yet sent to Stripe": that is 'requested' now.
    await q.query(`UPDATE refunds SET status = 'requested' WHERE status = 'pending'`);
    await q.query(`
      ALTER TABLE refunds
        ADD CONSTRAINT refunds_status_check
          CHECK (status IN ('requested', 'pending', 'succeeded', 'failed', 'canceled')),
        ADD COLUMN purpose text NOT NULL DEFAULT 'refund'
          CHECK (purpose IN ('refund', 'cancellation', 'late_payment', 'external')),
        ADD COLUMN initiator text NOT NULL DEFAULT 'dispatch' CHECK (initiator IN ('dispatch', 'dashboard')),
        ADD COLUMN stripe_idempotency_key text UNIQUE,
        ADD COLUMN failure_reason text,
        ADD COLUMN checked_at timestamptz,
        ADD CONSTRAINT refunds_stripe_refund_id_key UNIQUE (stripe_refund_id)`);
    await q.query(`UPDATE refunds SET stripe_idempotency_key = 'refund:' || order_id || ':' || seq`);
    await q.query(`ALTER TABLE refunds ALTER COLUMN stripe_idempotency_key SET NOT NULL`);
    await q.query(
      `CREATE INDEX refunds_open_idx ON refunds (updated_at) WHERE status IN ('requested', 'pending')`,
    );

    await q.query(`
      CREATE TABLE unmatched_payments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id text NOT NULL UNIQUE,
        event_type text NOT NULL,
        object_id text,
        payment_intent_id text,
        claimed_order_id uuid,
        amount_cents bigint,
        currency text,
        reason text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX unmatched_payments_created_idx ON unmatched_payments (created_at DESC, id)`);

    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN scope text NOT NULL DEFAULT 'orders.place'`);
    await q.query(`ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey`);
    await q.query(`ALTER TABLE idempotency_keys ADD PRIMARY KEY (user_id, scope, key)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM idempotency_keys WHERE scope <> 'orders.place'`);
    await q.query(`ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey`);
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN scope`);
    await q.query(`ALTER TABLE idempotency_keys ADD PRIMARY KEY (user_id, key)`);
    await q.query(`DROP TABLE unmatched_payments`);
    await q.query(`DROP INDEX refunds_open_idx`);
    await q.query(`DELETE FROM refunds WHERE initiator <> 'dispatch'`);
    await q.query(`ALTER TABLE refunds DROP CONSTRAINT refunds_status_check`);
    await q.query(
      `UPDATE refunds SET status = CASE WHEN status IN ('requested', 'pending') THEN 'pending' WHEN status = 'canceled' THEN 'failed' ELSE status END`,
    );
    await q.query(`
      ALTER TABLE refunds
        DROP CONSTRAINT refunds_stripe_refund_id_key,
        DROP COLUMN purpose, DROP COLUMN initiator, DROP COLUMN stripe_idempotency_key,
        DROP COLUMN failure_reason, DROP COLUMN checked_at,
        ADD CONSTRAINT refunds_status_check CHECK (status IN ('pending', 'succeeded', 'failed'))`);
    await q.query(`DROP TABLE payments`);
  }
}
