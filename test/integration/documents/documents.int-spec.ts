import { execFileSync } from 'node:child_process';

import { InvoicesService } from '../../../src/modules/documents/invoices.service';
import { createItem, placeOrder } from '../../factories/order.factory';
import { bearer, createUser, TestUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';
import { waitFor } from '../../setup/wait-for';

/** pdf-parse starts pdf.js with a dynamic import Jest cannot run, so the PDF is parsed by a plain Node child. */
function pdfText(pdf: Buffer): { pages: number; text: string } {
  const script = `const { PDFParse } = require(${JSON.stringify(require.resolve('pdf-parse'))});
    const chunks = []; process.stdin.on('data', (c) => chunks.push(c)).on('end', async () => {
      const parser = new PDFParse({ data: Buffer.concat(chunks) });
      const text = await parser.getText();
      process.stdout.write(JSON.stringify({ pages: text.total, text: text.text }));
      await parser.destroy();
    });`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { input: pdf }).toString()) as {
    pages: number;
    text: string;
  };
}

/** supertest parser that keeps a binary body as a Buffer. */
function binary(res: NodeJS.ReadableStream, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

describe('invoices and CSV exports (documents queue)', () => {
  let t: TestApp;
  let admin: TestUser;
  let customer: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await createUser(t, { role: 'admin' });
    customer = await createUser(t);
  });
  afterAll(() => t.close());

  describe('invoices', () => {
    it('renders a PDF with the right lines and totals once the order is paid; owner and admin only', async () => {
      const a = await createItem(t, { stock: 10, priceCents: 1999 });
      const b = await createItem(t, { stock: 10, priceCents: 350 });
      const placed = await placeOrder(t, customer, [
        { itemId: a, quantity: 2 },
        { itemId: b, quantity: 3 },
      ]).expect(201);
      const orderId = placed.body.id as string;
      await t.http().get(`/v1/invoices/${orderId}.pdf`).set(bearer(customer)).expect(404);
      await t.fakeStripe.succeedPayment(placed.body.paymentIntentId);
      await waitFor(
        async () =>
          (
            await t.db.query(`SELECT 1 FROM invoices WHERE order_id = $1 AND stored_at IS NOT NULL`, [
              orderId,
            ])
          ).length === 1,
        {
          what: 'invoice stored',
        },
      );
      const res = await t
        .http()
        .get(`/v1/invoices/${orderId}.pdf`)
        .set(bearer(customer))
        .buffer(true)
        .parse(binary as never)
        .expect(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      const [invoice] = await t.db.query<{ number: string }>(
        `SELECT number FROM invoices WHERE order_id = $1`,
        [orderId],
      );
      expect(invoice.number).toMatch(/^INV-\d{4}-\d{6}$/);
      const { text } = pdfText(res.body as Buffer);
      expect(text).toContain(invoice.number);
      expect(text).toContain('EUR 50.48'); // 2 × 19.99 + 3 × 3.50
      expect(text).toContain('EUR 10.50');
      expect(text).toContain(customer.email);
      const other = await createUser(t);
      await t.http().get(`/v1/invoices/${orderId}.pdf`).set(bearer(other)).expect(404);
      await t.http().get(`/v1/invoices/${orderId}.pdf`).set(bearer(admin)).expect(200);
      const steps = (await t.http().get(`/v1/orders/${orderId}/jobs`).set(bearer(customer)).expect(200)).body
        .steps;
      expect(steps).toEqual(
        expect.arrayContaining([expect.objectContaining({ step: 'invoice', state: 'done' })]),
      );
    });

    it('numbers invoices without gaps or duplicates under concurrency, and regenerating keeps the number', async () => {
      const itemId = await createItem(t, { stock: 100 });
      const orderIds: string[] = [];
      for (let i = 0; i < 25; i++)
        orderIds.push((await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201)).body.id);
      const invoices = t.app.get(InvoicesService);
      const before = await t.db.query<{ max: number | null }>(`SELECT max(seq) AS max FROM invoices`);
      const issued = await Promise.all(orderIds.map((id) => invoices.issue(id)));
      const seqs = (
        await t.db.query<{ seq: number }>(
          `SELECT seq FROM invoices WHERE order_id = ANY($1::uuid[]) ORDER BY seq`,
          [orderIds],
        )
      ).map((r) => r.seq);
      const start = (before[0].max ?? 0) + 1;
      expect(seqs).toEqual(Array.from({ length: 25 }, (_, i) => start + i));
      expect(new Set(issued.map((i) => i.number)).size).toBe(25);
      const again = await Promise.all(orderIds.slice(0, 5).map((id) => invoices.issue(id)));
      expect(again.map((i) => i.number)).toEqual(issued.slice(0, 5).map((i) => i.number));
      expect(
        await t.db.query(`SELECT 1 FROM invoices WHERE order_id = ANY($1::uuid[])`, [orderIds]),
      ).toHaveLength(25);
    });
  });

  describe('exports', () => {
    it('rejects bad filters with 400 and non-admins with 403', async () => {
      for (const body of [
        { status: 'LOST' },
        { from: 'yesterday' },
        { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
        { extra: 1 },
      ]) {
        const res = await t.http().post('/v1/exports/orders').set(bearer(admin)).send(body).expect(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
      await t.http().post('/v1/exports/orders').set(bearer(customer)).send({}).expect(403);
      expect(await t.db.query(`SELECT 1 FROM exports`)).toHaveLength(0);
    });

    it('streams 10k orders to CSV with the right rows and tells the admin', async () => {
      const itemId = await createItem(t, { stock: 10 });
      const tag = `exp-${Date.now()}`;
      // 10k orders straight into the database (the export reads them, it does not care how they came).
      await t.db.query(
        `WITH o AS (
           INSERT INTO orders (user_id, status, total_cents, currency, shipping_address, payment_due_at, created_at, payment_intent_id)
           SELECT $1, 'DELIVERED', g * 7, 'EUR', '{}'::jsonb, now(), '2030-01-01'::timestamptz + g * interval '1 second', $2 || '-' || g
             FROM generate_series(1, 10000) g RETURNING id, total_cents)
         INSERT INTO order_lines (order_id, line_no, item_id, sku, name, quantity, unit_price_cents)
         SELECT id, 1, $3, 'SKU', 'Item', 1, total_cents FROM o`,
        [customer.id, tag, itemId],
      );
      const requested = await t
        .http()
        .post('/v1/exports/orders')
        .set(bearer(admin))
        .send({ status: 'DELIVERED', from: '2030-01-01T00:00:00Z', to: '2031-01-01T00:00:00Z' })
        .expect(202);
      const exportId = requested.body.exportId as string;
      const done = await waitFor(
        async () => {
          const res = await t.http().get(`/v1/exports/${exportId}`).set(bearer(admin)).expect(200);
          return res.body.status === 'completed' ? res.body : undefined;
        },
        { what: 'export completed', timeoutMs: 30_000 },
      );
      expect(done).toMatchObject({ totalRows: 10000, filters: { status: 'DELIVERED' }, error: null });
      const csv = await t
        .http()
        .get(`/v1/exports/${exportId}/download`)
        .set(bearer(admin))
        .buffer(true)
        .parse(binary as never)
        .expect(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      const lines = (csv.body as Buffer).toString('utf8').trimEnd().split('\r\n');
      expect(lines).toHaveLength(10001);
      expect(lines[0]).toBe(
        'order_id,created_at,status,customer_email,total,refunded,currency,items,payment_intent_id',
      );
      expect(lines[1]).toMatch(
        new RegExp(
          `^[0-9a-f-]{36},2030-01-01T00:00:01.000Z,DELIVERED,${customer.email},0.07,0.00,EUR,1,${tag}-1$`,
        ),
      );
      expect(lines[10000]).toContain(',700.00,'); // 10000 × 7 cents
      const capture = t.smtp;
      await capture.waitFor(
        (m) => m.headers['x-dispatch-kind'] === 'EXPORT_READY' && m.to.includes(admin.email),
        10_000,
      );
      await t.http().get(`/v1/exports/${exportId}`).set(bearer(customer)).expect(403);
    });

    it('answers 409 for a download that is not ready and 404 for an unknown export', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      expect((await t.http().get(`/v1/exports/${unknown}`).set(bearer(admin)).expect(404)).body.code).toBe(
        'EXPORT_NOT_FOUND',
      );
      const [row] = await t.db.query<{ id: string }>(
        `INSERT INTO exports (kind, status, filters, requested_by) VALUES ('orders', 'processing', '{}', $1) RETURNING id`,
        [admin.id],
      );
      expect(
        (await t.http().get(`/v1/exports/${row.id}/download`).set(bearer(admin)).expect(409)).body.code,
      ).toBe('EXPORT_NOT_READY');
    });
  });
});
