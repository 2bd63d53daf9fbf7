import Redis, { Cluster } from 'ioredis';

import { QueueName } from '../../../src/infra/queue/queue-names';
import { QueueRegistry } from '../../../src/infra/queue/queue-registry';
import { OrderReconciler } from '../../../src/modules/orders/jobs/order-reconciler.service';
import { ADDRESS, placeOrder, statusOf, stockOf, waitForStatus } from '../../factories/order.factory';
import { itemInput } from '../../factories/item.factory';
import { bearer, createUser, TestUser } from '../../factories/user.factory';
import { RedisTestCluster } from '../../setup/redis-cluster';
import { startTestApp, TestApp } from '../../setup/test-app';
import { TestRedis } from '../../setup/test-resources';
import { waitFor } from '../../setup/wait-for';

/** Every key under `prefix` on every master, with the port of the master holding it. */
async function clusterKeys(seeds: string, prefix: string): Promise<Map<string, number>> {
  const [host, port] = seeds.split(',')[0].split(':');
  const cluster = new Cluster([{ host, port: Number(port) }]);
  try {
    await cluster.ping();
    const keys = new Map<string, number>();
    for (const master of cluster.nodes('master')) {
      let cursor = '0';
      do {
        const [next, found] = await master.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        for (const key of found) keys.set(key, master.options.port!);
        cursor = next;
      } while (cursor !== '0');
    }
    return keys;
  } finally {
    cluster.disconnect();
  }
}

