import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { AppConfig } from '../../config/app-config';
import { TransactionRunner } from '../../infra/database/transaction-runner';
import { JobOutcome } from '../../infra/queue/job-outcome';
import { AuthUser } from '../auth/auth-user';
import { OrderStatus } from '../orders/order-state';
import { OrderQueriesService } from '../orders/order-queries.service';
import { OrderStepsRepository } from '../orders/order-steps.repository';
import { OrdersRepository } from '../orders/orders.repository';
import { UsersService } from '../users/users.service';
import { InvoiceNotReadyError } from './documents.errors';
import { renderInvoicePdf } from './invoice.renderer';
import { DocumentStorage } from './storage/document.storage';

interface InvoiceRow {
  order_id: string;
  number: string;
  issued_at: Date;
  storage_key: string;
  stored_at: Date | null;
}

/**
 * One invoice per paid order. Its number comes from a per-year counter row updated in the same transaction
 * that inserts the invoice, so numbers are gap-free and unique under concurrency (a rolled-back transaction
 * gives its number back). Rendering and storing happen after commit and are repeatable: regenerating an
 * invoice rewrites the same file under the same number.
 */
@Injectable()
export class InvoicesService {
  private readonly logger = new Logger(InvoicesService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly orders: OrdersRepository,
    private readonly queries: OrderQueriesService,
    private readonly steps: OrderStepsRepository,
    private readonly users: UsersService,
    private readonly storage: DocumentStorage,
    private readonly config: AppConfig,
  ) {}

  async generate(orderId: string): Promise<JobOutcome> {
    const order = await this.orders.find(orderId);
    if (!order) return { status: 'skipped', reason: 'order not found' };
    if (order.status === OrderStatus.Pending) return { status: 'retry', reason: 'order not paid yet' };
    const invoice = await this.issue(orderId);
    const buyer = await this.users.get(order.userId);
    const address = order.shippingAddress;
    const pdf = await renderInvoicePdf({
      number: invoice.number,
      issuedAt: invoice.issued_at,
      orderId,
      seller: this.config.documents.seller,
      buyer: {
        name: address.name,
        email: buyer.email,
        addressLines: [
          address.line1,
          address.line2,
          `${address.postalCode} ${address.city}`,
          address.country,
        ].filter((l): l is string => Boolean(l)),
      },
      currency: order.currency,
      lines: order.lines.map((l) => ({
        sku: l.sku,
        description: l.name,
        quantity: l.quantity,
        unitPriceCents: l.unitPriceCents,
        totalCents: l.unitPriceCents * l.quantity,
      })),
      subtotalCents: order.totalCents,
      totalCents: order.totalCents,
    });
    await this.storage.put(invoice.storage_key, pdf);
    await this.dataSource.query(`UPDATE invoices SET stored_at = now() WHERE order_id = $1`, [orderId]);
    await this.steps.mark(orderId, 'invoice', 'done');
    this.logger.log({ orderId, number: invoice.number, bytes: pdf.length }, 'invoice stored');
    return { status: 'done' };
  }

  /** The order's invoice row, allocating the next number of the year when it has none. */
  async issue(orderId: string): Promise<InvoiceRow> {
    return this.tx.run(async (em) => {
      const existing: InvoiceRow[] = await em.query(`SELECT * FROM invoices WHERE order_id = $1`, [orderId]);
      if (existing[0]) return existing[0];
      const year = new Date().getUTCFullYear();
      const [{ last_value: seq }]: { last_value: number }[] = await em.query(
        `INSERT INTO invoice_counters (year, last_value) VALUES ($1, 1)
         ON CONFLICT (year) DO UPDATE SET last_value = invoice_counters.last_value + 1 RETURNING last_value`,
        [year],
      );
      const number = `INV-${year}-${String(seq).padStart(6, '0')}`;
      const [row]: InvoiceRow[] = await em.query(
        `INSERT INTO invoices (order_id, number, year, seq, storage_key) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [orderId, number, year, seq, `invoices/${year}/${number}.pdf`],
      );
      return row;
    });
  }

  /** The stored PDF for the owner or an admin (another user's order is a 404). */
  async open(user: AuthUser, orderId: string): Promise<{ number: string; stream: NodeJS.ReadableStream }> {
    await this.queries.get(user, orderId);
    const rows: InvoiceRow[] = await this.dataSource.query(
      `SELECT * FROM invoices WHERE order_id = $1 AND stored_at IS NOT NULL`,
      [orderId],
    );
    const stream = rows[0] ? await this.storage.open(rows[0].storage_key) : null;
    if (!rows[0] || !stream) throw new InvoiceNotReadyError(orderId);
    return { number: rows[0].number, stream };
  }
}
