import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';

import { QueueName } from '../../../src/infra/queue/queue-names';
import { SmtpCaptureServer } from '../../../src/dev/fakes/smtp/smtp-capture.server';
import { createItem, placeOrder, waitForStatus } from '../../factories/order.factory';
import { bearer, createUser, TestUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';
import { waitFor } from '../../setup/wait-for';

describe('customer emails over real SMTP (local capture server)', () => {
  let t: TestApp;
  let admin: TestUser;
  let capture: SmtpCaptureServer;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await createUser(t, { role: 'admin' });
    capture = t.smtp;
  });
  afterAll(() => t.close());

  const mailbox = async (to: string) =>
    (
      await t
        .http()
        .get(`/v1/dev/mailbox?to=${encodeURIComponent(to)}`)
        .set(bearer(admin))
        .expect(200)
    ).body.data as {
      subject: string;
      text: string;
      headers: Record<string, string>;
    }[];

  async function paidOrder(customer: TestUser) {
    const itemId = await createItem(t, { stock: 5, priceCents: 1999 });
    const placed = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
    await t.fakeStripe.succeedPayment(placed.body.paymentIntentId);
    await waitForStatus(t, placed.body.id, 'PROCESSED');
    return placed.body.id as string;
  }

  it('sends the confirmation, shipping and delivery emails, each once, in the customer’s language', async () => {
    const customer = await createUser(t, { language: 'pt-BR' });
    const orderId = await paidOrder(customer);
    await waitFor(async () => (await mailbox(customer.email)).length >= 1, { what: 'confirmation email' });
    await t
      .http()
      .patch(`/v1/orders/${orderId}/ship`)
      .set(bearer(admin))
      .send({ carrier: 'Correios', trackingNumber: 'BR123' })
      .expect(200);
    await t.http().patch(`/v1/orders/${orderId}/deliver`).set(bearer(admin)).expect(200);
    const mails = await waitFor(
      async () => {
        const m = await mailbox(customer.email);
        return m.length >= 3 ? m : undefined;
      },
      { what: 'three emails' },
    );
    const kinds = mails.map((m) => m.headers['x-dispatch-kind']).sort();
    expect(kinds).toEqual(['ORDER_CONFIRMED', 'ORDER_DELIVERED', 'ORDER_SHIPPED']);
    const shipped = mails.find((m) => m.headers['x-dispatch-kind'] === 'ORDER_SHIPPED')!;
    expect(shipped.text).toContain('Correios');
    expect(shipped.text).toContain('BR123');
    expect(shipped.subject).toMatch(/enviado/i);
    expect(mails.every((m) => m.headers['x-dispatch-order-id'] === orderId)).toBe(true);
    const steps = (await t.http().get(`/v1/orders/${orderId}/jobs`).set(bearer(customer)).expect(200)).body
      .steps;
    expect(steps).toEqual(
      expect.arrayContaining([expect.objectContaining({ step: 'email:ORDER_SHIPPED', state: 'done' })]),
    );
  });

  it('answers in English for an English customer', async () => {
    const customer = await createUser(t);
    await paidOrder(customer);
    const [confirmation] = await waitFor(async () => {
      const m = await mailbox(customer.email);
      return m.length ? m : undefined;
    });
    expect(confirmation.subject).toMatch(/confirmed/i);
  });

  it('sends exactly one email per (order, kind) when its job runs twice', async () => {
    const customer = await createUser(t);
    const orderId = await paidOrder(customer);
    await waitFor(async () => (await mailbox(customer.email)).length === 1);
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Notifications));
    const data = { kind: 'ORDER_CONFIRMED', dedupeKey: `ORDER_CONFIRMED:${orderId}`, orderId, outboxId: '0' };
    // Two more copies of the same job, concurrently (as after a re-dispatch or a stalled worker).
    await Promise.all([
      queue.add('ORDER_CONFIRMED', data, { jobId: `dup-a-${orderId}` }),
      queue.add('ORDER_CONFIRMED', data, { jobId: `dup-b-${orderId}` }),
    ]);
    await waitFor(
      async () => {
        const runs = await t.db.query<{ state: string }>(
          `SELECT state FROM job_runs WHERE job_id IN ($1, $2)`,
          [`dup-a-${orderId}`, `dup-b-${orderId}`],
        );
        return runs.length === 2 && runs.every((r) => r.state === 'skipped');
      },
      { what: 'duplicate jobs to be skipped' },
    );
    expect(capture.messages({ to: customer.email })).toHaveLength(1);
    expect(await t.db.query(`SELECT status FROM notifications_sent WHERE order_id = $1`, [orderId])).toEqual([
      { status: 'sent' },
    ]);
  });
});
