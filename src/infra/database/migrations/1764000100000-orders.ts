import { MigrationInterface, QueryRunner } from 'typeorm';

export class Orders1764000100000 implements MigrationInterface {
  name = 'Orders1764000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE orders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id),
        status text NOT NULL CHECK (status IN ('PENDING','PAID','PROCESSED','SHIPPED','DELIVERED','CANCELLED','REFUNDED')),
        total_cents integer NOT NULL CHECK (total_cents >= 0),
        currency char(3) NOT NULL,
        refunded_cents integer NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0 AND refunded_cents <= total_cents),
        payment_intent_id text UNIQUE,
        shipping_address jsonb NOT NULL,
        carrier text,
        tracking_number text,
        stock_released boolean NOT NULL DEFAULT false,
        payment_due_at timestamptz NOT NULL,
        version integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX orders_user_created_idx ON orders (user_id, created_at DESC)`);
    await q.query(`CREATE INDEX orders_status_created_idx ON orders (status, created_at DESC)`);
    await q.query(`CREATE INDEX orders_pending_due_idx ON orders (payment_due_at) WHERE status = 'PENDING'`);

    await q.query(`
      CREATE TABLE order_lines (
        order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        line_no integer NOT NULL,
        item_id uuid NOT NULL REFERENCES items (id),
        sku text NOT NULL,
        name text NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        unit_price_cents integer NOT NULL CHECK (unit_price_cents >= 0),
        PRIMARY KEY (order_id, line_no)
      )`);

    await q.query(`
      CREATE TABLE order_history (
        id bigserial PRIMARY KEY,
        order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        from_status text,
        to_status text NOT NULL,
        actor text NOT NULL,
        reason text,
        correlation_id text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX order_history_order_idx ON order_history (order_id, id)`);

    await q.query(`
      CREATE TABLE refunds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        seq integer NOT NULL,
        amount_cents integer NOT NULL CHECK (amount_cents > 0),
        reason text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
        stripe_refund_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (order_id, seq)
      )`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        user_id uuid NOT NULL REFERENCES users (id),
        key text NOT NULL,
        request_hash text NOT NULL,
        order_id uuid REFERENCES orders (id),
        response_status integer,
        response_body jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`);

    await q.query(`
      CREATE TABLE webhook_events (
        event_id text PRIMARY KEY,
        type text NOT NULL,
        order_id uuid,
        outcome text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        type text NOT NULL,
        aggregate_id uuid NOT NULL,
        payload jsonb NOT NULL,
        correlation_id text,
        dedupe_key text UNIQUE,
        deliver_after timestamptz,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL`);
    await q.query(`CREATE INDEX outbox_aggregate_idx ON outbox (aggregate_id, id)`);
    await q.query(`CREATE INDEX outbox_sent_at_idx ON outbox (sent_at) WHERE sent_at IS NOT NULL`);
    // The relay LISTENs on this channel so it wakes as soon as a transaction with outbox rows commits.
    await q.query(`
      CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox_inserted', '');
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()`,
    );

    await q.query(`
      CREATE TABLE job_runs (
        job_id text PRIMARY KEY,
        aggregate_id uuid NOT NULL,
        outbox_id bigint NOT NULL,
        queue text NOT NULL,
        name text NOT NULL,
        state text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        correlation_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX job_runs_aggregate_idx ON job_runs (aggregate_id, created_at)`);
    await q.query(
      `CREATE INDEX job_runs_open_idx ON job_runs (updated_at) WHERE state IN ('queued', 'active', 'retrying')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'job_runs',
      'outbox',
      'webhook_events',
      'idempotency_keys',
      'refunds',
      'order_history',
      'order_lines',
      'orders',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP FUNCTION outbox_notify()`);
  }
}
