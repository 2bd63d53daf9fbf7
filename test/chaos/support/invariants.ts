import { outboxJobProblems, readOutboxJobs } from '../../setup/outbox-jobs';
import { queryOnce } from '../../setup/test-resources';
import { ChaosWorld } from './chaos-world';
import { Intent } from './shoppers';

export interface Check {
  invariant: string;
  ok: boolean;
  detail: string;
}

interface OrderRow {
  id: string;
  status: string;
  stock_released: boolean;
  payment_intent_id: string | null;
}

/** The state an order must end in, given what its customer and the admin did. */
export function expectedStatus(intent: Intent): string {
  if (!intent.pay) return 'CANCELLED';
  return intent.refundAccepted ? 'REFUNDED' : 'PROCESSED';
}

/** The emails the intents call for: `<orderId> <kind>`. */
function expectedEmails(intents: Intent[]): string[] {
  return intents
    .filter((i) => i.order)
    .flatMap((i) =>
      i.pay
        ? [`${i.order!.id} ORDER_CONFIRMED`, ...(i.refundAccepted ? [`${i.order!.id} ORDER_REFUNDED`] : [])]
        : [`${i.order!.id} ORDER_CANCELLED`],
    );
}

/** Distinct Message-IDs per `<orderId> <kind>` the SMTP capture received, and how many deliveries. */
function deliveredEmails(world: ChaosWorld): { emails: Map<string, Set<string>>; deliveries: number } {
  const emails = new Map<string, Set<string>>();
  let deliveries = 0;
  for (const message of world.smtp.messages()) {
    const orderId = message.headers['x-dispatch-order-id'];
    const kind = message.headers['x-dispatch-kind'];
    if (!orderId || !kind) continue;
    deliveries++;
    const ids = emails.get(`${orderId} ${kind}`) ?? new Set<string>();
    ids.add(message.headers['message-id'] ?? message.id);
    emails.set(`${orderId} ${kind}`, ids);
  }
  return { emails, deliveries };
}

/**
 * True once every accepted order is in its terminal state, no background work is left and every expected
 * email has arrived: the final state, whatever time it took to reach it.
 */
export async function settled(
  world: ChaosWorld,
  intents: Intent[],
): Promise<{ done: boolean; pending: string }> {
  const rows = await queryOnce<{ id: string; status: string }>(
    world.databaseUrl,
    `SELECT id, status FROM orders`,
  );
  const status = new Map(rows.map((r) => [r.id, r.status]));
  const wrong = intents.filter((i) => i.order && status.get(i.order.id) !== expectedStatus(i));
  const [work] = await queryOnce<{ unsent: string; open: string }>(
    world.databaseUrl,
    `SELECT (SELECT count(*) FROM outbox WHERE sent_at IS NULL) AS unsent,
            (SELECT count(*) FROM job_runs WHERE state IN ('queued', 'active', 'retrying')) AS open`,
  );
  const { emails } = deliveredEmails(world);
  const missing = expectedEmails(intents).filter((k) => !emails.has(k)).length;
  const pending = `${wrong.length} orders not terminal, ${work.unsent} outbox rows unsent, ${work.open} jobs open, ${missing} emails missing`;
  return {
    done: wrong.length === 0 && Number(work.unsent) === 0 && Number(work.open) === 0 && missing === 0,
    pending,
  };
}

