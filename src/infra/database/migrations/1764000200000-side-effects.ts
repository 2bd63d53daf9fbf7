import { MigrationInterface, QueryRunner } from 'typeorm';

export class SideEffects1764000200000 implements MigrationInterface {
  name = 'SideEffects1764000200000';

  async up(q: QueryRunner): Promise<void> {
    // One row per email that must go out once: the dedupe key is "<kind>:<order or export id>".
    await q.query(`
      CREATE TABLE notifications_sent (
        dedupe_key text PRIMARY KEY,
        kind text NOT NULL,
        order_id uuid,
        recipient text NOT NULL,
        status text NOT NULL CHECK (status IN ('sending', 'sent')),
        message_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await q.query(`CREATE INDEX notifications_sent_order_idx ON notifications_sent (order_id)`);

    // Gap-free invoice numbers: the counter row is taken in the transaction that inserts the invoice.
    await q.query(`CREATE TABLE invoice_counters (year integer PRIMARY KEY, last_value integer NOT NULL)`);
    await q.query(`
      CREATE TABLE invoices (
        order_id uuid PRIMARY KEY REFERENCES orders (id),
        number text NOT NULL UNIQUE,
        year integer NOT NULL,
        seq integer NOT NULL,
        issued_at timestamptz NOT NULL DEFAULT now(),
        storage_key text NOT NULL,
        stored_at timestamptz,
        UNIQUE (year, seq)
      )`);

    await q.query(
      `ALTER TABLE orders ADD COLUMN erp_reference text, ADD COLUMN erp_response jsonb, ADD COLUMN erp_submitted_at timestamptz`,
    );

    await q.query(`
      CREATE TABLE order_steps (
        order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        step text NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        done_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (order_id, step)
      )`);

    await q.query(`
      CREATE TABLE exports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
        filters jsonb NOT NULL,
        requested_by uuid NOT NULL REFERENCES users (id),
        total_rows integer,
        file_key text,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        completed_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE exports`);
    await q.query(`DROP TABLE order_steps`);
    await q.query(
      `ALTER TABLE orders DROP COLUMN erp_reference, DROP COLUMN erp_response, DROP COLUMN erp_submitted_at`,
    );
    await q.query(`DROP TABLE invoices`);
    await q.query(`DROP TABLE invoice_counters`);
    await q.query(`DROP TABLE notifications_sent`);
  }
}
