import { randomUUID } from 'node:crypto';

import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';

import { QueueName } from '../../../src/infra/queue/queue-names';
import { FakeErpServer } from '../../../src/dev/fakes/erp/fake-erp.server';
import { ADDRESS, createItem, statusOf } from '../../factories/order.factory';
import { bearer, createUser, TestUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';
import { waitFor } from '../../setup/wait-for';

describe('ERP submission (fulfilment queue, fake ERP over HTTP)', () => {
  let t: TestApp;
  let erp: FakeErpServer;
  let customer: TestUser;

  beforeAll(async () => {
    t = await startTestApp({
      JOB_ATTEMPTS: '8',
      JOB_BACKOFF_MS: '100',
      ERP_BREAKER_FAILURES: '3',
      ERP_BREAKER_OPEN_MS: '1500',
    });
    erp = t.fakeErp;
    customer = await createUser(t);
  });
  afterAll(() => t.close());
  afterEach(() => {
    erp.clearFailures();
    erp.setDown(false);
  });

  async function paidOrder(lines: { priceCents: number; quantity: number }[], salutation?: string) {
    const items = [];
    for (const l of lines)
      items.push({
        itemId: await createItem(t, { stock: 100, priceCents: l.priceCents }),
        quantity: l.quantity,
      });
    const placed = await t
      .http()
      .post('/v1/orders')
      .set(bearer(customer))
      .set('Idempotency-Key', randomUUID())
      .send({ items, shippingAddress: { ...ADDRESS, ...(salutation ? { salutation } : {}) } })
      .expect(201);
    await t.fakeStripe.succeedPayment(placed.body.paymentIntentId);
    return placed.body.id as string;
  }

  const erpReference = async (orderId: string) =>
    (
      await t.db.query<{ erp_reference: string | null }>(`SELECT erp_reference FROM orders WHERE id = $1`, [
        orderId,
      ])
    )[0]?.erp_reference;

  it('submits a processed order with Basic Auth in the ERP schema and stores the reference', async () => {
    const orderId = await paidOrder(
      [
        { priceCents: 1999, quantity: 2 },
        { priceCents: 5, quantity: 1 },
      ],
      'female',
    );
    const reference = await waitFor(() => erpReference(orderId), { what: 'ERP reference' });
    expect(reference).toMatch(/^ERP-\d{6}$/);
    const request = erp
      .received()
      .find((r) => (r.body as { externalOrderId?: string })?.externalOrderId === orderId)!;
    expect(request.headers.authorization).toBe(
      `Basic ${Buffer.from('dispatch:dispatch-erp-secret').toString('base64')}`,
    );
    expect(request.headers['idempotency-key']).toBe(`erp:${orderId}`);
    // The job's correlation id (the webhook request's) travels into the ERP request.
    expect(request.headers['x-correlation-id']).toEqual(expect.any(String));
    const [run] = await t.db.query<{ correlation_id: string }>(
      `SELECT correlation_id FROM job_runs WHERE aggregate_id = $1 AND name = 'ERP_SUBMIT'`,
      [orderId],
    );
    expect(request.headers['x-correlation-id']).toBe(run.correlation_id);
    expect(request.body).toMatchObject({
      externalOrderId: orderId,
      currency: 'EUR',
      customer: { salutation: 'FRAU', email: customer.email },
      totalCents: 2 * 1999 + 5,
    });
    const positions = (request.body as { positions: { positionNo: number; unitPriceCents: number }[] })
      .positions;
    expect(positions.map((p) => p.positionNo)).toEqual([10000, 20000]);
    expect((request.body as { orderDate: string }).orderDate).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
    );
    const [row] = await t.db.query<{ erp_response: unknown }>(
      `SELECT erp_response FROM orders WHERE id = $1`,
      [orderId],
    );
    expect(row.erp_response).toMatchObject({ reference });
    const steps = (await t.http().get(`/v1/orders/${orderId}/jobs`).set(bearer(customer)).expect(200)).body
      .steps;
    expect(steps).toEqual(
      expect.arrayContaining([expect.objectContaining({ step: 'erp_submission', state: 'done' })]),
    );
  });

  it('retries 5xx answers and books the order once', async () => {
    erp.injectFailures({ status: 500, count: 2 });
    const orderId = await paidOrder([{ priceCents: 1000, quantity: 1 }]);
    await waitFor(() => erpReference(orderId), { what: 'ERP reference after retries' });
    const attempts = erp
      .received()
      .filter((r) => (r.body as { externalOrderId?: string })?.externalOrderId === orderId);
    expect(attempts.map((a) => a.status)).toEqual([500, 500, 201]);
    expect(erp.orders().filter((o) => o.externalOrderId === orderId)).toHaveLength(1);
  });

  it('treats an ERP 4xx as final: admins are alerted and no money moves (never a refund)', async () => {
    const capture = t.smtp;
    erp.injectFailures({ status: 422, count: 1 });
    const orderId = await paidOrder([{ priceCents: 4200, quantity: 1 }]);
    await waitFor(
      async () =>
        (
          await t.db.query<{ state: string }>(
            `SELECT state FROM job_runs WHERE aggregate_id = $1 AND name = 'ERP_SUBMIT'`,
            [orderId],
          )
        )[0]?.state === 'failed',
      { what: 'the ERP submission to fail for good', timeoutMs: 20_000 },
    );
    const runs = await t.db.query<{ name: string; state: string; attempts: number }>(
      `SELECT name, state, attempts FROM job_runs WHERE aggregate_id = $1 AND name = 'ERP_SUBMIT'`,
      [orderId],
    );
    expect(runs).toEqual([{ name: 'ERP_SUBMIT', state: 'failed', attempts: 1 }]);
    const [order] = await t.db.query<{ status: string; payment_intent_id: string; refunded_cents: number }>(
      `SELECT status, payment_intent_id, refunded_cents FROM orders WHERE id = $1`,
      [orderId],
    );
    // ERP, email and document jobs never move money (order-compensation.ts): the order stays PROCESSED.
    expect(order).toMatchObject({ status: 'PROCESSED', refunded_cents: 0 });
    expect(t.fakeStripe.refundsFor(order.payment_intent_id)).toHaveLength(0);
    expect(
      await t.db.query(`SELECT 1 FROM outbox WHERE aggregate_id = $1 AND type = 'ORDER_COMPENSATE'`, [
        orderId,
      ]),
    ).toHaveLength(0);
    await capture.waitFor(
      (m) => m.headers['x-dispatch-kind'] === 'ADMIN_ALERT' && m.text.includes(orderId),
      10_000,
    );
  });

  it('opens the circuit after consecutive failures, stops calling, and recovers through a probe', async () => {
    erp.setDown(true);
    const orderId = await paidOrder([{ priceCents: 700, quantity: 1 }]);
    await waitFor(
      async () => {
        const runs = await t.db.query<{ last_error: string | null }>(
          `SELECT last_error FROM job_runs WHERE aggregate_id = $1 AND name = 'ERP_SUBMIT'`,
          [orderId],
        );
        return runs[0]?.last_error?.includes('circuit') ? runs : undefined;
      },
      { what: 'the circuit to open', timeoutMs: 20_000 },
    );
    const whileDown = erp.received().filter((r) => r.status === null).length;
    expect(whileDown).toBeLessThanOrEqual(4);
    erp.setDown(false);
    await waitFor(() => erpReference(orderId), { what: 'submission after recovery', timeoutMs: 20_000 });
    expect(await statusOf(t, orderId)).toBe('PROCESSED');
  });
});

