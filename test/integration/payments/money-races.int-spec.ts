import { randomUUID } from 'node:crypto';

import {
  cancelOrder,
  createItem,
  placeOrder,
  refundOrder,
  stockOf,
  waitForStatus,
} from '../../factories/order.factory';
import { createUser, TestUser } from '../../factories/user.factory';
import { booksOf, expectBooksAgree } from '../../setup/books';
import { startTestApp, TestApp } from '../../setup/test-app';
import { waitFor } from '../../setup/wait-for';

const ROUNDS = 8;

/**
 * Issue 10, case 4: requests that race for the same money, run concurrently many times. Each reserves against
 * the ledger under the order's row lock, so Stripe is never asked for more than it captured, no job fails, and
 * the books end equal to Stripe's.
 */
describe('money races: never more than captured, whatever runs at once', () => {
  let t: TestApp;
  let customer: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ ORDERS_CONCURRENCY: '8' });
    customer = await createUser(t);
    admin = await createUser(t, { role: 'admin' });
  });
  afterAll(() => t.close());

  const settled = async (orderId: string) => {
    await waitFor(
      async () => {
        const rows = await t.db.query(
          // EXPIRE waits (delayed) for the payment window to close: it is not work in progress.
          `SELECT 1 FROM job_runs WHERE aggregate_id = $1 AND state IN ('queued', 'active', 'retrying')
              AND name <> 'EXPIRE'`,
          [orderId],
        );
        const open = await t.db.query(
          `SELECT 1 FROM refunds WHERE order_id = $1 AND status IN ('requested', 'pending')`,
          [orderId],
        );
        const unsent = await t.db.query(`SELECT 1 FROM outbox WHERE aggregate_id = $1 AND sent_at IS NULL`, [
          orderId,
        ]);
        return rows.length === 0 && open.length === 0 && unsent.length === 0;
      },
      { what: `order ${orderId}'s work to finish`, timeoutMs: 30_000 },
    );
    await t.fakeStripe.idle();
  };

  const failedJobs = async (orderId: string) =>
    t.db.query<{ name: string; last_error: string }>(
      `SELECT name, last_error FROM job_runs WHERE aggregate_id = $1 AND state = 'failed'`,
      [orderId],
    );

  async function paidOrder(priceCents: number, status: 'PAID' | 'PROCESSED' = 'PROCESSED') {
    const itemId = await createItem(t, { stock: 10, priceCents });
    const placed = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
    await t.fakeStripe.succeedPayment(placed.body.paymentIntentId);
    // The worker may process it before we look: a PAID round accepts PROCESSED too (both can be cancelled).
    if (status === 'PROCESSED') await waitForStatus(t, placed.body.id, status);
    else
      await waitFor(
        async () => ['PAID', 'PROCESSED'].includes((await booksOf(t, placed.body.id)).order.status),
        {
          what: `order ${placed.body.id} to be paid`,
        },
      );
    return { id: placed.body.id as string, paymentIntentId: placed.body.paymentIntentId as string, itemId };
  }

  it('refunds a payment that lands while the order is being cancelled exactly once', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const itemId = await createItem(t, { stock: 3, priceCents: 1200 });
      const placed = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
      const orderId = placed.body.id as string;
      // The admin cancels while the customer pays: the webhook and the CANCEL job both learn of the payment.
      const [cancelled] = await Promise.all([
        cancelOrder(t, admin, orderId, 'race'),
        t.fakeStripe.succeedPayment(placed.body.paymentIntentId).catch(() => undefined),
      ]);
      expect([200, 202, 409]).toContain(cancelled.status);
      await waitFor(async () => {
        const books = await booksOf(t, orderId);
        return books.order.status === 'CANCELLED' || undefined;
      });
      await settled(orderId);
      const books = await expectBooksAgree(t, orderId);
      const paid = t.fakeStripe.paymentIntent(placed.body.paymentIntentId)?.status === 'succeeded';
      // Paid: refunded in full, once. Not paid: nothing to refund.
      expect(books.stripe.refunds.map((r) => r.amount)).toEqual(paid ? [1200] : []);
      expect(books.order.status).toBe('CANCELLED');
      expect(await failedJobs(orderId)).toEqual([]);
      expect(await stockOf(t, itemId)).toBe(3);
    }
  });

  it('a cancel and a full refund sent together refund the captured amount once', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const order = await paidOrder(2000, round % 2 ? 'PAID' : 'PROCESSED');
      const [cancel, refund] = await Promise.all([
        cancelOrder(t, admin, order.id, 'race'),
        refundOrder(t, admin, order.id, { reason: 'race' }),
      ]);
      // One of them reserves everything; the other is refused (nothing left, or a cancellation under way).
      expect([cancel.status, refund.status].filter((s) => s === 202)).toHaveLength(1);
      for (const loser of [cancel, refund].filter((a) => a.status !== 202))
        expect([
          'ORDER_REFUND_IN_PROGRESS',
          'ORDER_CANCELLATION_PENDING',
          'REFUND_EXCEEDS_CAPTURED',
        ]).toContain(loser.body.code);
      await settled(order.id);
      const books = await expectBooksAgree(t, order.id);
      expect(books.stripe.refunds.map((r) => r.amount)).toEqual([2000]);
      expect(books.order.status).toBe(cancel.status === 202 ? 'CANCELLED' : 'REFUNDED');
      expect(await failedJobs(order.id)).toEqual([]);
    }
  });

  it('concurrent partial refunds never add up to more than captured', async () => {
    for (let round = 0; round < ROUNDS / 2; round++) {
      const order = await paidOrder(1000);
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          refundOrder(t, admin, order.id, { amountCents: 300, reason: 'race' }),
        ),
      );
      const accepted = answers.filter((a) => a.status === 202);
      expect(accepted).toHaveLength(3);
      expect(
        answers.filter((a) => a.status === 422).every((a) => a.body.code === 'REFUND_EXCEEDS_CAPTURED'),
      ).toBe(true);
      await settled(order.id);
      const books = await expectBooksAgree(t, order.id);
      expect(books.stripe.refunds.map((r) => r.amount)).toEqual([300, 300, 300]);
      expect(books.order).toMatchObject({ status: 'PROCESSED', refundedCents: 900 });
      expect(await failedJobs(order.id)).toEqual([]);
    }
  });

  it('a dashboard refund racing an admin refund: Stripe refunds once, the books follow Stripe', async () => {
    for (let round = 0; round < ROUNDS / 2; round++) {
      const order = await paidOrder(1000);
      await Promise.all([
        refundOrder(t, admin, order.id, { reason: 'everything' }, randomUUID()),
        t.fakeStripe.refundInDashboard(order.paymentIntentId, 1000).catch(() => undefined),
      ]);
      await settled(order.id);
      const books = await expectBooksAgree(t, order.id);
      // Whoever came first took the money; Stripe refunded the captured amount exactly once. Dispatch's own
      // request, if second, is withdrawn (the ledger saw the dashboard refund first) or failed (Stripe refused).
      expect(books.stripe.refunds.filter((r) => r.status === 'succeeded').map((r) => r.amount)).toEqual([
        1000,
      ]);
      expect(books.order.status).toBe('REFUNDED');
      const ours = books.ledger.refunds.filter((r) => r.purpose === 'refund');
      expect(ours.every((r) => ['succeeded', 'canceled', 'failed'].includes(r.status))).toBe(true);
    }
  });
});