describe('scale-out: the order flow on a three-master Redis Cluster', () => {
  let cluster: RedisTestCluster;
  let redis: TestRedis;
  let t: TestApp;
  let customer: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    cluster = await RedisTestCluster.start({ masters: 3 });
    redis = new TestRedis(cluster.seeds);
    t = await startTestApp({}, { redis });
    customer = await createUser(t);
    admin = await createUser(t, { role: 'admin' });
  });
  afterAll(async () => {
    await t?.close();
    await cluster?.stop();
  });

  async function createItemViaApi(stock: number): Promise<string> {
    const created = await t
      .http()
      .post('/v1/items')
      .set(bearer(admin))
      .send(itemInput({ stock, priceCents: 1000 }))
      .expect(201);
    return created.body.id as string;
  }

  async function placeAndPay(itemId: string): Promise<{ id: string; paymentIntentId: string }> {
    const placed = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
    await t.fakeStripe.succeedPayment(placed.body.paymentIntentId);
    return placed.body as { id: string; paymentIntentId: string };
  }

  it('runs queues, cache, rate limits, locks and markers on the cluster, each queue in one slot', async () => {
    const itemId = await createItemViaApi(10);
    // Cache-aside on the cluster: a list page and the item are cached, a write invalidates both (one pipeline).
    expect((await t.http().get('/v1/items?page=1&limit=100').expect(200)).body.total).toBe(1);
    await t.http().get(`/v1/items/${itemId}`).expect(200);
    await t.http().patch(`/v1/items/${itemId}`).set(bearer(admin)).send({ name: 'Renamed' }).expect(200);
    expect((await t.http().get(`/v1/items/${itemId}`).expect(200)).body.name).toBe('Renamed');
    expect((await t.http().get('/v1/items?page=1&limit=100').expect(200)).body.data[0].name).toBe('Renamed');

    const order = await placeAndPay(itemId);
    await waitForStatus(t, order.id, 'PROCESSED');
    await waitFor(
      async () =>
        (
          await t.db.query(`SELECT 1 FROM notifications_sent WHERE order_id = $1 AND status = 'sent'`, [
            order.id,
          ])
        ).length > 0,
      { what: 'the order confirmation email' },
    );

    const keys = await clusterKeys(cluster.seeds, redis.prefix);
    const mastersOf = (pattern: RegExp) =>
      new Set([...keys].filter(([key]) => pattern.test(key)).map(([, port]) => port));
    for (const queue of ['orders', 'notifications', 'documents', 'fulfilment']) {
      // Each queue's keys share its {hash tag}, so one master holds them all.
      expect(mastersOf(new RegExp(`^${redis.prefix}\\{${queue}\\}:${queue}:`))).toEqual(
        new Set([await cluster.masterFor(`{${queue}}`)]),
      );
    }
    // …and the queues spread over the masters instead of all sitting on one.
    expect(mastersOf(/\{(orders|notifications|documents|fulfilment)\}/).size).toBeGreaterThan(1);
    expect(mastersOf(new RegExp(`^${redis.prefix}\\{catalog\\}:`)).size).toBe(1);
    expect([...keys.keys()].some((k) => k.startsWith(`${redis.prefix}rl:`))).toBe(true);
    expect([...keys.keys()].some((k) => k.startsWith(`${redis.prefix}email-sent:`))).toBe(true);

    // Nothing went to the suite's standalone Redis.
    const standalone = new Redis(redis.url);
    try {
      expect(await standalone.scan('0', 'MATCH', `${redis.prefix}*`, 'COUNT', 10_000)).toEqual(['0', []]);
    } finally {
      standalone.disconnect();
    }
  });

  it('finishes every order after the master holding the orders queue is SIGKILLed mid-flow and restarts empty', async () => {
    const itemId = await createItemViaApi(100);
    const before = await placeAndPay(itemId);
    await waitForStatus(t, before.id, 'PROCESSED');

    // In flight: paid orders whose jobs are somewhere between the outbox and done, and unpaid orders whose
    // payment-window (EXPIRE) jobs wait, delayed, in the orders queue: those are certainly lost below.
    const inFlight = [await placeAndPay(itemId), await placeAndPay(itemId), await placeAndPay(itemId)];
    const unpaid: string[] = [];
    for (let i = 0; i < 2; i++)
      unpaid.push((await placeOrder(t, customer, [{ itemId, quantity: 2 }]).expect(201)).body.id);
    await waitFor(
      async () =>
        (
          await t.db.query(
            `SELECT 1 FROM job_runs WHERE aggregate_id = ANY($1::uuid[]) AND name = 'EXPIRE' AND state = 'queued'`,
            [unpaid],
          )
        ).length === unpaid.length,
      { what: 'the EXPIRE jobs of the unpaid orders to be in Redis' },
    );

    const victim = await cluster.masterFor('{orders}');
    await cluster.kill(victim);
    // The other masters notice (node timeout) and refuse every command: the whole cluster is down.
    await cluster.waitForState('fail');

    // While the cluster is broken the api still takes orders and payments (Redis only degrades it).
    const duringOutage = await placeAndPay(itemId);

    await cluster.restart(victim);
    await cluster.waitUntilHealthy();

    // The restarted master came back empty: the unpaid orders' EXPIRE jobs are gone.
    const expireJobs = await t.db.query<{ job_id: string }>(
      `SELECT job_id FROM job_runs WHERE aggregate_id = ANY($1::uuid[]) AND name = 'EXPIRE'`,
      [unpaid],
    );
    const ordersQueue = t.app.get(QueueRegistry).get(QueueName.Orders)!;
    for (const { job_id } of expireJobs) expect(await ordersQueue.getJob(job_id)).toBeUndefined();

    // Their payment window has closed meanwhile; the reconciler settles them and re-dispatches every job
    // Redis lost.
    await t.db.query(
      `UPDATE orders SET payment_due_at = now() - interval '1 minute' WHERE id = ANY($1::uuid[])`,
      [unpaid],
    );
    const report = await t.app.get(OrderReconciler).reconcile({ missingJobGraceSeconds: 0 });
    expect(report.expired).toBe(unpaid.length);
    expect(report.redispatched).toBeGreaterThanOrEqual(unpaid.length);

    const paid = [before, ...inFlight, duringOutage];
    await waitFor(
      async () => {
        // Later rounds pick up jobs that were between the relay and Redis when the master died.
        await t.app.get(OrderReconciler).reconcile({ missingJobGraceSeconds: 0 });
        const statuses = await Promise.all(paid.map((o) => statusOf(t, o.id)));
        return statuses.every((s) => s === 'PROCESSED') ? statuses : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 500, what: 'every paid order to be PROCESSED' },
    );
    for (const id of unpaid) expect(await statusOf(t, id)).toBe('CANCELLED');
    expect(await stockOf(t, itemId)).toBe(100 - paid.length);
    for (const order of paid) {
      expect(t.fakeStripe.createdPaymentIntentsFor(order.id)).toHaveLength(1);
      expect(t.fakeStripe.refundsFor(order.paymentIntentId)).toHaveLength(0);
    }
    // The side effects of every paid order ran once, on queues that lived on the lost master too.
    await waitFor(
      async () => {
        const [row] = await t.db.query<{ invoices: number; confirmations: number }>(
          `SELECT (SELECT count(*)::int FROM invoices WHERE order_id = ANY($1::uuid[])) AS invoices,
                  (SELECT count(*)::int FROM notifications_sent
                    WHERE order_id = ANY($1::uuid[]) AND kind = 'ORDER_CONFIRMED' AND status = 'sent') AS confirmations`,
          [paid.map((o) => o.id)],
        );
        return row.invoices === paid.length && row.confirmations === paid.length ? row : undefined;
      },
      { timeoutMs: 30_000, what: 'one invoice and one confirmation email per paid order' },
    );

    // Redis is whole again: the cache serves and the api answers normally.
    await t.http().get(`/v1/items/${itemId}`).expect(200);
    const next = await t
      .http()
      .post('/v1/orders')
      .set(bearer(customer))
      .set('Idempotency-Key', `after-${victim}-${Date.now()}`)
      .send({ items: [{ itemId, quantity: 1 }], shippingAddress: ADDRESS })
      .expect(201);
    await t.fakeStripe.succeedPayment(next.body.paymentIntentId);
    await waitForStatus(t, next.body.id, 'PROCESSED', 30_000);
  });
});
