import { TestApp } from './test-app';
import { waitFor } from './wait-for';

export interface Books {
  order: { status: string; totalCents: number; refundedCents: number };
  ledger: {
    capturedCents: number;
    refunds: { stripeRefundId: string | null; amountCents: number; status: string; purpose: string }[];
  };
  stripe: {
    amountReceived: number;
    refunds: { id: string; amount: number; status: string }[];
  };
}

/** Dispatch's books of one order (order row and ledger) next to what the fake Stripe recorded for its intent. */
export async function booksOf(t: TestApp, orderId: string): Promise<Books> {
  const [order] = await t.db.query<{ status: string; total_cents: number; refunded_cents: number }>(
    `SELECT status, total_cents, refunded_cents FROM orders WHERE id = $1`,
    [orderId],
  );
  const [payment] = await t.db.query<{ payment_intent_id: string; captured_cents: number }>(
    `SELECT payment_intent_id, captured_cents FROM payments WHERE order_id = $1`,
    [orderId],
  );
  const refunds = await t.db.query<{
    stripe_refund_id: string | null;
    amount_cents: number;
    status: string;
    purpose: string;
  }>(`SELECT stripe_refund_id, amount_cents, status, purpose FROM refunds WHERE order_id = $1 ORDER BY seq`, [
    orderId,
  ]);
  const intent = payment ? t.fakeStripe.paymentIntent(payment.payment_intent_id) : undefined;
  return {
    order: { status: order.status, totalCents: order.total_cents, refundedCents: order.refunded_cents },
    ledger: {
      capturedCents: payment?.captured_cents ?? 0,
      refunds: refunds.map((r) => ({
        stripeRefundId: r.stripe_refund_id,
        amountCents: r.amount_cents,
        status: r.status,
        purpose: r.purpose,
      })),
    },
    stripe: {
      amountReceived: intent?.amount_received ?? 0,
      refunds: payment
        ? t.fakeStripe
            .refundsFor(payment.payment_intent_id)
            .map((r) => ({ id: r.id, amount: r.amount, status: r.status }))
        : [],
    },
  };
}

const sum = (amounts: number[]) => amounts.reduce((a, b) => a + b, 0);

/** Every way Dispatch's books and Stripe's can disagree for this order (empty when they agree). */
export function disagreements(books: Books): string[] {
  const problems: string[] = [];
  const ledgerRefunded = sum(
    books.ledger.refunds.filter((r) => r.status === 'succeeded').map((r) => r.amountCents),
  );
  const stripeRefunded = sum(
    books.stripe.refunds.filter((r) => r.status === 'succeeded').map((r) => r.amount),
  );
  const ledgerPending = sum(
    books.ledger.refunds.filter((r) => r.status === 'pending').map((r) => r.amountCents),
  );
  const stripePending = sum(books.stripe.refunds.filter((r) => r.status === 'pending').map((r) => r.amount));
  if (books.ledger.capturedCents !== books.stripe.amountReceived)
    problems.push(`captured ${books.ledger.capturedCents} ≠ Stripe's ${books.stripe.amountReceived}`);
  if (ledgerRefunded !== stripeRefunded)
    problems.push(`refunded ${ledgerRefunded} ≠ Stripe's ${stripeRefunded}`);
  if (ledgerPending !== stripePending) problems.push(`pending ${ledgerPending} ≠ Stripe's ${stripePending}`);
  if (books.order.refundedCents !== ledgerRefunded)
    problems.push(`order says refunded ${books.order.refundedCents}, ledger ${ledgerRefunded}`);
  for (const refund of books.stripe.refunds) {
    const mine = books.ledger.refunds.find((r) => r.stripeRefundId === refund.id);
    if (!mine) problems.push(`Stripe refund ${refund.id} (${refund.amount}) is not booked`);
    else if (mine.status !== refund.status || mine.amountCents !== refund.amount)
      problems.push(
        `refund ${refund.id}: ours ${mine.status}/${mine.amountCents}, Stripe's ${refund.status}/${refund.amount}`,
      );
  }
  if (stripeRefunded > books.stripe.amountReceived) problems.push('Stripe refunded more than it captured');
  return problems;
}

/** Waits until the books agree (webhooks and jobs are asynchronous) and returns them; fails listing why not. */
export async function expectBooksAgree(t: TestApp, orderId: string, timeoutMs = 60_000): Promise<Books> {
  let last: Books | undefined;
  try {
    return await waitFor(
      async () => {
        last = await booksOf(t, orderId);
        return disagreements(last).length === 0 ? last : undefined;
      },
      { timeoutMs, what: `the books of order ${orderId} to agree with Stripe's` },
    );
  } catch {
    throw new Error(
      `books of order ${orderId} disagree with Stripe's: ${disagreements(last!).join('; ')}\n${JSON.stringify(last, null, 2)}`,
    );
  }
}
