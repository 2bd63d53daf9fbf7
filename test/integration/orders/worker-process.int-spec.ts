import { randomUUID } from 'node:crypto';

import { createItem, placeOrder, statusOf, waitForStatus } from '../../factories/order.factory';
import { bearer, createUser } from '../../factories/user.factory';
import { AppProcess } from '../../setup/app-process';
import { startTestApp, TestApp } from '../../setup/test-app';
import { waitFor } from '../../setup/wait-for';

/**
 * The worker as a real child process (`node dist/worker.js`), so it can be killed like in production.
 * The api runs in this process with the fake Stripe; the worker reaches that fake over HTTP.
 */
describe('worker process: crash and graceful shutdown', () => {
  let t: TestApp;
  let workerEnv: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp({}, { role: 'api' });
    // The worker child uses this test's database, Redis prefix and fakes (the api here receives the webhooks).
    workerEnv = t.childEnv({
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
      OUTBOX_POLL_MS: '100',
      JOB_BACKOFF_MS: '100',
      JOB_LOCK_MS: '2000',
      JOB_STALLED_INTERVAL_MS: '1000',
    });
  });
  afterAll(() => t.close());

  async function refundRequest() {
    const customer = await createUser(t);
    const admin = await createUser(t, { role: 'admin' });
    const itemId = await createItem(t, { stock: 5, priceCents: 5000 });
    const placed = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
    await t.fakeStripe.succeedPayment(placed.body.paymentIntentId);
    await waitFor(async () => (await statusOf(t, placed.body.id)) === 'PAID');
    return { order: placed.body as { id: string; paymentIntentId: string }, admin };
  }

  const refundRun = async (orderId: string) =>
    (
      await t.db.query<{ state: string; attempts: number }>(
        `SELECT state, attempts FROM job_runs WHERE aggregate_id = $1 AND name = 'REFUND'`,
        [orderId],
      )
    )[0];

  it('re-runs a job whose worker was SIGKILLed mid-job, with one effect at Stripe', async () => {
    const first = AppProcess.start('worker.js', workerEnv);
    let second: AppProcess | undefined;
    try {
      const { order, admin } = await refundRequest();
      await waitForStatus(t, order.id, 'PROCESSED');
      // Stripe answers refunds slowly, so the worker is mid-call when it dies.
      t.fakeStripe.injectFaults({ latencyMs: 1500, match: { method: 'POST', path: /^\/v1\/refunds/ } });
      await t
        .http()
        .patch(`/v1/orders/${order.id}/refund`)
        .set(bearer(admin))
        .set('Idempotency-Key', randomUUID())
        .send({ reason: 'crash test' })
        .expect(202);
      await waitFor(async () => (await refundRun(order.id))?.state === 'active', {
        what: 'refund job to start',
      });
      expect(await first.stop('SIGKILL')).toBe('SIGKILL');
      t.fakeStripe.clearFaults();

      second = AppProcess.start('worker.js', workerEnv);
      await waitForStatus(t, order.id, 'REFUNDED', 30_000);
      // The refund.created webhook may book the refund before the re-run job does (the job then finds it
      // booked and skips): wait for the job to have run either way.
      const run = await waitFor(
        async () => {
          const current = await refundRun(order.id);
          return current && ['completed', 'skipped'].includes(current.state) ? current : undefined;
        },
        { what: 'the re-run REFUND job to complete', timeoutMs: 30_000 },
      );
      expect(t.fakeStripe.refundsFor(order.paymentIntentId)).toHaveLength(1);
      // The second worker picked the stalled job up (a stall does not count as a failed attempt).
      const reran = second
        .logLines()
        .find((l) => l.msg === 'job done' && l.job === 'REFUND' && l.orderId === order.id);
      expect(reran).toBeDefined();
      expect(first.logLines().some((l) => l.msg === 'job done' && l.job === 'REFUND')).toBe(false);
      expect(run.attempts).toBe(1);
      const history = await t.db.query(
        `SELECT 1 FROM order_history WHERE order_id = $1 AND to_status = 'REFUNDED'`,
        [order.id],
      );
      expect(history).toHaveLength(1);
    } finally {
      t.fakeStripe.clearFaults();
      await first.stop('SIGKILL');
      await second?.stop();
    }
  });

  it('finishes the active job on SIGTERM before exiting (nothing stalls)', async () => {
    const worker = AppProcess.start('worker.js', workerEnv);
    try {
      const { order, admin } = await refundRequest();
      await waitForStatus(t, order.id, 'PROCESSED');
      t.fakeStripe.injectFaults({ latencyMs: 1500, match: { method: 'POST', path: /^\/v1\/refunds/ } });
      await t
        .http()
        .patch(`/v1/orders/${order.id}/refund`)
        .set(bearer(admin))
        .set('Idempotency-Key', randomUUID())
        .set('X-Correlation-Id', 'graceful-refund-corr-1')
        .send({ reason: 'graceful' })
        .expect(202);
      await waitFor(async () => (await refundRun(order.id))?.state === 'active', {
        what: 'refund job to start',
      });
      const exit = await worker.stop('SIGTERM');
      expect([0, 'SIGTERM']).toContain(exit);
      // The job completed inside the shutdown, on its first attempt.
      expect(await refundRun(order.id)).toEqual({ state: 'completed', attempts: 1 });
      expect(await statusOf(t, order.id)).toBe('REFUNDED');
      expect(worker.stdout).not.toMatch(/stalled/);
      // The request's correlation id travelled api → outbox → job → the worker's log lines.
      const done = worker.logLines().find((l) => l.msg === 'job done' && l.job === 'REFUND');
      expect(done).toMatchObject({ correlationId: 'graceful-refund-corr-1', orderId: order.id });
      const [outboxRow] = await t.db.query(
        `SELECT correlation_id FROM outbox WHERE aggregate_id = $1 AND type = 'ORDER_REFUND'`,
        [order.id],
      );
      expect(outboxRow).toEqual({ correlation_id: 'graceful-refund-corr-1' });
    } finally {
      t.fakeStripe.clearFaults();
      await worker.stop('SIGKILL');
    }
  });
});
