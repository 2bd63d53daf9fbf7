import { randomUUID } from 'node:crypto';

import { ADDRESS, createItem, placeOrder, placeOrderAnswered, stockOf } from '../../factories/order.factory';
import { bearer, createUser, TestUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';

describe('POST /v1/orders: reservation, idempotency, Stripe failures', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    alice = await createUser(t);
    bob = await createUser(t);
  });
  afterAll(() => t.close());

  const count = async (sql: string, params: unknown[] = []) =>
    Number((await t.db.query<{ n: string }>(sql, params))[0].n);

  it('reserves stock, prices server-side and answers 201 with the client secret', async () => {
    const a = await createItem(t, { stock: 5, priceCents: 1999 });
    const b = await createItem(t, { stock: 5, priceCents: 250 });
    const res = await placeOrder(t, alice, [
      { itemId: a, quantity: 2 },
      { itemId: b, quantity: 3 },
    ]).expect(201);
    expect(res.body).toMatchObject({
      status: 'PENDING',
      userId: alice.id,
      totalCents: 2 * 1999 + 3 * 250,
      currency: 'EUR',
      paymentIntentId: expect.stringMatching(/^pi_/),
      clientSecret: expect.stringContaining('_secret_'),
      shippingAddress: ADDRESS,
    });
    expect(res.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ itemId: a, quantity: 2, unitPriceCents: 1999 }),
        expect.objectContaining({ itemId: b, quantity: 3, unitPriceCents: 250 }),
      ]),
    );
    expect(await stockOf(t, a)).toBe(3);
    expect(await stockOf(t, b)).toBe(2);
    const history = await t.http().get(`/v1/orders/${res.body.id}/history`).set(bearer(alice)).expect(200);
    expect(history.body).toEqual([
      expect.objectContaining({ fromStatus: null, toStatus: 'PENDING', actor: `customer:${alice.id}` }),
    ]);
    expect(
      await count(`SELECT count(*) n FROM outbox WHERE aggregate_id = $1 AND type = 'ORDER_EXPIRE'`, [
        res.body.id,
      ]),
    ).toBe(1);
    expect(t.fakeStripe.paymentIntent(res.body.paymentIntentId)).toMatchObject({
      amount: res.body.totalCents,
      metadata: { orderId: res.body.id },
    });
  });

  it('carries the request correlation id into the Stripe PaymentIntent metadata and the outbox', async () => {
    const itemId = await createItem(t);
    const res = await t
      .http()
      .post('/v1/orders')
      .set(bearer(alice))
      .set('Idempotency-Key', randomUUID())
      .set('X-Correlation-Id', 'trace-order-123456')
      .send({ items: [{ itemId, quantity: 1 }], shippingAddress: ADDRESS })
      .expect(201);
    expect(t.fakeStripe.paymentIntent(res.body.paymentIntentId)?.metadata).toMatchObject({
      orderId: res.body.id,
      correlationId: 'trace-order-123456',
    });
    const rows = await t.db.query(`SELECT correlation_id FROM outbox WHERE aggregate_id = $1`, [res.body.id]);
    expect(rows).toEqual([{ correlation_id: 'trace-order-123456' }]);
    const history = await t.db.query(`SELECT correlation_id FROM order_history WHERE order_id = $1`, [
      res.body.id,
    ]);
    expect(history).toEqual([{ correlation_id: 'trace-order-123456' }]);
  });

  it('ignores client-sent prices, statuses and totals (rejects unknown fields)', async () => {
    const a = await createItem(t);
    const res = await t
      .http()
      .post('/v1/orders')
      .set(bearer(alice))
      .set('Idempotency-Key', randomUUID())
      .send({
        items: [{ itemId: a, quantity: 1, unitPriceCents: 1 }],
        shippingAddress: ADDRESS,
        totalCents: 1,
        status: 'PAID',
      })
      .expect(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['totalCents', 'status', 'items.0.unitPriceCents']),
    );
  });

  it('needs an Idempotency-Key', async () => {
    const a = await createItem(t);
    const res = await t
      .http()
      .post('/v1/orders')
      .set(bearer(alice))
      .send({ items: [{ itemId: a, quantity: 1 }], shippingAddress: ADDRESS })
      .expect(400);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
  });

  it('answers 409 INSUFFICIENT_STOCK and 422 for an unknown item, writing nothing (rollback)', async () => {
    const plenty = await createItem(t, { stock: 10 });
    const scarce = await createItem(t, { stock: 1 });
    const ordersBefore = await count(`SELECT count(*) n FROM orders`);
    const outboxBefore = await count(`SELECT count(*) n FROM outbox`);
    const short = await placeOrder(t, alice, [
      { itemId: plenty, quantity: 4 },
      { itemId: scarce, quantity: 2 },
    ]).expect(409);
    expect(short.body.code).toBe('INSUFFICIENT_STOCK');
    const unknown = await placeOrder(t, alice, [{ itemId: randomUUID(), quantity: 1 }]).expect(422);
    expect(unknown.body.code).toBe('ORDER_ITEM_NOT_FOUND');
    // The first line's reservation was rolled back with the rest.
    expect(await stockOf(t, plenty)).toBe(10);
    expect(await stockOf(t, scarce)).toBe(1);
    expect(await count(`SELECT count(*) n FROM orders`)).toBe(ordersBefore);
    expect(await count(`SELECT count(*) n FROM outbox`)).toBe(outboxBefore);
  });

  it('sells exactly the stock under 100 concurrent orders (no oversell, no deadlock)', async () => {
    const item = await createItem(t, { stock: 10 });
    const other = await createItem(t, { stock: 1000 });
    const buyers = [alice, bob];
    // Half the orders lock [item, other] and half [other, item] in their request: the server sorts them.
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        placeOrderAnswered(
          t,
          buyers[i % 2],
          i % 2
            ? [
                { itemId: item, quantity: 1 },
                { itemId: other, quantity: 1 },
              ]
            : [
                { itemId: other, quantity: 1 },
                { itemId: item, quantity: 1 },
              ],
        ),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(results.filter((r) => r.status !== 201 && r.status !== 409).map((r) => r.body)).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(90);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'INSUFFICIENT_STOCK')).toBe(
      true,
    );
    expect(await stockOf(t, item)).toBe(0);
    expect(await stockOf(t, other)).toBe(990);
  });

  it('creates one order for 50 concurrent requests with one key; the rest replay or get 409', async () => {
    const item = await createItem(t, { stock: 100 });
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => placeOrder(t, alice, [{ itemId: item, quantity: 1 }], key)),
    );
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(
      results.every(
        (r) => r.status === 201 || (r.status === 409 && r.body.code === 'IDEMPOTENCY_REQUEST_IN_FLIGHT'),
      ),
    ).toBe(true);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    expect(await stockOf(t, item)).toBe(99);
    expect(t.fakeStripe.createdPaymentIntentsFor(created[0].body.id)).toHaveLength(1);
    // After completion every replay returns the stored response, client secret included.
    const replay = await placeOrder(t, alice, [{ itemId: item, quantity: 1 }], key).expect(201);
    expect(replay.body).toEqual(created[0].body);
  });

  it('resumes an order whose PaymentIntent was created but never stored, with the same intent', async () => {
    const itemId = await createItem(t, { stock: 5, priceCents: 1500 });
    const key = randomUUID();
    const body = { items: [{ itemId, quantity: 1 }], shippingAddress: ADDRESS };
    const first = await t
      .http()
      .post('/v1/orders')
      .set(bearer(alice))
      .set('Idempotency-Key', key)
      .set('X-Correlation-Id', 'place-attempt-1')
      .send(body)
      .expect(201);
    // As if Postgres went away right after Stripe created the intent: nothing of it was stored.
    await t.db.query(`DELETE FROM payments WHERE order_id = $1`, [first.body.id]);
    await t.db.query(`UPDATE orders SET payment_intent_id = NULL WHERE id = $1`, [first.body.id]);
    await t.db.query(
      `UPDATE idempotency_keys SET response_status = NULL, response_body = NULL WHERE user_id = $1 AND key = $2`,
      [alice.id, key],
    );
    // The client's retry (a new request, so a new correlation id) resumes the same order and intent: the
    // idempotent Stripe request is the same as the first, so Stripe replays it instead of refusing it.
    const retried = await t
      .http()
      .post('/v1/orders')
      .set(bearer(alice))
      .set('Idempotency-Key', key)
      .set('X-Correlation-Id', 'place-attempt-2')
      .send(body)
      .expect(201);
    expect(retried.body).toMatchObject({ id: first.body.id, paymentIntentId: first.body.paymentIntentId });
    expect(t.fakeStripe.createdPaymentIntentsFor(first.body.id)).toHaveLength(1);
    expect(t.fakeStripe.paymentIntent(first.body.paymentIntentId)?.metadata.correlationId).toBe(
      'place-attempt-1',
    );
    const [order] = await t.db.query<{ status: string }>(`SELECT status FROM orders WHERE id = $1`, [
      first.body.id,
    ]);
    expect(order.status).toBe('PENDING');
  });

  it('refuses the same key with a different body (422)', async () => {
    const item = await createItem(t, { stock: 10 });
    const key = randomUUID();
    await placeOrder(t, alice, [{ itemId: item, quantity: 1 }], key).expect(201);
    const res = await placeOrder(t, alice, [{ itemId: item, quantity: 2 }], key).expect(422);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await stockOf(t, item)).toBe(9);
  });

  it('scopes keys per user: B reusing A’s key gets a new order of B’s, never A’s', async () => {
    const item = await createItem(t, { stock: 10 });
    const key = randomUUID();
    const a = await placeOrder(t, alice, [{ itemId: item, quantity: 1 }], key).expect(201);
    const b = await placeOrder(t, bob, [{ itemId: item, quantity: 1 }], key).expect(201);
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.body.userId).toBe(bob.id);
    expect(b.body.clientSecret).not.toBe(a.body.clientSecret);
    await t.http().get(`/v1/orders/${a.body.id}`).set(bearer(bob)).expect(404);
    const list = await t.http().get('/v1/orders').set(bearer(bob)).expect(200);
    expect(list.body.data.every((o: { userId: string }) => o.userId === bob.id)).toBe(true);
  });

  it('cancels the order and restores stock when Stripe is down, then lets the same key succeed', async () => {
    const item = await createItem(t, { stock: 3 });
    const key = randomUUID();
    t.fakeStripe.setDown(true);
    try {
      const res = await placeOrder(t, alice, [{ itemId: item, quantity: 2 }], key).expect(503);
      expect(res.body.code).toBe('PAYMENT_PROVIDER_UNAVAILABLE');
    } finally {
      t.fakeStripe.setDown(false);
    }
    expect(await stockOf(t, item)).toBe(3);
    const [cancelled] = await t.db.query<{ status: string; id: string }>(
      `SELECT o.id, o.status FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE l.item_id = $1`,
      [item],
    );
    expect(cancelled.status).toBe('CANCELLED');
    const retry = await placeOrder(t, alice, [{ itemId: item, quantity: 2 }], key).expect(201);
    expect(retry.body.id).not.toBe(cancelled.id);
    expect(await stockOf(t, item)).toBe(1);
  });

  it('lists only the caller’s orders; admins see all and filter', async () => {
    const admin = await createUser(t, { role: 'admin' });
    const mine = await t.http().get('/v1/orders?limit=100').set(bearer(alice)).expect(200);
    expect(mine.body.data.length).toBeGreaterThan(0);
    expect(mine.body.data.every((o: { userId: string }) => o.userId === alice.id)).toBe(true);
    const all = await t.http().get('/v1/orders?limit=100').set(bearer(admin)).expect(200);
    expect(all.body.total).toBeGreaterThan(mine.body.total);
    const cancelled = await t.http().get('/v1/orders?status=CANCELLED').set(bearer(admin)).expect(200);
    expect(cancelled.body.data.every((o: { status: string }) => o.status === 'CANCELLED')).toBe(true);
    const ofBob = await t.http().get(`/v1/orders?userId=${bob.id}`).set(bearer(admin)).expect(200);
    expect(ofBob.body.data.every((o: { userId: string }) => o.userId === bob.id)).toBe(true);
    await t.http().get('/v1/orders?status=LOST').set(bearer(admin)).expect(400);
    await t.http().get('/v1/orders?from=yesterday').set(bearer(admin)).expect(400);
  });
});
