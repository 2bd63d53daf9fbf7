import { randomUUID } from 'node:crypto';

import { Controller, Post } from '@nestjs/common';

import { TRANSACTION_ATTEMPTS, TransactionRunner } from '../../../src/infra/database/transaction-runner';
import { Public } from '../../../src/modules/access/access-rules';
import { ADDRESS, cancelOrder, createItem, stockOf } from '../../factories/order.factory';
import { bearer, createUser, TestUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';

let runner: TransactionRunner;

/** A route whose transaction always fails with a serialisation failure (SQLSTATE 40001). */
@Controller('test-conflict')
class ConflictController {
  static attempts = 0;

  @Public()
  @Post()
  async conflict(): Promise<void> {
    await runner.run(async (em) => {
      ConflictController.attempts++;
      await em.query(`DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$`);
    });
  }
}

/** Issue 10, case 6: deadlocks and serialisation failures are retried, then 503 — never 500. */
describe('transient database errors', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestApp({}, { controllers: [ConflictController] });
    runner = t.app.get(TransactionRunner);
    admin = await createUser(t, { role: 'admin' });
  });
  afterAll(() => t.close());

  it('retries a transaction Postgres chose as a deadlock victim; both finish', async () => {
    const [a, b] = [await createItem(t, { stock: 1 }), await createItem(t, { stock: 1 })];
    let firstLocks = 0;
    let releaseBarrier!: () => void;
    const barrier = new Promise<void>((resolve) => (releaseBarrier = resolve));
    let attempts = 0;
    // Each transaction locks one row, waits until the other holds its row, then asks for the other's.
    const crossing = (first: string, second: string) =>
      runner.run(async (em) => {
        attempts++;
        await em.query(`UPDATE items SET stock = stock + 1 WHERE id = $1`, [first]);
        if (++firstLocks === 2) releaseBarrier();
        await barrier;
        await em.query(`UPDATE items SET stock = stock + 1 WHERE id = $1`, [second]);
      });
    await Promise.all([crossing(a, b), crossing(b, a)]);
    expect(attempts).toBe(3);
    expect([await stockOf(t, a), await stockOf(t, b)]).toEqual([3, 3]);
  });

  it('answers 503 TRANSACTION_CONFLICT with Retry-After once the retries are used up', async () => {
    ConflictController.attempts = 0;
    const res = await t.http().post('/v1/test-conflict').expect(503);
    expect(res.body).toMatchObject({ statusCode: 503, code: 'TRANSACTION_CONFLICT' });
    expect(res.headers['retry-after']).toBeDefined();
    expect(ConflictController.attempts).toBe(TRANSACTION_ATTEMPTS);
  });

  it('never answers 5xx to concurrent multi-line orders and cancellations over the same items', async () => {
    const items = await Promise.all(
      Array.from({ length: 4 }, () => createItem(t, { stock: 1000, priceCents: 100 })),
    );
    const customers: TestUser[] = [];
    for (let i = 0; i < 4; i++) customers.push(await createUser(t));
    // Lines in every order: the same items, listed in different orders by different requests.
    const order = (n: number) => {
      const lines = items.map((itemId, i) => ({ itemId, quantity: 1 + ((n + i) % 3) }));
      if (n % 2) lines.reverse();
      return t
        .http()
        .post('/v1/orders')
        .set(bearer(customers[n % customers.length]))
        .set('Idempotency-Key', randomUUID())
        .send({ items: lines, shippingAddress: ADDRESS });
    };
    const placed = await Promise.all(Array.from({ length: 16 }, (_, n) => order(n)));
    expect(placed.map((p) => p.status)).toEqual(placed.map(() => 201));
    // Now cancel half while more orders come in over the same rows.
    const answers = await Promise.all([
      ...placed.slice(0, 8).map((p) => cancelOrder(t, admin, p.body.id, 'race')),
      ...Array.from({ length: 16 }, (_, n) => order(n + 16)),
    ]);
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(200));
    // Stock is exact: what the orders still open hold.
    const held = await t.db.query<{ item_id: string; held: string }>(
      `SELECT l.item_id, sum(l.quantity) AS held FROM order_lines l JOIN orders o ON o.id = l.order_id
        WHERE o.status <> 'CANCELLED' AND l.item_id = ANY($1::uuid[]) GROUP BY l.item_id`,
      [items],
    );
    for (const itemId of items) {
      const holding = Number(held.find((h) => h.item_id === itemId)?.held ?? 0);
      expect((await stockOf(t, itemId)) + holding).toBe(1000);
    }
  });
});
