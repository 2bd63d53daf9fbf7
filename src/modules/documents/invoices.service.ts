import { Injectable, Logger } from '@nestjs/common';

import { AppConfig } from '../../config/app-config';
import { TransactionRunner } from '../../infra/database/transaction-runner';
import { JobOutcome } from '../../infra/queue/job-outcome';
import { AuthUser } from '../access/auth-user';
import { OrderStatus } from '../orders/order-state';
import { OrderQueriesService } from '../orders/order-queries.service';
import { OrderRecordsService } from '../orders/order-records.service';
import { UsersService } from '../users/users.service';
import { InvoiceNotReadyError } from './documents.errors';
import { renderInvoicePdf } from './invoice.renderer';
import { InvoiceRow, InvoicesRepository } from './invoices.repository';
import { DocumentStorage } from './storage/document.storage';

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
    private readonly invoices: InvoicesRepository,
    private readonly tx: TransactionRunner,
    private readonly queries: OrderQueriesService,
    private readonly records: OrderRecordsService,
    private readonly users: UsersService,
    private readonly storage: DocumentStorage,
    private readonly config: AppConfig,
  ) {}

  async generate(orderId: string): Promise<JobOutcome> {
    const order = await this.queries.find(orderId);
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
    await this.invoices.markStored(orderId);
    await this.records.markStep(orderId, 'invoice', 'done');
    this.logger.log({ orderId, number: invoice.number, bytes: pdf.length }, 'invoice stored');
    return { status: 'done' };
  }

  /** The order's invoice row, allocating the next number of the year when it has none. */
  async issue(orderId: string): Promise<InvoiceRow> {
    return this.tx.run(async (em) => {
      const existing = await this.invoices.forOrder(em, orderId);
      if (existing) return existing;
      const year = new Date().getUTCFullYear();
      const seq = await this.invoices.nextNumber(em, year);
      const number = `INV-${year}-${String(seq).padStart(6, '0')}`;
      return this.invoices.insert(em, {
        orderId,
        number,
        year,
        seq,
        storageKey: `invoices/${year}/${number}.pdf`,
      });
    });
  }

  /** The stored PDF for the owner or an admin (another user's order is a 404). */
  async open(user: AuthUser, orderId: string): Promise<{ number: string; stream: NodeJS.ReadableStream }> {
    await this.queries.get(user, orderId);
    const invoice = await this.invoices.stored(orderId);
    const stream = invoice ? await this.storage.open(invoice.storage_key) : null;
    if (!invoice || !stream) throw new InvoiceNotReadyError(orderId);
    return { number: invoice.number, stream };
  }
}
