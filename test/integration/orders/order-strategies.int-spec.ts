import { TransactionRunner } from '../../../src/infra/database/transaction-runner';
import { OrderJobCompensation } from '../../../src/modules/orders/jobs/order-compensation';
import { ExpireOrderStrategy } from '../../../src/modules/orders/jobs/strategies/expire-order.strategy';
import { ProcessOrderStrategy } from '../../../src/modules/orders/jobs/strategies/process-order.strategy';
import { RefundOrderStrategy } from '../../../src/modules/orders/jobs/strategies/refund-order.strategy';
import { SyncPaymentStrategy } from '../../../src/modules/orders/jobs/strategies/sync-payment.strategy';
import { OrderPaymentsService } from '../../../src/modules/orders/order-payments.service';
import { OutboxRelay } from '../../../src/modules/outbox/outbox.relay';
import { PAYMENT_GATEWAY } from '../../../src/modules/payments/stripe/payment-gateway';
import { InMemoryPaymentGateway } from '../../fakes/in-memory-payment-gateway';
import { cancelOrder, createItem, placeOrder, refundOrder, statusOf } from '../../factories/order.factory';
import { createUser, TestUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';

/**
 * The order strategies and services driven directly against an in-memory PaymentGateway (the only vendor
 * here), on real Postgres: no relay runs, so each job's logic is called by hand and its effect on the ledger,
 * the order and the gateway is checked one step at a time.
 */
describe('order strategies against an in-memory PaymentGateway', () => {
  let t: TestApp;
  let gateway: InMemoryPaymentGateway;
  let customer: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    gateway = new InMemoryPaymentGateway();
    t = await startTestApp(
      {},
      {
        overrides: [
          { provide: PAYMENT_GATEWAY, useValue: gateway },
          // No relay: the outbox rows stay where the services wrote them, the test runs each job.
          { provide: OutboxRelay, useValue: { relayBatch: async () => 0 } },
        ],
      },
    );
    customer = await createUser(t);
    admin = await createUser(t, { role: 'admin' });
  });
  afterAll(() => t.close());
  beforeEach(() => {
    gateway.refundOutcome = { status: 'succeeded' };
    gateway.calls = [];
  });

  const envelope = (orderId: string) => ({ orderId, outboxId: 'test' });
  const ledger = (orderId: string) =>
    t.db.query<{
      id: string;
      status: string;
      amount_cents: number;
      purpose: string;
      stripe_refund_id: string | null;
    }>(
      `SELECT id, status, amount_cents, purpose, stripe_refund_id FROM refunds WHERE order_id = $1 ORDER BY seq`,
      [orderId],
    );

  /** A paid order (the payment fact applied as the webhook would), PROCESSED by running PROCESS. */
  async function processedOrder(priceCents = 1000) {
    const itemId = await createItem(t, { stock: 10, priceCents });
    const placed = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
    const intent = gateway.pay(placed.body.paymentIntentId);
    await t.app
      .get(TransactionRunner)
      .run((em) =>
        t.app.get(OrderPaymentsService).paymentSucceeded(em, intent, { actor: { kind: 'stripe' } }),
      );
    expect(await t.app.get(ProcessOrderStrategy).handle(envelope(placed.body.id))).toEqual({
      status: 'done',
    });
    expect(await statusOf(t, placed.body.id)).toBe('PROCESSED');
    return { id: placed.body.id as string, paymentIntentId: placed.body.paymentIntentId as string };
  }

  it('REFUND sends the reserved refund once and books it; a second run is skipped', async () => {
    const order = await processedOrder(1000);
    const asked = await refundOrder(t, admin, order.id, { reason: 'all' }).expect(202);
    const sut = t.app.get(RefundOrderStrategy);
    expect(await sut.handle({ ...envelope(order.id), refundId: asked.body.refundId })).toEqual({
      status: 'done',
    });
    expect(await sut.handle({ ...envelope(order.id), refundId: asked.body.refundId })).toMatchObject({
      status: 'skipped',
      reason: 'refund is succeeded',
    });
    expect(gateway.calls.filter((c) => c === 'createRefund')).toHaveLength(1);
    expect(await ledger(order.id)).toEqual([
      expect.objectContaining({ status: 'succeeded', amount_cents: 1000 }),
    ]);
    expect(await statusOf(t, order.id)).toBe('REFUNDED');
  });

  it('REFUND books a pending answer; SYNC_PAYMENT books the settlement later', async () => {
    const order = await processedOrder(800);
    gateway.refundOutcome = { status: 'pending' };
    const asked = await refundOrder(t, admin, order.id, { reason: 'slow bank' }).expect(202);
    await t.app.get(RefundOrderStrategy).handle({ ...envelope(order.id), refundId: asked.body.refundId });
    const [pending] = await ledger(order.id);
    expect(pending.status).toBe('pending');
    expect(await statusOf(t, order.id)).toBe('PROCESSED');
    gateway.settle(pending.stripe_refund_id!, 'succeeded');
    expect(await t.app.get(SyncPaymentStrategy).handle({ ...envelope(order.id), reason: 'test' })).toEqual({
      status: 'done',
    });
    expect((await ledger(order.id))[0].status).toBe('succeeded');
    expect(await statusOf(t, order.id)).toBe('REFUNDED');
  });

  it('REFUND withdraws a request the ledger no longer covers (refunded elsewhere) without asking', async () => {
    const order = await processedOrder(1000);
    const asked = await refundOrder(t, admin, order.id, { reason: 'all' }).expect(202);
    gateway.refundElsewhere(order.paymentIntentId, 1000);
    await t.app.get(SyncPaymentStrategy).handle({ ...envelope(order.id), reason: 'test' });
    gateway.calls = [];
    expect(
      await t.app.get(RefundOrderStrategy).handle({ ...envelope(order.id), refundId: asked.body.refundId }),
    ).toMatchObject({
      status: 'skipped',
      reason: 'refund withdrawn: the ledger no longer covers it',
    });
    expect(gateway.calls).toEqual([]);
    expect((await ledger(order.id)).map((r) => [r.purpose, r.status])).toEqual([
      ['refund', 'canceled'],
      ['external', 'succeeded'],
    ]);
    expect(await statusOf(t, order.id)).toBe('REFUNDED');
  });

  it('a refused refund is marked failed by the compensation table; an operator retry sends it again', async () => {
    const order = await processedOrder(1000);
    const asked = await refundOrder(t, admin, order.id, { amountCents: 300, reason: 'x' }).expect(202);
    const payload = { ...envelope(order.id), refundId: asked.body.refundId };
    gateway.refundOutcome = { refuse: 'charge_disputed' };
    const sut = t.app.get(RefundOrderStrategy);
    await expect(sut.handle(payload)).rejects.toMatchObject({ code: 'PAYMENT_PROVIDER_ERROR' });
    const followUps = await t.app
      .get(TransactionRunner)
      .run((em) =>
        t.app.get(OrderJobCompensation).onFinalFailure(em, { name: 'REFUND', data: payload }, 'refused'),
      );
    expect(followUps).toEqual([]);
    expect((await ledger(order.id))[0].status).toBe('failed');
    expect(await statusOf(t, order.id)).toBe('PROCESSED');
    gateway.refundOutcome = { status: 'succeeded' };
    expect(await sut.handle(payload)).toEqual({ status: 'done' });
    expect((await ledger(order.id))[0]).toMatchObject({ status: 'succeeded', amount_cents: 300 });
  });

  it('PROCESS does not process a paid order whose cancellation is under way', async () => {
    const itemId = await createItem(t, { stock: 10, priceCents: 600 });
    const placed = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
    const intent = gateway.pay(placed.body.paymentIntentId);
    await t.app
      .get(TransactionRunner)
      .run((em) =>
        t.app.get(OrderPaymentsService).paymentSucceeded(em, intent, { actor: { kind: 'stripe' } }),
      );
    await cancelOrder(t, admin, placed.body.id, 'changed mind').expect(202);
    expect(await t.app.get(ProcessOrderStrategy).handle(envelope(placed.body.id))).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('a cancellation of the order is in progress'),
    });
    expect(await statusOf(t, placed.body.id)).toBe('PAID');
  });

  it('EXPIRE books a payment Stripe took although no webhook came, instead of cancelling', async () => {
    const itemId = await createItem(t, { stock: 10, priceCents: 900 });
    const placed = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
    gateway.pay(placed.body.paymentIntentId);
    await t.db.query(`UPDATE orders SET payment_due_at = now() - interval '1 minute' WHERE id = $1`, [
      placed.body.id,
    ]);
    expect(await t.app.get(ExpireOrderStrategy).handle(envelope(placed.body.id))).toEqual({ status: 'done' });
    expect(await statusOf(t, placed.body.id)).toBe('PAID');
    expect(gateway.calls).toContain('cancelPaymentIntent');
  });
});
