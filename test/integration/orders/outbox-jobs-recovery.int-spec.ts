import { getQueueToken } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';

import { TransactionRunner } from '../../../src/infra/database/transaction-runner';
import { OrderJobPayloads } from '../../../src/infra/queue/job-payloads';
import { OrderJob, QueueName } from '../../../src/infra/queue/queue-names';
import { JobOutcome, OrderJobStrategy } from '../../../src/modules/orders/jobs/order-job.strategy';
import { OrderReconciler } from '../../../src/modules/orders/jobs/order-reconciler.service';
import { CancelOrderStrategy } from '../../../src/modules/orders/jobs/strategies/cancel-order.strategy';
import { ProcessOrderStrategy } from '../../../src/modules/orders/jobs/strategies/process-order.strategy';
import { OrderStatus } from '../../../src/modules/orders/order-state';
import { OrderVersionConflictError } from '../../../src/modules/orders/orders.errors';
import { OrdersRepository } from '../../../src/modules/orders/orders.repository';
import { OrderTransitionsRepository } from '../../../src/modules/orders/order-transitions.repository';
import { OutboxType } from '../../../src/modules/outbox/outbox-message';
import { OutboxRelay } from '../../../src/modules/outbox/outbox.relay';
import { OutboxWriter } from '../../../src/modules/outbox/outbox.writer';
import {
  createItem,
  placeOrder,
  placeUnworkedOrders,
  statusOf,
  stockOf,
  waitForStatus,
} from '../../factories/order.factory';
import { createUser } from '../../factories/user.factory';
import { JOB_STATES, outboxJobProblems, readOutboxJobs } from '../../setup/outbox-jobs';
import { newRelay } from '../../setup/relay';
import { startTestApp, TestApp } from '../../setup/test-app';
import { waitFor } from '../../setup/wait-for';

@Injectable()
class AlwaysFailingProcessStrategy implements OrderJobStrategy<OrderJob.Process> {
  readonly job = OrderJob.Process;
  static calls = 0;
  async handle(_payload: OrderJobPayloads[OrderJob.Process]): Promise<JobOutcome> {
    AlwaysFailingProcessStrategy.calls++;
    throw new Error('ERP exploded');
  }
}

@Injectable()
class AlwaysFailingCancelStrategy implements OrderJobStrategy<OrderJob.Cancel> {
  readonly job = OrderJob.Cancel;
  static calls = 0;
  async handle(_payload: OrderJobPayloads[OrderJob.Cancel]): Promise<JobOutcome> {
    AlwaysFailingCancelStrategy.calls++;
    throw new Error('cancellation exploded');
  }
}

