import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';

import { METRIC_NAMES } from '../../../src/infra/metrics/metric-names';
import { QueueName } from '../../../src/infra/queue/queue-names';
import { createItem, placeOrder, waitForStatus } from '../../factories/order.factory';
import { createUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';
import { waitFor } from '../../setup/wait-for';

describe('metrics and queue health', () => {
  let t: TestApp;
  const token = 'metrics-token-0123456789';

  beforeAll(async () => {
    t = await startTestApp({ METRICS_TOKEN: token, QUEUE_MAX_FAILED: '0' });
  });
  afterAll(() => t.close());

  const scrape = async () =>
    (await t.http().get('/metrics').set('Authorization', `Bearer ${token}`).expect(200)).text;

  it('protects /metrics with the token', async () => {
    await t.http().get('/metrics').expect(401);
    await t.http().get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789').expect(401);
  });

  it('exports every Dispatch metric, fed by real traffic', async () => {
    const customer = await createUser(t);
    const itemId = await createItem(t, { stock: 5 });
    const placed = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
    await t.fakeStripe.succeedPayment(placed.body.paymentIntentId);
    await waitForStatus(t, placed.body.id, 'PROCESSED');
    await waitFor(
      async () =>
        (
          await t.db.query(`SELECT 1 FROM orders WHERE id = $1 AND erp_reference IS NOT NULL`, [
            placed.body.id,
          ])
        ).length === 1,
    );
    const text = await scrape();
    for (const name of METRIC_NAMES) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toMatch(/dispatch_order_transitions_total\{from="PENDING",to="PAID"\} [1-9]/);
    expect(text).toMatch(
      /dispatch_http_request_duration_seconds_count\{method="POST",route="\/v1\/orders",status_code="201"\} [1-9]/,
    );
    expect(text).toMatch(
      /dispatch_job_duration_seconds_count\{queue="orders",name="PROCESS",outcome="done"\} [1-9]/,
    );
    expect(text).toMatch(
      /dispatch_external_call_duration_seconds_count\{service="stripe",operation="paymentIntents.create",outcome="ok"\} [1-9]/,
    );
    expect(text).toMatch(
      /dispatch_external_call_duration_seconds_count\{service="erp",operation="submit",outcome="ok"\} [1-9]/,
    );
    expect(text).toMatch(/dispatch_queue_jobs\{queue="orders",state="waiting"\} \d+/);
    expect(text).toMatch(/dispatch_outbox_unsent_rows \d+/);
    expect(text).toMatch(/dispatch_circuit_state\{circuit="erp"\} 0/);
    expect(text).toMatch(/dispatch_outbox_relay_batch_size_count [1-9]/);
  });

  it('reports per-queue counts and turns 503 when a queue is over its threshold', async () => {
    const ok = await t.http().get('/v1/health/queues').expect(200);
    expect(Object.keys(ok.body.queues).sort()).toEqual([
      'documents',
      'fulfilment',
      'notifications',
      'orders',
    ]);
    expect(ok.body.queues.orders).toEqual({
      waiting: expect.any(Number),
      active: expect.any(Number),
      delayed: expect.any(Number),
      failed: 0,
    });
    // One job that fails for good (QUEUE_MAX_FAILED=0 in this app): its order id is not even a uuid.
    const notifications = t.app.get<Queue>(getQueueToken(QueueName.Notifications));
    const job = await notifications.add(
      'ORDER_CONFIRMED',
      { kind: 'ORDER_CONFIRMED', dedupeKey: 'broken', orderId: 'not-a-uuid', outboxId: '0' },
      { attempts: 1 },
    );
    await waitFor(async () => (await job.getState()) === 'failed', { what: 'the broken job to fail' });
    const res = await t.http().get('/v1/health/queues').expect(503);
    expect(res.body).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { problems: [expect.stringContaining('notifications')] },
    });
  });
});
