import { randomUUID } from 'node:crypto';

import { demoDispatchUrl } from '../dev-tools.env';

/**
 * `npm run demo:order`: against a running development app (STRIPE_MODE=fake) at DISPATCH_URL (default
 * http://localhost:3000), signs up a demo customer, places an order for the first item in stock, pays it
 * through the fake Stripe (which sends the signed webhook), follows the order until the worker has PROCESSED
 * it, and prints its history, jobs and steps. Needs nothing but the api's URL.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- loosely typed JSON of a demo script
type Json = Record<string, any>;

async function main(): Promise<void> {
  const base = `${demoDispatchUrl().replace(/\/+$/, '')}/v1`;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
  };

  const customer = {
    email: 'demo-customer@dispatch.local',
    password: 'demo-customer-password',
    name: 'Demo Customer',
  };
  await call('POST', '/auth/register', customer);
  const login = await call('POST', '/auth/login', { email: customer.email, password: customer.password });
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  const auth = { authorization: `Bearer ${login.body.accessToken}` };

  const items = await call('GET', '/items?limit=100');
  const item = (items.body.data as { id: string; name: string; stock: number }[]).find((i) => i.stock > 0);
  if (!item) throw new Error('no item in stock: start the app with SEED_TEST_DATA=true or create one');

  const placed = await call(
    'POST',
    '/orders',
    {
      items: [{ itemId: item.id, quantity: 1 }],
      shippingAddress: {
        name: customer.name,
        line1: '1 Demo Street',
        city: 'Lisbon',
        postalCode: '1000-001',
        country: 'PT',
      },
    },
    { ...auth, 'idempotency-key': randomUUID() },
  );
  if (placed.status !== 201) throw new Error(`order failed: ${JSON.stringify(placed.body)}`);
  const orderId = placed.body.id as string;
  console.log(
    `placed order ${orderId} for "${item.name}": ${placed.body.totalCents} ${placed.body.currency} cents, ${placed.body.status}`,
  );

  const paid = await call('POST', `/dev/orders/${orderId}/pay`, undefined, auth);
  if (paid.status !== 202) throw new Error(`payment failed: ${JSON.stringify(paid.body)}`);
  console.log(
    `paid PaymentIntent ${paid.body.paymentIntentId} at the fake Stripe; waiting for the webhook and the worker…`,
  );

  const deadline = Date.now() + 30_000;
  let order = placed.body;
  while (Date.now() < deadline && order.status !== 'PROCESSED') {
    await new Promise((resolve) => setTimeout(resolve, 250));
    order = (await call('GET', `/orders/${orderId}`, undefined, auth)).body;
  }
  const history = await call('GET', `/orders/${orderId}/history`, undefined, auth);
  const jobs = await call('GET', `/orders/${orderId}/jobs`, undefined, auth);
  console.log(`order ${orderId} is ${order.status}`);
  console.table(
    (history.body as unknown as Record<string, unknown>[]).map(({ fromStatus, toStatus, actor, at }) => ({
      fromStatus,
      toStatus,
      actor,
      at,
    })),
  );
  // GET /orders/:id/jobs answers { jobs, steps }: the job runs and the side-effect steps of the order.
  const work = jobs.body as { jobs: Record<string, unknown>[]; steps: Record<string, unknown>[] };
  console.log('jobs:');
  console.table(
    work.jobs.map(({ queue, name, state, attempts, lastError }) => ({
      queue,
      name,
      state,
      attempts,
      lastError,
    })),
  );
  console.log('steps:');
  console.table(work.steps.map(({ step, state, attempts, doneAt }) => ({ step, state, attempts, doneAt })));
  if (order.status !== 'PROCESSED') process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
