import { randomUUID } from 'node:crypto';

import Stripe from 'stripe';

import { OrderReconciler } from '../../../src/modules/orders/jobs/order-reconciler.service';
import {
  createItem,
  placeOrder,
  refundOrder,
  statusOf,
  stockOf,
  waitForStatus,
} from '../../factories/order.factory';
import { bearer, createUser, TestUser } from '../../factories/user.factory';
import { booksOf, expectBooksAgree } from '../../setup/books';
import { startTestApp, TestApp } from '../../setup/test-app';
import { waitFor } from '../../setup/wait-for';

/**
 * The payment ledger against the fake Stripe through the real SDK: every scenario ends with Dispatch's books
 * (order, payment and refund rows) equal to what Stripe recorded.
 */
describe('payment ledger: Dispatch’s books mirror Stripe’s', () => {
  let t: TestApp;
  let customer: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ RECONCILER_REFUND_CHECK_SECONDS: '1' });
    customer = await createUser(t);
    admin = await createUser(t, { role: 'admin' });
  });
  afterAll(() => t.close());
  afterEach(() => {
    t.fakeStripe.clearFaults();
    t.fakeStripe.holdRefunds(false);
  });

  async function processedOrder(priceCents = 1000, quantity = 1) {
    const itemId = await createItem(t, { stock: 100, priceCents });
    const placed = await placeOrder(t, customer, [{ itemId, quantity }]).expect(201);
    await t.fakeStripe.succeedPayment(placed.body.paymentIntentId);
    await waitForStatus(t, placed.body.id, 'PROCESSED');
    return { id: placed.body.id as string, paymentIntentId: placed.body.paymentIntentId as string, itemId };
  }

  const jobRun = async (orderId: string, name: string) =>
    (
      await t.db.query<{ state: string; attempts: number }>(
        `SELECT state, attempts FROM job_runs WHERE aggregate_id = $1 AND name = $2 ORDER BY created_at DESC`,
        [orderId, name],
      )
    )[0];

  const alertsAbout = (needle: string) =>
    t
      .http()
      .get(`/v1/dev/mailbox`)
      .set(bearer(admin))
      .expect(200)
      .then((res) =>
        (res.body.data as { headers: Record<string, string>; text: string }[]).filter(
          (m) => m.headers['x-dispatch-kind'] === 'ADMIN_ALERT' && m.text.includes(needle),
        ),
      );

  describe('a refund that fails for good (issue 10, case 1)', () => {
    it('marks that refund failed and leaves the order and its other money untouched', async () => {
      const order = await processedOrder(1000);
      // Stripe answers 5xx to the refund for as long as the job's retries last (5 attempts), then recovers.
      t.fakeStripe.injectFaults({ status5xx: 5, match: { method: 'POST', path: '^/v1/refunds$' } });
      const asked = await refundOrder(t, admin, order.id, { amountCents: 100, reason: 'scratched' }).expect(
        202,
      );
      await waitFor(async () => (await jobRun(order.id, 'REFUND'))?.state === 'failed', {
        what: 'the REFUND job to fail for good',
      });
      const [refund] = await t.db.query<{ status: string; amount_cents: number }>(
        `SELECT status, amount_cents FROM refunds WHERE id = $1`,
        [asked.body.refundId],
      );
      expect(refund).toEqual({ status: 'failed', amount_cents: 100 });
      // Never a cancellation, never a larger refund: no compensation job, nothing refunded at Stripe.
      expect(
        await t.db.query(`SELECT 1 FROM outbox WHERE aggregate_id = $1 AND type = 'ORDER_COMPENSATE'`, [
          order.id,
        ]),
      ).toHaveLength(0);
      expect(await statusOf(t, order.id)).toBe('PROCESSED');
      expect(t.fakeStripe.refundsFor(order.paymentIntentId)).toHaveLength(0);
      expect(await stockOf(t, order.itemId)).toBe(99);
      await waitFor(async () => (await alertsAbout(order.id)).length > 0, { what: 'an admin alert' });
      await expectBooksAgree(t, order.id);

      // Stripe is back: the reconciler asks it about the given-up refund once; Stripe has none, so it stays
      // failed, and the admin's next request goes through.
      t.fakeStripe.clearFaults();
      // (the app's scheduled round may be the one that asks: rounds take turns; the sync job shows it was asked)
      const report = await t.app.get(OrderReconciler).reconcile();
      expect(report.refundChecks).toBeLessThanOrEqual(1);
      await waitFor(async () => (await jobRun(order.id, 'SYNC_PAYMENT'))?.state === 'completed', {
        what: 'the ledger sync',
      });
      expect((await booksOf(t, order.id)).ledger.refunds.map((r) => r.status)).toEqual(['failed']);
      expect((await t.app.get(OrderReconciler).reconcile()).refundChecks).toBe(0);
      await refundOrder(t, admin, order.id, { amountCents: 100, reason: 'scratched, again' }).expect(202);
      await waitFor(async () => (await booksOf(t, order.id)).order.refundedCents === 100);
      const books = await expectBooksAgree(t, order.id);
      expect(books.stripe.refunds.map((r) => r.amount)).toEqual([100]);
      expect(books.order.status).toBe('PROCESSED');
    });

    it('books a refund Stripe made although Dispatch gave up on it (answers lost after the effect)', async () => {
      const order = await processedOrder(1000);
      t.fakeStripe.injectFaults({
        status5xx: 1000,
        afterEffect: true,
        match: { method: 'POST', path: '^/v1/refunds$' },
      });
      // Webhooks are lost too, so only the reconciler's question can find out.
      t.fakeStripe.configureWebhook(null);
      try {
        const asked = await refundOrder(t, admin, order.id, { amountCents: 250, reason: 'dent' }).expect(202);
        await waitFor(async () => (await jobRun(order.id, 'REFUND'))?.state === 'failed', {
          what: 'the REFUND job to give up',
        });
        // Stripe did refund, once (every retry used the refund's own idempotency key).
        expect(t.fakeStripe.refundsFor(order.paymentIntentId).map((r) => r.amount)).toEqual([250]);
        expect((await booksOf(t, order.id)).ledger.refunds).toEqual([
          expect.objectContaining({ status: 'failed', stripeRefundId: null }),
        ]);
        t.fakeStripe.clearFaults();
        await t.app.get(OrderReconciler).reconcile();
        await waitFor(async () => (await booksOf(t, order.id)).order.refundedCents === 250, {
          what: 'the given-up refund to be booked from Stripe',
        });
        const [refund] = await t.db.query<{ status: string; stripe_refund_id: string }>(
          `SELECT status, stripe_refund_id FROM refunds WHERE id = $1`,
          [asked.body.refundId],
        );
        expect(refund.status).toBe('succeeded');
        await expectBooksAgree(t, order.id);
      } finally {
        t.fakeStripe.configureWebhook({
          url: `${(await t.app.getUrl()).replace('[::1]', '127.0.0.1')}/v1/payments/webhook`,
          secret: t.config.stripe.webhookSecret,
        });
      }
    });
  });

  describe('payment events that are not the order’s own (issue 10, case 2)', () => {
    const sdk = () =>
      new Stripe(t.config.stripe.secretKey, { ...t.fakeStripe.sdkOptions(), maxNetworkRetries: 0 });

    const signedEvent = async (type: string, object: Record<string, unknown>) => {
      const payload = JSON.stringify({
        id: `evt_test_${randomUUID().replace(/-/g, '')}`,
        object: 'event',
        type,
        created: Math.floor(Date.now() / 1000),
        data: { object },
      });
      return t
        .http()
        .post('/v1/payments/webhook')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', t.fakeStripe.signPayload(payload))
        .send(payload)
        .expect(200);
    };

    it('does not pay an order with another PaymentIntent that names it in its metadata', async () => {
      const itemId = await createItem(t, { stock: 10, priceCents: 5000 });
      const placed = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
      // A different, real PaymentIntent at Stripe, for less, claiming the order.
      const foreign = await sdk().paymentIntents.create({
        amount: 50,
        currency: 'eur',
        metadata: { orderId: placed.body.id },
      });
      await t.fakeStripe.succeedPayment(foreign.id);
      await t.fakeStripe.idle();
      expect(await statusOf(t, placed.body.id)).toBe('PENDING');
      const unmatched = await t.http().get('/v1/ops/unmatched-payments').set(bearer(admin)).expect(200);
      expect(unmatched.body.data).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            eventType: 'payment_intent.succeeded',
            paymentIntentId: foreign.id,
            claimedOrderId: placed.body.id,
            amountCents: 50,
            reason: 'foreign_payment_intent',
          }),
        ]),
      );
      await waitFor(async () => (await alertsAbout(foreign.id)).length === 1, { what: 'one admin alert' });
      await t.http().get('/v1/ops/unmatched-payments').set(bearer(customer)).expect(403);
      // The order's own payment still pays it.
      await t.fakeStripe.succeedPayment(placed.body.paymentIntentId);
      await waitForStatus(t, placed.body.id, 'PROCESSED');
      await expectBooksAgree(t, placed.body.id);
    });

    it('refuses the order’s own PaymentIntent id with another amount or currency', async () => {
      const itemId = await createItem(t, { stock: 10, priceCents: 5000 });
      const placed = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
      const intent = (amount: number, currency: string) => ({
        id: placed.body.paymentIntentId,
        object: 'payment_intent',
        amount,
        amount_received: amount,
        currency,
        status: 'succeeded',
        metadata: { orderId: placed.body.id },
      });
      expect((await signedEvent('payment_intent.succeeded', intent(1, 'eur'))).body.outcome).toBe(
        'unmatched',
      );
      expect((await signedEvent('payment_intent.succeeded', intent(5000, 'usd'))).body.outcome).toBe(
        'unmatched',
      );
      expect(await statusOf(t, placed.body.id)).toBe('PENDING');
      const reasons = await t.db.query<{ reason: string }>(
        `SELECT reason FROM unmatched_payments WHERE payment_intent_id = $1 ORDER BY created_at`,
        [placed.body.paymentIntentId],
      );
      expect(reasons.map((r) => r.reason)).toEqual(['amount_mismatch', 'currency_mismatch']);
      expect((await booksOf(t, placed.body.id)).ledger.capturedCents).toBe(0);
    });

    it('records an event for a PaymentIntent no order has', async () => {
      const res = await signedEvent('payment_intent.succeeded', {
        id: 'pi_unknown_1',
        object: 'payment_intent',
        amount: 700,
        amount_received: 700,
        currency: 'eur',
        status: 'succeeded',
        metadata: {},
      });
      expect(res.body.outcome).toBe('unmatched');
      const [row] = await t.db.query(
        `SELECT reason FROM unmatched_payments WHERE payment_intent_id = 'pi_unknown_1'`,
      );
      expect(row).toEqual({ reason: 'unknown_payment_intent' });
    });
  });

  describe('refunds made outside Dispatch (issue 10, case 3)', () => {
    it('books a dashboard refund, and the next admin refund takes only what is left', async () => {
      const order = await processedOrder(1000);
      await t.fakeStripe.refundInDashboard(order.paymentIntentId, 600);
      await waitFor(async () => (await booksOf(t, order.id)).order.refundedCents === 600, {
        what: 'the dashboard refund to be booked',
      });
      const books = await expectBooksAgree(t, order.id);
      expect(books.ledger.refunds).toEqual([
        expect.objectContaining({ amountCents: 600, status: 'succeeded', purpose: 'external' }),
      ]);
      expect(books.order.status).toBe('PROCESSED');

      // Asking for more than is left is refused before Stripe is asked; the rest goes through.
      const tooMuch = await refundOrder(t, admin, order.id, { amountCents: 401, reason: 'x' }).expect(422);
      expect(tooMuch.body).toMatchObject({ code: 'REFUND_EXCEEDS_CAPTURED', details: { refundable: 400 } });
      const rest = await refundOrder(t, admin, order.id, { reason: 'the rest' }).expect(202);
      expect(rest.body.amountCents).toBe(400);
      await waitForStatus(t, order.id, 'REFUNDED');
      const final = await expectBooksAgree(t, order.id);
      expect(final.stripe.refunds.map((r) => r.amount).sort()).toEqual([400, 600]);
      expect(
        await t.db.query(`SELECT 1 FROM job_runs WHERE aggregate_id = $1 AND state = 'failed'`, [order.id]),
      ).toEqual([]);
    });

    it('refunds an order in full from the dashboard: REFUNDED, and an admin refund is then a 409', async () => {
      const order = await processedOrder(1500);
      await t.fakeStripe.refundInDashboard(order.paymentIntentId);
      await waitForStatus(t, order.id, 'REFUNDED');
      await expectBooksAgree(t, order.id);
      await refundOrder(t, admin, order.id, { reason: 'again' }).expect(409);
    });

    it('books a dashboard refund announced only by charge.refunded (asks Stripe for the refunds)', async () => {
      const order = await processedOrder(1000);
      t.fakeStripe.configureWebhook(null);
      const refund = await t.fakeStripe.refundInDashboard(order.paymentIntentId, 300);
      t.fakeStripe.configureWebhook({
        url: `${(await t.app.getUrl()).replace('[::1]', '127.0.0.1')}/v1/payments/webhook`,
        secret: t.config.stripe.webhookSecret,
      });
      const chargeRefunded = t.fakeStripe
        .events()
        .find(
          (e) =>
            e.type === 'charge.refunded' &&
            (e.data.object as { payment_intent: string }).payment_intent === order.paymentIntentId,
        )!;
      await t.fakeStripe.redeliver(chargeRefunded.id);
      await waitFor(async () => (await booksOf(t, order.id)).order.refundedCents === 300, {
        what: 'the ledger sync to book the refund',
      });
      const books = await expectBooksAgree(t, order.id);
      expect(books.ledger.refunds).toEqual([expect.objectContaining({ stripeRefundId: refund.id })]);
    });

    it('keeps pending refunds pending until Stripe settles them, then follows Stripe', async () => {
      const order = await processedOrder(1000);
      t.fakeStripe.holdRefunds(true);
      const first = await refundOrder(t, admin, order.id, { amountCents: 700, reason: 'first' }).expect(202);
      await waitFor(async () => (await booksOf(t, order.id)).ledger.refunds[0]?.status === 'pending', {
        what: 'the refund to be pending',
      });
      await expectBooksAgree(t, order.id);
      // Pending money is reserved: only 300 is left to refund.
      await refundOrder(t, admin, order.id, { amountCents: 301, reason: 'too much' }).expect(422);
      const second = await refundOrder(t, admin, order.id, { amountCents: 300, reason: 'second' }).expect(
        202,
      );
      await waitFor(async () =>
        (await booksOf(t, order.id)).ledger.refunds.every((r) => r.status === 'pending'),
      );

      const [firstStripe, secondStripe] = t.fakeStripe.refundsFor(order.paymentIntentId);
      await t.fakeStripe.settleRefund(firstStripe.id, 'failed', 'expired_or_canceled_card');
      await t.fakeStripe.settleRefund(secondStripe.id, 'succeeded');
      await waitFor(async () => {
        const rows = await t.db.query<{ id: string; status: string; failure_reason: string | null }>(
          `SELECT id, status, failure_reason FROM refunds WHERE order_id = $1 ORDER BY seq`,
          [order.id],
        );
        return rows[0]?.status === 'failed' && rows[1]?.status === 'succeeded' ? rows : undefined;
      });
      const [failed] = await t.db.query<{ failure_reason: string }>(
        `SELECT failure_reason FROM refunds WHERE id = $1`,
        [first.body.refundId],
      );
      expect(failed.failure_reason).toBe('expired_or_canceled_card');
      expect(second.body.refundId).not.toBe(first.body.refundId);
      const books = await expectBooksAgree(t, order.id);
      expect(books.order).toMatchObject({ status: 'PROCESSED', refundedCents: 300 });
      // The failed 700 is refundable again.
      await refundOrder(t, admin, order.id, { reason: 'retry the rest' }).expect(202);
      await waitFor(async () => (await booksOf(t, order.id)).ledger.refunds.length === 3);
      t.fakeStripe.holdRefunds(false);
      // The refund row is written before its job asks Stripe: wait for Stripe's third refund itself.
      const third = await waitFor(async () => t.fakeStripe.refundsFor(order.paymentIntentId)[2], {
        what: "Stripe's third refund",
      });
      await t.fakeStripe.settleRefund(third.id, 'succeeded');
      await waitForStatus(t, order.id, 'REFUNDED');
      await expectBooksAgree(t, order.id);
    });

    it('asks Stripe about a refund still pending after a while when its webhooks were lost', async () => {
      const order = await processedOrder(1000);
      t.fakeStripe.holdRefunds(true);
      await refundOrder(t, admin, order.id, { reason: 'all' }).expect(202);
      await waitFor(async () => (await booksOf(t, order.id)).ledger.refunds[0]?.status === 'pending');
      t.fakeStripe.configureWebhook(null);
      try {
        const [refund] = t.fakeStripe.refundsFor(order.paymentIntentId);
        await t.fakeStripe.settleRefund(refund.id, 'succeeded');
        await t.db.query(`UPDATE refunds SET updated_at = now() - interval '1 hour' WHERE order_id = $1`, [
          order.id,
        ]);
        // The app's own scheduled round may get there first (rounds take turns): either way one round asks
        // Stripe, and with the webhooks gone only that can book the refund.
        const round = await t.app.get(OrderReconciler).reconcile();
        expect(round.refundChecks).toBeLessThanOrEqual(1);
        await waitForStatus(t, order.id, 'REFUNDED');
        await expectBooksAgree(t, order.id);
      } finally {
        t.fakeStripe.configureWebhook({
          url: `${(await t.app.getUrl()).replace('[::1]', '127.0.0.1')}/v1/payments/webhook`,
          secret: t.config.stripe.webhookSecret,
        });
      }
    });

    it('never moves a refund backwards on a stale or replayed event', async () => {
      const order = await processedOrder(1000);
      await refundOrder(t, admin, order.id, { amountCents: 200, reason: 'x' }).expect(202);
      await waitFor(async () => (await booksOf(t, order.id)).order.refundedCents === 200);
      const [refund] = t.fakeStripe.refundsFor(order.paymentIntentId);
      const stale = JSON.stringify({
        id: `evt_stale_${randomUUID().replace(/-/g, '')}`,
        object: 'event',
        type: 'refund.updated',
        created: Math.floor(Date.now() / 1000) - 60,
        data: { object: { ...refund, status: 'pending' } },
      });
      const res = await t
        .http()
        .post('/v1/payments/webhook')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', t.fakeStripe.signPayload(stale))
        .send(stale)
        .expect(200);
      expect(res.body.outcome).toBe('stale');
      const created = t.fakeStripe
        .events()
        .find((e) => e.type === 'refund.created' && (e.data.object as { id: string }).id === refund.id)!;
      await t.fakeStripe.redeliver(created.id, { times: 3, concurrent: true });
      await t.fakeStripe.idle();
      const books = await expectBooksAgree(t, order.id);
      expect(books.ledger.refunds).toEqual([
        expect.objectContaining({ status: 'succeeded', amountCents: 200 }),
      ]);
    });
  });

  describe('idempotent admin money routes (issue 10, case 5)', () => {
    it('answers a retried refund with the first answer and refunds once', async () => {
      const order = await processedOrder(1000);
      const key = randomUUID();
      const first = await refundOrder(
        t,
        admin,
        order.id,
        { amountCents: 300, reason: 'lost answer' },
        key,
      ).expect(202);
      const retried = await refundOrder(
        t,
        admin,
        order.id,
        { amountCents: 300, reason: 'lost answer' },
        key,
      ).expect(202);
      expect(retried.body).toEqual(first.body);
      const reused = await refundOrder(
        t,
        admin,
        order.id,
        { amountCents: 301, reason: 'lost answer' },
        key,
      ).expect(422);
      expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      // Another admin may use the same key: keys are scoped per admin.
      const other = await createUser(t, { role: 'admin' });
      await refundOrder(t, other, order.id, { amountCents: 100, reason: 'mine' }, key).expect(202);
      await waitFor(async () => (await booksOf(t, order.id)).order.refundedCents === 400);
      const books = await expectBooksAgree(t, order.id);
      expect(books.stripe.refunds.map((r) => r.amount).sort()).toEqual([100, 300]);
    });

    it('creates one refund when the same request is sent 10 times at once', async () => {
      const order = await processedOrder(1000);
      const key = randomUUID();
      const answers = await Promise.all(
        Array.from({ length: 10 }, () =>
          refundOrder(t, admin, order.id, { amountCents: 250, reason: 'dup' }, key),
        ),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.every((s) => s === 202 || s === 409)).toBe(true);
      const accepted = answers.filter((a) => a.status === 202);
      expect(new Set(accepted.map((a) => a.body.refundId)).size).toBe(1);
      expect(
        answers.filter((a) => a.status === 409).every((a) => a.body.code === 'IDEMPOTENCY_REQUEST_IN_FLIGHT'),
      ).toBe(true);
      await waitFor(async () => (await booksOf(t, order.id)).order.refundedCents === 250);
      const books = await expectBooksAgree(t, order.id);
      expect(books.stripe.refunds.map((r) => r.amount)).toEqual([250]);
    });

    it('requires the key on cancel and refund, and replays a cancellation', async () => {
      const order = await processedOrder(1000);
      const missing = await t
        .http()
        .patch(`/v1/orders/${order.id}/refund`)
        .set(bearer(admin))
        .send({ reason: 'no key' })
        .expect(400);
      expect(missing.body.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
      await t
        .http()
        .patch(`/v1/orders/${order.id}/cancel`)
        .set(bearer(admin))
        .send({ reason: 'no key' })
        .expect(400);
      const key = randomUUID();
      const cancel = () =>
        t
          .http()
          .patch(`/v1/orders/${order.id}/cancel`)
          .set(bearer(admin))
          .set('Idempotency-Key', key)
          .send({ reason: 'out of stock' });
      const first = await cancel().expect(202);
      await waitForStatus(t, order.id, 'CANCELLED');
      const again = await cancel().expect(202);
      expect(again.body).toEqual(first.body);
      const books = await expectBooksAgree(t, order.id);
      expect(books.stripe.refunds.map((r) => r.amount)).toEqual([1000]);
      expect(await stockOf(t, order.itemId)).toBe(100);
    });
  });

  describe('totals Stripe can charge (issue 10, case 7)', () => {
    const ordersCount = async () =>
      Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM orders`))[0].n);

    it.each([
      [0, 'EUR', 'ORDER_TOTAL_TOO_SMALL'],
      [49, 'EUR', 'ORDER_TOTAL_TOO_SMALL'],
      [29, 'GBP', 'ORDER_TOTAL_TOO_SMALL'],
      [5000, 'XAF', 'CURRENCY_NOT_SUPPORTED'],
    ])(
      'refuses a total of %d %s with 422 %s before anything is written',
      async (priceCents, currency, code) => {
        const itemId = await createItem(t, { stock: 5, priceCents, currency });
        const before = { orders: await ordersCount(), intents: t.fakeStripe.paymentIntents().length };
        const res = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(422);
        expect(res.body.code).toBe(code);
        expect(await ordersCount()).toBe(before.orders);
        expect(t.fakeStripe.paymentIntents()).toHaveLength(before.intents);
        expect(await stockOf(t, itemId)).toBe(5);
      },
    );

    it('accepts the minimum itself, and a free item in an order whose total is chargeable', async () => {
      const min = await createItem(t, { stock: 5, priceCents: 50 });
      await placeOrder(t, customer, [{ itemId: min, quantity: 1 }]).expect(201);
      const free = await createItem(t, { stock: 5, priceCents: 0 });
      const paid = await createItem(t, { stock: 5, priceCents: 100 });
      const res = await placeOrder(t, customer, [
        { itemId: free, quantity: 1 },
        { itemId: paid, quantity: 1 },
      ]).expect(201);
      expect(res.body.totalCents).toBe(100);
    });
  });
});