/** Every promise Dispatch makes, checked against Postgres, the fake Stripe, the fake ERP and the SMTP capture. */
export async function checkInvariants(
  world: ChaosWorld,
  intents: Intent[],
  initialStock: Map<string, number>,
  { redisBackAt }: { redisBackAt: Date },
): Promise<Check[]> {
  const checks: Check[] = [];
  const check = (invariant: string, bad: string[], total: number, note = '') =>
    checks.push({
      invariant,
      ok: bad.length === 0,
      detail: (bad.length ? bad.slice(0, 5).join('; ') : `${total} checked`) + note,
    });

  const orders = await queryOnce<OrderRow>(
    world.databaseUrl,
    `SELECT id, status, stock_released, payment_intent_id FROM orders`,
  );
  const byId = new Map(orders.map((o) => [o.id, o]));
  const accepted = intents.filter((i) => i.order);
  const unanswered = intents.filter((i) => !i.order && !i.refused);

  check(
    'every request got a final answer',
    unanswered.map((i) => i.key),
    intents.length,
  );
  check(
    'zero lost orders: every 201 order exists',
    accepted.filter((i) => !byId.has(i.order!.id)).map((i) => i.order!.id),
    accepted.length,
  );
  check(
    'every order reached its terminal state',
    accepted
      .filter((i) => byId.get(i.order!.id)?.status !== expectedStatus(i))
      .map((i) => `${i.order!.id} is ${byId.get(i.order!.id)?.status}, expected ${expectedStatus(i)}`),
    accepted.length,
  );
  const known = new Set(accepted.map((i) => i.order!.id));
  check(
    'no order the client does not know of, except cancelled abandoned attempts',
    orders.filter((o) => !known.has(o.id) && o.status !== 'CANCELLED').map((o) => `${o.id} ${o.status}`),
    orders.length,
  );
  check(
    'at most one PaymentIntent per order (one for every accepted order)',
    orders
      .map((o) => ({ o, n: world.stripe.createdPaymentIntentsFor(o.id).length }))
      .filter(({ o, n }) => n > 1 || (known.has(o.id) && n !== 1))
      .map(({ o, n }) => `${o.id}: ${n}`),
    orders.length,
  );
  check(
    'one Stripe refund per refund request',
    accepted
      .map((i) => ({
        i,
        n: i.order!.paymentIntentId ? world.stripe.refundsFor(i.order!.paymentIntentId).length : 0,
      }))
      .filter(({ i, n }) => n !== (i.refundAccepted ? 1 : 0))
      .map(({ i, n }) => `${i.order!.id}: ${n} refunds`),
    accepted.length,
  );

  // Dispatch's books against Stripe's, per PaymentIntent: captured and refunded totals, every refund booked.
  const ledger = await queryOnce<{
    order_id: string;
    pi: string;
    captured: number;
    refunded: string;
    open: string;
  }>(
    world.databaseUrl,
    `SELECT p.order_id, p.payment_intent_id AS pi, p.captured_cents AS captured,
            COALESCE(sum(r.amount_cents) FILTER (WHERE r.status = 'succeeded'), 0) AS refunded,
            count(r.id) FILTER (WHERE r.status IN ('requested', 'pending')) AS open
       FROM payments p LEFT JOIN refunds r ON r.order_id = p.order_id GROUP BY p.order_id, p.payment_intent_id, p.captured_cents`,
  );
  check(
    "the books agree with Stripe's per PaymentIntent (captured, refunded, nothing left open)",
    ledger
      .map((row) => {
        const intent = world.stripe.paymentIntent(row.pi);
        const stripeRefunded = world.stripe
          .refundsFor(row.pi)
          .filter((r) => r.status === 'succeeded')
          .reduce((total, r) => total + r.amount, 0);
        return { row, received: intent?.amount_received ?? 0, stripeRefunded };
      })
      .filter(
        ({ row, received, stripeRefunded }) =>
          row.captured !== received || Number(row.refunded) !== stripeRefunded || Number(row.open) !== 0,
      )
      .map(
        ({ row, received, stripeRefunded }) =>
          `${row.order_id}: captured ${row.captured}/${received}, refunded ${row.refunded}/${stripeRefunded}, ${row.open} open`,
      ),
    ledger.length,
  );

  // Distinct Message-IDs per (order, kind): what the customer's mailbox shows. A resend after a crash between
  // the SMTP accept and its record reuses the Message-ID (at-least-once there); those are counted, not hidden.
  const { emails, deliveries } = deliveredEmails(world);
  check(
    'one email per (order, kind)',
    [...emails].filter(([, ids]) => ids.size > 1).map(([k, ids]) => `${k} ×${ids.size}`),
    emails.size,
    `; ${deliveries - emails.size} SMTP resends with the same Message-ID`,
  );
  const expected = expectedEmails(intents);
  check(
    'every expected email was sent',
    expected.filter((k) => !emails.has(k)),
    expected.length,
  );

  const erpAccepted = new Map<string, number>();
  for (const request of world.erp.received()) {
    const id = (request.body as { externalOrderId?: string } | undefined)?.externalOrderId;
    if (id && request.status === 201) erpAccepted.set(id, (erpAccepted.get(id) ?? 0) + 1);
  }
  const erpOrders = new Set(world.erp.orders().map((o) => o.externalOrderId));
  const processed = accepted.filter((i) => i.pay);
  // A refund that lands before the ERP job runs stops the submission (nothing to ship): at most one then.
  const shipped = processed.filter((i) => byId.get(i.order!.id)?.status === 'PROCESSED');
  check(
    'one ERP submission per processed order (at most one if refunded first)',
    [
      ...shipped.filter((i) => !erpOrders.has(i.order!.id)).map((i) => `${i.order!.id} never submitted`),
      ...[...erpAccepted].filter(([, n]) => n > 1).map(([id, n]) => `${id} created ×${n}`),
      ...[...erpOrders].filter((id) => !known.has(id)).map((id) => `${id} unknown to the client`),
    ],
    processed.length,
  );

  const stock = await queryOnce<{ id: string; stock: number; held: string }>(
    world.databaseUrl,
    `SELECT i.id, i.stock, COALESCE(sum(l.quantity) FILTER (WHERE NOT o.stock_released), 0) AS held
       FROM items i LEFT JOIN order_lines l ON l.item_id = i.id LEFT JOIN orders o ON o.id = l.order_id
      GROUP BY i.id, i.stock`,
  );
  check(
    'stock + reserved = initial, never negative',
    stock
      .filter((s) => s.stock < 0 || s.stock + Number(s.held) !== initialStock.get(s.id))
      .map((s) => `${s.id}: ${s.stock} + ${s.held} ≠ ${initialStock.get(s.id)}`),
    stock.length,
  );
  check(
    'stock released exactly for cancelled orders',
    orders.filter((o) => o.stock_released !== (o.status === 'CANCELLED')).map((o) => `${o.id} ${o.status}`),
    orders.length,
  );
  const invoices = await queryOnce<{ order_id: string; n: string }>(
    world.databaseUrl,
    `SELECT order_id, count(*) AS n FROM invoices GROUP BY order_id`,
  );
  const invoiced = new Map(invoices.map((r) => [r.order_id, Number(r.n)]));
  check(
    'one invoice per paid order',
    processed
      .filter((i) => invoiced.get(i.order!.id) !== 1)
      .map((i) => `${i.order!.id}: ${invoiced.get(i.order!.id) ?? 0}`),
    processed.length,
  );
  // Several relays drain the outbox (one per worker), crash between addBulk and commit, and the reconcilers
  // re-dispatch what Redis lost: each row still has exactly one job, created once. Jobs of rows sent before
  // Redis came back empty are gone with it, so only rows sent after it (with a margin for a relay batch that
  // was mid-commit) must have theirs.
  const sent = await queryOnce<{ id: string }>(
    world.databaseUrl,
    `SELECT id FROM outbox WHERE sent_at > $1::timestamptz + interval '5 seconds'`,
    [redisBackAt.toISOString()],
  );
  const jobs = await readOutboxJobs(world.redis.url, world.keyPrefix);
  check(
    'no outbox row enqueued twice (one job per row, job id = outbox id, created once)',
    outboxJobProblems(
      jobs,
      sent.map((r) => String(r.id)),
    ),
    jobs.jobsByOutboxId.size,
    `; ${sent.length} rows sent after Redis came back, ${jobs.duplicated} repeated adds deduplicated`,
  );

  const [{ failed }] = await queryOnce<{ failed: string }>(
    world.databaseUrl,
    `SELECT count(*) AS failed FROM job_runs WHERE state = 'failed'`,
  );
  check(
    'no job failed for good (no compensation needed)',
    Number(failed) ? [`${failed} failed job runs`] : [],
    1,
  );
  return checks;
}
