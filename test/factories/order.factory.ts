import { randomUUID } from 'node:crypto';

import { newRelay } from '../setup/relay';
import { TestApp } from '../setup/test-app';
import { waitFor } from '../setup/wait-for';
import { itemInput } from './item.factory';
import { bearer, TestUser } from './user.factory';

export const ADDRESS = {
  name: 'Ana Souza',
  line1: 'Rua A, 1',
  city: 'São Paulo',
  postalCode: '01000-000',
  country: 'BR',
};

/** Creates an item directly in the database (no cache involved) and returns its id. */
export async function createItem(
  t: TestApp,
  overrides: { stock?: number; priceCents?: number; currency?: string } = {},
): Promise<string> {
  const input = itemInput(overrides);
  const [row] = await t.db.query<{ id: string }>(
    `INSERT INTO items (sku, name, price_cents, currency, stock) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [input.sku, input.name, input.priceCents, input.currency, input.stock],
  );
  return row.id;
}

export function placeOrder(
  t: TestApp,
  user: TestUser,
  items: { itemId: string; quantity: number }[],
  key: string = randomUUID(),
) {
  return t
    .http()
    .post('/v1/orders')
    .set(bearer(user))
    .set('Idempotency-Key', key)
    .send({ items, shippingAddress: ADDRESS });
}

/**
 * POST /orders, sent again with the same Idempotency-Key while the answer is a 503 (a pool wait or a
 * transaction conflict on a loaded machine is a transient answer, not a verdict): the final answer.
 */
export async function placeOrderAnswered(
  t: TestApp,
  user: TestUser,
  items: { itemId: string; quantity: number }[],
  key: string = randomUUID(),
) {
  for (let attempt = 1; ; attempt++) {
    const response = await placeOrder(t, user, items, key);
    if (response.status !== 503 || attempt === 20) return response;
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
}

export async function stockOf(t: TestApp, itemId: string): Promise<number> {
  const [row] = await t.db.query<{ stock: number }>(`SELECT stock FROM items WHERE id = $1`, [itemId]);
  return row.stock;
}

export async function statusOf(t: TestApp, orderId: string): Promise<string> {
  const [row] = await t.db.query<{ status: string }>(`SELECT status FROM orders WHERE id = $1`, [orderId]);
  return row?.status;
}

export async function waitForStatus(
  t: TestApp,
  orderId: string,
  status: string,
  timeoutMs = 60_000,
): Promise<void> {
  await waitFor(async () => ((await statusOf(t, orderId)) === status ? status : undefined), {
    timeoutMs,
    what: `order ${orderId} to be ${status}`,
  });
}

/** PATCH /orders/:id/refund as an admin, with an Idempotency-Key (a fresh one unless given). */
export function refundOrder(
  t: TestApp,
  admin: TestUser,
  orderId: string,
  body: { amountCents?: number; reason: string },
  key: string = randomUUID(),
) {
  return t
    .http()
    .patch(`/v1/orders/${orderId}/refund`)
    .set(bearer(admin))
    .set('Idempotency-Key', key)
    .send(body);
}

/** PATCH /orders/:id/cancel as an admin, with an Idempotency-Key (a fresh one unless given). */
export function cancelOrder(
  t: TestApp,
  admin: TestUser,
  orderId: string,
  reason: string,
  key: string = randomUUID(),
) {
  return t
    .http()
    .patch(`/v1/orders/${orderId}/cancel`)
    .set(bearer(admin))
    .set('Idempotency-Key', key)
    .send({ reason });
}

/**
 * On an api-only app (no worker runs): `paid` orders paid and `unpaid` ones left unpaid, their outbox rows
 * relayed into Redis as jobs nobody has run yet, and the payment window of the unpaid ones closed. What a
 * worker finds after Redis lost those jobs is then up to the test (e.g. `t.redis.flush()`).
 */
export async function placeUnworkedOrders(
  t: TestApp,
  user: TestUser,
  itemId: string,
  counts: { paid: number; unpaid: number },
): Promise<{ paid: string[]; unpaid: string[] }> {
  const paid: string[] = [];
  const unpaid: string[] = [];
  for (let i = 0; i < counts.paid; i++) {
    const placed = await placeOrder(t, user, [{ itemId, quantity: 1 }]).expect(201);
    await t.fakeStripe.succeedPayment(placed.body.paymentIntentId);
    paid.push(placed.body.id);
  }
  for (let i = 0; i < counts.unpaid; i++)
    unpaid.push((await placeOrder(t, user, [{ itemId, quantity: 2 }]).expect(201)).body.id);
  await t.fakeStripe.idle();
  await waitFor(
    async () => (await t.db.query(`SELECT 1 FROM orders WHERE status = 'PAID'`)).length === counts.paid,
    { what: 'every paid order to be PAID' },
  );
  const relay = newRelay(t);
  while ((await relay.relayBatch()) > 0);
  await t.db.query(
    `UPDATE orders SET payment_due_at = now() - interval '1 minute' WHERE id = ANY($1::uuid[])`,
    [unpaid],
  );
  return { paid, unpaid };
}
