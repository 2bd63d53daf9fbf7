import {
  cancelOrder,
  createItem,
  placeOrder,
  refundOrder,
  statusOf,
  stockOf,
  waitForStatus,
} from '../../factories/order.factory';
import { bearer, createUser, TestUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';
import { waitFor } from '../../setup/wait-for';

describe('order lifecycle through HTTP: webhook → PROCESSED → ship → deliver → refund', () => {
  let t: TestApp;
  let customer: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    customer = await createUser(t);
    admin = await createUser(t, { role: 'admin' });
  });
  afterAll(() => t.close());

  async function paidOrder(stock = 10, quantity = 2, priceCents = 1000) {
    const itemId = await createItem(t, { stock, priceCents });
    const placed = await placeOrder(t, customer, [{ itemId, quantity }]).expect(201);
    await t.fakeStripe.succeedPayment(placed.body.paymentIntentId);
    await waitForStatus(t, placed.body.id, 'PROCESSED');
    return { itemId, order: placed.body as { id: string; paymentIntentId: string; totalCents: number } };
  }

  it('runs the happy path end to end', async () => {
    const { itemId, order } = await paidOrder(10, 2, 1500);
    const asAdmin = bearer(admin);

    const history = await t.http().get(`/v1/orders/${order.id}/history`).set(bearer(customer)).expect(200);
    expect(history.body.map((h: { toStatus: string }) => h.toStatus)).toEqual([
      'PENDING',
      'PAID',
      'PROCESSED',
    ]);
    expect(history.body[1]).toMatchObject({ fromStatus: 'PENDING', actor: 'stripe' });

    const jobs = await t.http().get(`/v1/orders/${order.id}/jobs`).set(bearer(customer)).expect(200);
    expect(jobs.body.steps).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ step: 'inventory_committed', state: 'done', attempts: 1 }),
      ]),
    );
    expect(jobs.body.jobs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'PROCESS', state: 'completed', attempts: 1, lastError: null }),
      ]),
    );

    await t
      .http()
      .patch(`/v1/orders/${order.id}/ship`)
      .set(bearer(customer))
      .send({ carrier: 'DHL', trackingNumber: 'T1' })
      .expect(403);
    const shipped = await t
      .http()
      .patch(`/v1/orders/${order.id}/ship`)
      .set(asAdmin)
      .send({ carrier: 'DHL', trackingNumber: 'T1' })
      .expect(200);
    expect(shipped.body).toMatchObject({ status: 'SHIPPED', carrier: 'DHL', trackingNumber: 'T1' });
    const again = await t
      .http()
      .patch(`/v1/orders/${order.id}/ship`)
      .set(asAdmin)
      .send({ carrier: 'DHL', trackingNumber: 'T1' })
      .expect(409);
    expect(again.body).toMatchObject({
      code: 'ILLEGAL_ORDER_TRANSITION',
      details: { from: 'SHIPPED', to: 'SHIPPED' },
    });

    await t.http().patch(`/v1/orders/${order.id}/deliver`).set(asAdmin).expect(200);

    const partial = await refundOrder(t, admin, order.id, { amountCents: 1000, reason: 'damaged' }).expect(
      202,
    );
    expect(partial.body).toMatchObject({ amountCents: 1000, status: 'requested' });
    await waitFor(
      async () =>
        (
          await t.db.query<{ refunded_cents: number }>(`SELECT refunded_cents FROM orders WHERE id = $1`, [
            order.id,
          ])
        )[0].refunded_cents === 1000,
    );
    expect(await statusOf(t, order.id)).toBe('DELIVERED');

    const tooMuch = await refundOrder(t, admin, order.id, { amountCents: 2001, reason: 'x' }).expect(422);
    expect(tooMuch.body.code).toBe('REFUND_EXCEEDS_CAPTURED');

    await refundOrder(t, admin, order.id, { reason: 'the rest' }).expect(202);
    await waitForStatus(t, order.id, 'REFUNDED');
    const refunds = t.fakeStripe.refundsFor(order.paymentIntentId);
    expect(refunds.map((r) => r.amount).sort()).toEqual([1000, 2000]);
    await refundOrder(t, admin, order.id, { reason: 'more' }).expect(409);
    // Refunding a delivered order does not put goods back on the shelf.
    expect(await stockOf(t, itemId)).toBe(8);
    const final = await t.http().get(`/v1/orders/${order.id}`).set(bearer(customer)).expect(200);
    expect(final.body).toMatchObject({ status: 'REFUNDED', refundedCents: 3000, totalCents: 3000 });
  });

  it('applies a webhook delivered 10 times concurrently exactly once', async () => {
    const itemId = await createItem(t, { stock: 5 });
    const placed = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
    await t.fakeStripe.succeedPayment(placed.body.paymentIntentId);
    await waitForStatus(t, placed.body.id, 'PROCESSED');
    const succeeded = t.fakeStripe
      .events()
      .find(
        (e) =>
          e.type === 'payment_intent.succeeded' &&
          (e.data.object as { id: string }).id === placed.body.paymentIntentId,
      )!;
    await t.fakeStripe.redeliver(succeeded.id, { times: 10, concurrent: true });
    await t.fakeStripe.idle();
    const paidTransitions = await t.db.query(
      `SELECT 1 FROM order_history WHERE order_id = $1 AND to_status = 'PAID'`,
      [placed.body.id],
    );
    expect(paidTransitions).toHaveLength(1);
    expect(
      await t.db.query(`SELECT 1 FROM outbox WHERE aggregate_id = $1 AND type = 'ORDER_PROCESS'`, [
        placed.body.id,
      ]),
    ).toHaveLength(1);
    expect(await t.db.query(`SELECT 1 FROM webhook_events WHERE event_id = $1`, [succeeded.id])).toHaveLength(
      1,
    );
    const deliveries = t.fakeStripe.deliveries().filter((d) => d.eventId === succeeded.id);
    expect(deliveries.every((d) => d.status === 200)).toBe(true);
  });

  it('never moves an order backwards on stale or reordered events', async () => {
    const { order } = await paidOrder();
    // A failure event for the same intent arriving late (out of order) is acknowledged and ignored.
    const payload = JSON.stringify({
      id: 'evt_stale_failure_1',
      object: 'event',
      type: 'payment_intent.payment_failed',
      created: Math.floor(Date.now() / 1000) - 60,
      data: {
        object: {
          id: order.paymentIntentId,
          object: 'payment_intent',
          amount: order.totalCents,
          currency: 'eur',
          status: 'requires_payment_method',
          metadata: { orderId: order.id },
        },
      },
    });
    const res = await t
      .http()
      .post('/v1/payments/webhook')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', t.fakeStripe.signPayload(payload))
      .send(payload)
      .expect(200);
    expect(res.body).toEqual({ received: true, outcome: 'stale' });
    expect(await statusOf(t, order.id)).toBe('PROCESSED');
  });

  it('rejects bad, tampered and expired signatures with 400 and writes nothing', async () => {
    const payload = JSON.stringify({
      id: 'evt_forged_1',
      object: 'event',
      type: 'payment_intent.succeeded',
      created: 1,
      data: { object: { id: 'pi_x', object: 'payment_intent' } },
    });
    const post = (signature?: string, body = payload) => {
      const req = t.http().post('/v1/payments/webhook').set('Content-Type', 'application/json');
      if (signature) req.set('Stripe-Signature', signature);
      return req.send(body);
    };
    expect((await post().expect(400)).body.code).toBe('INVALID_WEBHOOK_SIGNATURE');
    await post('t=1,v1=deadbeef').expect(400);
    await post(t.fakeStripe.signPayload(payload), payload.replace('pi_x', 'pi_y')).expect(400);
    await post(t.fakeStripe.signPayload(payload, Math.floor(Date.now() / 1000) - 301)).expect(400);
    expect(await t.db.query(`SELECT 1 FROM webhook_events WHERE event_id = 'evt_forged_1'`)).toHaveLength(0);
    // Within the 300 s tolerance the same payload is accepted.
    await post(t.fakeStripe.signPayload(payload, Math.floor(Date.now() / 1000) - 200)).expect(200);
  });

  it('cancels an order whose payment is declined and restores its stock', async () => {
    const itemId = await createItem(t, { stock: 4 });
    const placed = await placeOrder(t, customer, [{ itemId, quantity: 3 }]).expect(201);
    expect(await stockOf(t, itemId)).toBe(1);
    await t.fakeStripe.failPayment(placed.body.paymentIntentId);
    await waitForStatus(t, placed.body.id, 'CANCELLED');
    expect(await stockOf(t, itemId)).toBe(4);
    expect(t.fakeStripe.paymentIntent(placed.body.paymentIntentId)?.status).toBe('canceled');
  });

  it('admin cancel: unpaid → 200 at once; paid → 202, refunded once, cancelled, stock restored', async () => {
    const itemId = await createItem(t, { stock: 10 });
    const unpaid = await placeOrder(t, customer, [{ itemId, quantity: 2 }]).expect(201);
    const cancelled = await cancelOrder(t, admin, unpaid.body.id, 'customer asked').expect(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    expect(await stockOf(t, itemId)).toBe(10);
    await waitFor(async () => t.fakeStripe.paymentIntent(unpaid.body.paymentIntentId)?.status === 'canceled');

    const { order, itemId: paidItem } = await paidOrder(10, 3, 700);
    await cancelOrder(t, admin, order.id, 'out of business').expect(202);
    await waitForStatus(t, order.id, 'CANCELLED');
    expect(t.fakeStripe.refundsFor(order.paymentIntentId)).toEqual([
      expect.objectContaining({ amount: 2100 }),
    ]);
    expect(await stockOf(t, paidItem)).toBe(10);
    await cancelOrder(t, admin, order.id, 'again').expect(409);
  });

  it('refunds a payment that arrives after the order was cancelled', async () => {
    const itemId = await createItem(t, { stock: 5 });
    const placed = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
    await cancelOrder(t, admin, placed.body.id, 'changed mind').expect(200);
    // Customer pays before the CANCEL job reaches Stripe (or Stripe captured regardless).
    await t.fakeStripe.succeedPayment(placed.body.paymentIntentId).catch(() => undefined);
    if (t.fakeStripe.paymentIntent(placed.body.paymentIntentId)?.status === 'succeeded') {
      await waitFor(async () => t.fakeStripe.refundsFor(placed.body.paymentIntentId).length === 1);
    }
    expect(await statusOf(t, placed.body.id)).toBe('CANCELLED');
    expect(t.fakeStripe.refundsFor(placed.body.paymentIntentId).length).toBeLessThanOrEqual(1);
  });
});