describe('ERP rate limit', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ ERP_RATE_LIMIT_PER_SECOND: '10', ERP_CONCURRENCY: '5' });
  });
  afterAll(() => t.close());

  it('holds 10 requests per second over 50 queued submissions', async () => {
    const erp = t.fakeErp;
    const fulfilment = t.app.get<Queue>(getQueueToken(QueueName.Fulfilment));
    const customer = await createUser(t);
    const itemId = await createItem(t, { stock: 1000, priceCents: 100 });
    // Queue all 50 submissions first, so the limiter, not the test's pace, decides the rate.
    await fulfilment.pause();
    for (let i = 0; i < 50; i++) {
      const placed = await t
        .http()
        .post('/v1/orders')
        .set(bearer(customer))
        .set('Idempotency-Key', randomUUID())
        .send({ items: [{ itemId, quantity: 1 }], shippingAddress: ADDRESS })
        .expect(201);
      await t.fakeStripe.succeedPayment(placed.body.paymentIntentId);
    }
    await waitFor(
      async () => {
        const counts = await fulfilment.getJobCounts('waiting', 'prioritized');
        return counts.waiting + counts.prioritized >= 50;
      },
      {
        what: '50 queued submissions',
        timeoutMs: 30_000,
      },
    );
    await fulfilment.resume();
    await waitFor(async () => erp.orders().length >= 50, { what: '50 ERP submissions', timeoutMs: 30_000 });
    const times = erp
      .received()
      .map((r) => r.at)
      .sort((a, b) => a - b);
    const spanSeconds = (times[times.length - 1] - times[0]) / 1000;
    // 50 requests in windows of 10 per second need 5 windows: at least 4 s from the first to the last
    // (without the limiter, 5 concurrent workers finish them against the fake in well under a second).
    expect(spanSeconds).toBeGreaterThanOrEqual(4);
    // BullMQ's limiter counts fixed windows: a sliding second can straddle two of them, never more.
    let worst = 0;
    for (let i = 0; i < times.length; i++) {
      let j = i;
      while (j < times.length && times[j] - times[i] < 1000) j++;
      worst = Math.max(worst, j - i);
    }
    expect(worst).toBeLessThanOrEqual(20);
  });
});
