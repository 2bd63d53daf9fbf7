import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export interface InvoiceRow {
  order_id: string;
  number: string;
  issued_at: Date;
  storage_key: string;
  stored_at: Date | null;
}

/** `invoices` and `invoice_counters` (the per-year number sequence, only ever taken with an invoice). */
@Injectable()
export class InvoicesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async forOrder(em: EntityManager, orderId: string): Promise<InvoiceRow | null> {
    const rows: InvoiceRow[] = await em.query(`SELECT * FROM invoices WHERE order_id = $1`, [orderId]);
    return rows[0] ?? null;
  }

  /** The year's next number, taken in the caller's transaction: a rollback gives it back (no gaps). */
  async nextNumber(em: EntityManager, year: number): Promise<number> {
    const [{ last_value: seq }]: { last_value: number }[] = await em.query(
      `INSERT INTO invoice_counters (year, last_value) VALUES ($1, 1)
       ON CONFLICT (year) DO UPDATE SET last_value = invoice_counters.last_value + 1 RETURNING last_value`,
      [year],
    );
    return seq;
  }

  async insert(
    em: EntityManager,
    invoice: { orderId: string; number: string; year: number; seq: number; storageKey: string },
  ): Promise<InvoiceRow> {
    const [row]: InvoiceRow[] = await em.query(
      `INSERT INTO invoices (order_id, number, year, seq, storage_key) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [invoice.orderId, invoice.number, invoice.year, invoice.seq, invoice.storageKey],
    );
    return row;
  }

  async markStored(orderId: string): Promise<void> {
    await this.dataSource.query(`UPDATE invoices SET stored_at = now() WHERE order_id = $1`, [orderId]);
  }

  async stored(orderId: string): Promise<InvoiceRow | null> {
    const rows: InvoiceRow[] = await this.dataSource.query(
      `SELECT * FROM invoices WHERE order_id = $1 AND stored_at IS NOT NULL`,
      [orderId],
    );
    return rows[0] ?? null;
  }
}