describe('outbox relay, strategies, compensation and recovery', () => {
  describe('relay', () => {
    let t: TestApp;

    // The api role runs no relay and no worker: the test drives the relays itself.
    beforeAll(async () => {
      t = await startTestApp({ OUTBOX_BATCH_SIZE: '25' }, { role: 'api' });
    });
    afterAll(() => t.close());

    it('dispatches every row exactly once under 3 concurrent relays', async () => {
      const tx = t.app.get(TransactionRunner);
      const writer = t.app.get(OutboxWriter);
      const user = await createUser(t);
      const itemId = await createItem(t, { stock: 1000 });
      const orderIds: string[] = [];
      for (let i = 0; i < 6; i++)
        orderIds.push((await placeOrder(t, user, [{ itemId, quantity: 1 }]).expect(201)).body.id);
      await tx.run(async (em) => {
        for (let i = 0; i < 300; i++) {
          await writer.append(em, {
            type: OutboxType.OrderProcess,
            aggregateId: orderIds[i % orderIds.length],
            payload: { n: i },
          });
        }
      });
      const queue = t.app.get<Queue>(getQueueToken(QueueName.Orders));
      const relays = [1, 2, 3].map(() => newRelay(t));
      const drain = async (relay: OutboxRelay) => {
        let total = 0;
        for (let n = await relay.relayBatch(); n > 0; n = await relay.relayBatch()) total += n;
        return total;
      };
      const counts = await Promise.all(relays.map(drain));
      const rows = await t.db.query<{ n: string }>(`SELECT count(*) n FROM outbox`);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(Number(rows[0].n));
      expect(counts.filter((c) => c > 0).length).toBeGreaterThan(1);
      expect(await t.db.query(`SELECT 1 FROM outbox WHERE sent_at IS NULL`)).toHaveLength(0);
      const jobCounts = await queue.getJobCounts(...JOB_STATES);
      const jobs = Object.values(jobCounts).reduce((a, b) => a + b, 0);
      expect(jobs).toBe(Number(rows[0].n));
      const runs = await t.db.query<{ n: string }>(`SELECT count(*) n FROM job_runs`);
      expect(Number(runs[0].n)).toBe(Number(rows[0].n));

      // Re-sending rows (as the reconciler does) is deduplicated by the job id.
      await t.db.query(
        `UPDATE outbox SET sent_at = NULL WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT 10)`,
      );
      await drain(relays[0]);
      // Each row still has one job under its own id, created once; the 10 repeated adds were deduplicated.
      const outboxJobs = await readOutboxJobs(t.redis.url, t.redis.prefix);
      const ids = await t.db.query<{ id: string }>(`SELECT id FROM outbox`);
      expect(
        outboxJobProblems(
          outboxJobs,
          ids.map((r) => String(r.id)),
        ),
      ).toEqual([]);
      expect(outboxJobs.duplicated).toBe(10);
      expect(outboxJobs.jobsByOutboxId.size).toBe(jobs);
    });

    it('refuses a late write from a holder whose lock expired (version check)', async () => {
      const user = await createUser(t);
      const itemId = await createItem(t, { stock: 5 });
      const placed = await placeOrder(t, user, [{ itemId, quantity: 1 }]).expect(201);
      const repo = t.app.get(OrdersRepository);
      // The raw status write under OrderStateWriter: the version fence lives there.
      const transitions = t.app.get(OrderTransitionsRepository, { strict: false });
      const tx = t.app.get(TransactionRunner);
      const stale = (await repo.find(placed.body.id))!;
      // Another worker (which got the lock after ours expired) moves the order on.
      await tx.run(async (em) =>
        transitions.write(em, (await repo.lock(em, stale.id))!, OrderStatus.Paid, { actor: 'worker-2' }),
      );
      await expect(
        tx.run((em) => transitions.write(em, stale, OrderStatus.Cancelled, { actor: 'worker-1' })),
      ).rejects.toBeInstanceOf(OrderVersionConflictError);
      expect(await statusOf(t, stale.id)).toBe('PAID');
      const history = await t.db.query(`SELECT actor FROM order_history WHERE order_id = $1 ORDER BY id`, [
        stale.id,
      ]);
      expect(history).toEqual([{ actor: `customer:${user.id}` }, { actor: 'worker-2' }]);
    });
  });

  describe('compensation', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp(
        { JOB_ATTEMPTS: '3', JOB_BACKOFF_MS: '20' },
        {
          overrides: [
            { provide: ProcessOrderStrategy, useClass: AlwaysFailingProcessStrategy },
            { provide: CancelOrderStrategy, useClass: AlwaysFailingCancelStrategy },
          ],
        },
      );
    });
    afterAll(() => t.close());

    it('refunds a paid order once when its PROCESS job exhausts its retries', async () => {
      const user = await createUser(t);
      const itemId = await createItem(t, { stock: 5, priceCents: 1234 });
      const placed = await placeOrder(t, user, [{ itemId, quantity: 2 }]).expect(201);
      await t.fakeStripe.succeedPayment(placed.body.paymentIntentId);
      await waitForStatus(t, placed.body.id, 'CANCELLED');
      expect(AlwaysFailingProcessStrategy.calls).toBe(3);
      expect(t.fakeStripe.refundsFor(placed.body.paymentIntentId)).toEqual([
        expect.objectContaining({ amount: 2468 }),
      ]);
      expect(await stockOf(t, itemId)).toBe(5);
      const compensations = await t.db.query(
        `SELECT 1 FROM outbox WHERE aggregate_id = $1 AND type = 'ORDER_COMPENSATE'`,
        [placed.body.id],
      );
      expect(compensations).toHaveLength(1);
      const runs = await t.db.query<{ name: string; state: string; attempts: number; last_error: string }>(
        `SELECT name, state, attempts, last_error FROM job_runs WHERE aggregate_id = $1 ORDER BY created_at`,
        [placed.body.id],
      );
      expect(runs).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            name: 'PROCESS',
            state: 'failed',
            attempts: 3,
            last_error: 'Error: ERP exploded',
          }),
          expect.objectContaining({ name: 'COMPENSATE', state: 'completed' }),
        ]),
      );
      // Admins hear about it: one alert for the job that failed for good, one for the compensation.
      const alerts = await waitFor(async () => {
        const rows = await t.db.query<{ dedupe_key: string }>(
          `SELECT dedupe_key FROM notifications_sent WHERE kind = 'ADMIN_ALERT' AND status = 'sent' AND dedupe_key LIKE $1`,
          [`%${placed.body.id}%`],
        );
        return rows.length >= 1 ? rows : undefined;
      });
      expect(alerts.map((a) => a.dedupe_key)).toContain(`ADMIN_ALERT:compensated:${placed.body.id}`);
      // Running the reconciler afterwards adds no second compensation.
      await t.app.get(OrderReconciler).reconcile();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(t.fakeStripe.refundsFor(placed.body.paymentIntentId)).toHaveLength(1);
      const history = await t.db.query<{ to_status: string }>(
        `SELECT to_status FROM order_history WHERE order_id = $1 ORDER BY id`,
        [placed.body.id],
      );
      expect(history.map((h) => h.to_status)).toEqual(['PENDING', 'PAID', 'CANCELLED']);
    });

    it('only alerts when a CANCEL job exhausts its retries; the expired order is then cancelled once', async () => {
      const user = await createUser(t);
      const itemId = await createItem(t, { stock: 5 });
      const placed = await placeOrder(t, user, [{ itemId, quantity: 3 }]).expect(201);
      await t.fakeStripe.failPayment(placed.body.paymentIntentId).catch(() => undefined);
      const failedRun = async () =>
        (
          await t.db.query<{ state: string }>(
            `SELECT state FROM job_runs WHERE aggregate_id = $1 AND name = 'CANCEL'`,
            [placed.body.id],
          )
        )[0]?.state === 'failed';
      await waitFor(failedRun, { what: 'the CANCEL job to fail for good' });
      expect(AlwaysFailingCancelStrategy.calls).toBe(3);
      // CANCEL failing never compensates (order-compensation.ts): the admins are alerted, nothing moves.
      expect(
        await t.db.query(`SELECT 1 FROM outbox WHERE aggregate_id = $1 AND type = 'ORDER_COMPENSATE'`, [
          placed.body.id,
        ]),
      ).toHaveLength(0);
      expect(await statusOf(t, placed.body.id)).toBe('PENDING');
      await waitFor(
        async () =>
          (
            await t.db.query(`SELECT 1 FROM outbox WHERE dedupe_key = $1`, [
              `notify:ADMIN_ALERT:${(await t.db.query<{ job_id: string }>(`SELECT job_id FROM job_runs WHERE aggregate_id = $1 AND name = 'CANCEL'`, [placed.body.id]))[0].job_id}`,
            ])
          ).length === 1,
        { what: 'the admin alert' },
      );
      // When the payment window closes, the reconciler settles the order from Stripe's view: cancelled once.
      await t.db.query(`UPDATE orders SET payment_due_at = now() - interval '1 minute' WHERE id = $1`, [
        placed.body.id,
      ]);
      await t.app.get(OrderReconciler).reconcile();
      await waitForStatus(t, placed.body.id, 'CANCELLED');
      expect(await stockOf(t, itemId)).toBe(5);
      expect(t.fakeStripe.refundsFor(placed.body.paymentIntentId)).toHaveLength(0);
      expect(t.fakeStripe.paymentIntent(placed.body.paymentIntentId)?.status).toBe('canceled');
    });
  });

  describe('losing Redis', () => {
    it('completes every order after all of its Redis keys are wiped mid-flow', async () => {
      // 1. An api-only process takes orders and payments; no worker runs yet.
      const api = await startTestApp({}, { role: 'api' });
      try {
        const user = await createUser(api);
        const itemId = await createItem(api, { stock: 50 });
        // Their jobs reach Redis; the payment window of the unpaid orders has closed meanwhile.
        const { paid, unpaid } = await placeUnworkedOrders(api, user, itemId, { paid: 5, unpaid: 3 });

        // 2. Redis loses everything (FLUSHALL, scoped to this test's keys so parallel suites are unaffected).
        await api.redis.flush();

        // 3. A worker starts; its reconciler rebuilds the lost work from Postgres.
        // Separate processes share one outside world: the worker uses the api's fakes over HTTP.
        const revived = await startTestApp(
          {},
          { role: 'worker', shared: { db: api.db, redis: api.redis, fakes: api.fakes } },
        );
        try {
          const report = await revived.app.get(OrderReconciler).reconcile({ missingJobGraceSeconds: 0 });
          expect(report.redispatched).toBeGreaterThanOrEqual(5);
          expect(report.expired).toBe(3);
          for (const id of paid) await waitForStatus(api, id, 'PROCESSED');
          for (const id of unpaid) expect(await statusOf(api, id)).toBe('CANCELLED');
          expect(await stockOf(api, itemId)).toBe(45);
        } finally {
          await revived.app.close();
        }
      } finally {
        await api.close();
      }
    });
  });
});
