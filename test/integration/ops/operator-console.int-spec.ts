import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';

import { QueueName } from '../../../src/infra/queue/queue-names';
import { createItem, placeOrder } from '../../factories/order.factory';
import { bearer, createUser, TestUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';
import { waitFor } from '../../setup/wait-for';

const BROKEN_ORDER = '11111111-1111-4111-8111-111111111111';

describe('operator console API (admin)', () => {
  let t: TestApp;
  let admin: TestUser;
  let customer: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await createUser(t, { role: 'admin' });
    customer = await createUser(t);
  });
  afterAll(() => t.close());

  it('is admin only', async () => {
    await t.http().get('/v1/ops/failed-jobs').expect(401);
    await t.http().get('/v1/ops/failed-jobs').set(bearer(customer)).expect(403);
    await t.http().get('/v1/ops/stuck-outbox').set(bearer(customer)).expect(403);
    await t
      .http()
      .post('/v1/ops/orders/00000000-0000-4000-8000-000000000000/resolve')
      .set(bearer(customer))
      .send({ reason: 'nope' })
      .expect(403);
  });

  it('lists a failed job with its order and correlation id, retries it, and audits the retry', async () => {
    const notifications = t.app.get<Queue>(getQueueToken(QueueName.Notifications));
    // An admin alert notice without its alert: the email cannot be rendered, so the job fails for good.
    const job = await notifications.add(
      'admin.alert',
      {
        event: 'admin.alert',
        dedupeKey: 'ops-broken',
        orderId: BROKEN_ORDER,
        outboxId: '0',
        correlationId: 'ops-corr-123456',
      },
      { attempts: 1, jobId: 'ops-broken-job' },
    );
    await waitFor(async () => (await job.getState()) === 'failed');
    const failed = await waitFor(async () => {
      const res = await t.http().get('/v1/ops/failed-jobs').set(bearer(admin)).expect(200);
      return res.body.data.find((j: { jobId: string }) => j.jobId === 'ops-broken-job');
    });
    expect(failed).toMatchObject({
      queue: 'notifications',
      name: 'admin.alert',
      orderId: BROKEN_ORDER,
      correlationId: 'ops-corr-123456',
      attempts: 1,
    });
    expect(failed.lastError).toContain('alert');

    await t
      .http()
      .post('/v1/ops/jobs/notifications/ops-broken-job/retry')
      .set(bearer(admin))
      .send({})
      .expect(400);
    const retried = await t
      .http()
      .post('/v1/ops/jobs/notifications/ops-broken-job/retry')
      .set(bearer(admin))
      .set('X-Correlation-Id', 'ops-retry-corr-1')
      .send({ reason: 'bad data fixed' })
      .expect(202);
    expect(retried.body).toEqual({ jobId: 'ops-broken-job', action: 'retried' });
    // It fails again (the data is still broken), which proves it ran again.
    await waitFor(
      async () =>
        (await notifications.getJob('ops-broken-job'))!.attemptsMade >= 1 &&
        (await job.getState()) === 'failed',
    );
    const audit = await t
      .http()
      .get('/v1/ops/audit?target=notifications/ops-broken-job')
      .set(bearer(admin))
      .expect(200);
    expect(audit.body.data).toEqual([
      expect.objectContaining({
        actor: `admin:${admin.id}`,
        action: 'job.retried',
        reason: 'bad data fixed',
        correlationId: 'ops-retry-corr-1',
      }),
    ]);
    await t
      .http()
      .post('/v1/ops/jobs/notifications/no-such-job/retry')
      .set(bearer(admin))
      .send({ reason: 'try' })
      .expect(404);
    await t
      .http()
      .post('/v1/ops/jobs/unknown-queue/x/retry')
      .set(bearer(admin))
      .send({ reason: 'try' })
      .expect(400);
  });

  it('resolves an order with a reason written to its history and the audit trail', async () => {
    const itemId = await createItem(t, { stock: 3 });
    const placed = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
    const res = await t
      .http()
      .post(`/v1/ops/orders/${placed.body.id}/resolve`)
      .set(bearer(admin))
      .send({ reason: 'customer refunded by bank transfer' })
      .expect(200);
    expect(res.body).toEqual({ orderId: placed.body.id, status: 'PENDING' });
    const history = await t.http().get(`/v1/orders/${placed.body.id}/history`).set(bearer(admin)).expect(200);
    expect(history.body[history.body.length - 1]).toMatchObject({
      fromStatus: 'PENDING',
      toStatus: 'PENDING',
      actor: `admin:${admin.id}`,
      reason: 'resolved: customer refunded by bank transfer',
    });
    const audit = await t
      .http()
      .get(`/v1/ops/audit?target=order/${placed.body.id}`)
      .set(bearer(admin))
      .expect(200);
    expect(audit.body.data).toEqual([expect.objectContaining({ action: 'order.resolved' })]);
    await t
      .http()
      .post('/v1/ops/orders/00000000-0000-4000-8000-000000000000/resolve')
      .set(bearer(admin))
      .send({ reason: 'ghost' })
      .expect(404);
  });
});

describe('operator console: stuck outbox rows', () => {
  let t: TestApp;

  // The api role runs no relay, so an unsent row stays unsent.
  beforeAll(async () => {
    t = await startTestApp({}, { role: 'api' });
  });
  afterAll(() => t.close());

  it('lists outbox rows unsent for too long with their order and correlation id', async () => {
    const admin = await createUser(t, { role: 'admin' });
    const customer = await createUser(t);
    const itemId = await createItem(t, { stock: 3 });
    const placed = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
    await t.db.query(
      `INSERT INTO outbox (type, aggregate_id, payload, correlation_id, occurred_at) VALUES ('ORDER_PROCESS', $1, '{}', 'stuck-corr-1', now() - interval '2 hours')`,
      [placed.body.id],
    );
    const res = await t
      .http()
      .get('/v1/ops/stuck-outbox?olderThanSeconds=3600')
      .set(bearer(admin))
      .expect(200);
    expect(res.body.data).toEqual([
      expect.objectContaining({
        type: 'ORDER_PROCESS',
        orderId: placed.body.id,
        correlationId: 'stuck-corr-1',
        ageSeconds: expect.any(Number),
      }),
    ]);
    expect(res.body.data[0].ageSeconds).toBeGreaterThanOrEqual(7199);
    await t.http().get('/v1/ops/stuck-outbox?olderThanSeconds=-1').set(bearer(admin)).expect(400);
  });
});
