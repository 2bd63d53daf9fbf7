import { createHmac } from 'node:crypto';

import { sign } from '@fastify/cookie';

import { BULL_BOARD_COOKIE } from '../../../src/modules/ops/bull-board/bull-board-cookie';
import { createItem, placeOrder, statusOf, waitForStatus } from '../../factories/order.factory';
import { bearer, createUser, TestUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';

const METRICS_TOKEN = 'metrics-token-0123456789';

/**
 * Security gaps next to what is covered elsewhere: payment-lifecycle.int-spec.ts (missing, tampered and
 * expired signatures; 10 concurrent redeliveries; stale events), access-matrix.int-spec.ts (role × route,
 * JWT forgery, mass assignment), auth-flows.int-spec.ts (refresh-token reuse), metrics-and-queue-health
 * (/metrics without or with a wrong token), rate-limit.int-spec.ts (429 + Retry-After on the API login and
 * per user, recovery after the window) and e2e/bull-board.e2e-spec.ts (the browser flow, outside `npm test`).
 */
describe('security: webhook forgery and replay, public and operator surfaces', () => {
  let t: TestApp;
  let customer: TestUser;
  let admin: TestUser;
  let webhookUrl: string;

  beforeAll(async () => {
    t = await startTestApp({ METRICS_TOKEN });
    customer = await createUser(t);
    admin = await createUser(t, { role: 'admin' });
    webhookUrl = `${(await t.app.getUrl()).replace('[::1]', '127.0.0.1')}/v1/payments/webhook`;
  });
  afterAll(() => t.close());

  const postWebhook = (payload: string, signature?: string) => {
    const req = t.http().post('/v1/payments/webhook').set('Content-Type', 'application/json');
    if (signature !== undefined) req.set('Stripe-Signature', signature);
    return req.send(payload);
  };

  /** Stripe's scheme, with any secret, digest and timestamp: `t=<ts>,<scheme>=<hmac(secret, "<ts>.<payload>")>`. */
  const signWith = (
    payload: string,
    {
      secret = t.config.stripe.webhookSecret,
      timestamp = Math.floor(Date.now() / 1000),
      algo = 'sha256',
      scheme = 'v1',
    } = {},
  ) => `t=${timestamp},${scheme}=${createHmac(algo, secret).update(`${timestamp}.${payload}`).digest('hex')}`;

  /** What the order's payment left behind: the rows a forged or replayed event must not add to. */
  const paymentTrail = async (orderId: string) => ({
    status: await statusOf(t, orderId),
    paidTransitions: (
      await t.db.query(`SELECT 1 FROM order_history WHERE order_id = $1 AND to_status = 'PAID'`, [orderId])
    ).length,
    processRows: (
      await t.db.query(`SELECT 1 FROM outbox WHERE aggregate_id = $1 AND type = 'ORDER_PROCESS'`, [orderId])
    ).length,
    inbox: await t.db.query(`SELECT event_id, outcome FROM webhook_events WHERE order_id = $1 ORDER BY 1`, [
      orderId,
    ]),
  });

  describe('webhook forgery', () => {
    it('refuses a payment_intent.succeeded for a real order unless signed with our secret', async () => {
      const itemId = await createItem(t, { stock: 5 });
      const order = (await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201)).body;
      const event = JSON.stringify({
        id: `evt_forged_${order.id}`,
        object: 'event',
        type: 'payment_intent.succeeded',
        created: Math.floor(Date.now() / 1000),
        data: {
          object: { id: order.paymentIntentId, object: 'payment_intent', metadata: { orderId: order.id } },
        },
      });
      const now = Math.floor(Date.now() / 1000);
      const genuine = signWith(event, { timestamp: now });
      const forgeries: Record<string, string | undefined> = {
        'no header': undefined,
        'another secret': signWith(event, { secret: 'whsec_attacker_guess_0123456789' }),
        'the secret, but HMAC-SHA1': signWith(event, { algo: 'sha1' }),
        'only a v0 signature': signWith(event, { scheme: 'v0' }),
        'a genuine signature of another body': t.fakeStripe.signPayload(event.replace('"event"', '"evnt"')),
        'a genuine signature moved to a fresh timestamp': genuine.replace(`t=${now}`, `t=${now + 5}`),
        'the timestamp only': `t=${now}`,
        'an empty v1': `t=${now},v1=`,
      };
      for (const [name, signature] of Object.entries(forgeries)) {
        const res = await postWebhook(event, signature);
        expect({ name, status: res.status, code: res.body.code }).toEqual({
          name,
          status: 400,
          code: 'INVALID_WEBHOOK_SIGNATURE',
        });
      }
      expect(await paymentTrail(order.id)).toEqual({
        status: 'PENDING',
        paidTransitions: 0,
        processRows: 0,
        inbox: [],
      });
    });
  });

  describe('webhook replay', () => {
    it('acknowledges a captured delivery re-sent after processing as a duplicate and changes nothing', async () => {
      const itemId = await createItem(t, { stock: 5 });
      const order = (await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201)).body;
      // Deliver the event ourselves so that we hold the exact bytes and signature an attacker could capture.
      t.fakeStripe.configureWebhook(null);
      try {
        await t.fakeStripe.succeedPayment(order.paymentIntentId);
      } finally {
        t.fakeStripe.configureWebhook({ url: webhookUrl, secret: t.config.stripe.webhookSecret });
      }
      const event = t.fakeStripe
        .events()
        .find(
          (e) =>
            e.type === 'payment_intent.succeeded' &&
            (e.data.object as { id: string }).id === order.paymentIntentId,
        )!;
      const payload = JSON.stringify(event);
      const capturedAt = Math.floor(Date.now() / 1000);
      const signature = t.fakeStripe.signPayload(payload, capturedAt);
      expect((await postWebhook(payload, signature).expect(200)).body).toEqual({
        received: true,
        outcome: 'paid',
      });
      await waitForStatus(t, order.id, 'PROCESSED');
      await t
        .http()
        .patch(`/v1/orders/${order.id}/ship`)
        .set(bearer(admin))
        .send({ carrier: 'DHL', trackingNumber: 'R1' })
        .expect(200);
      const before = await paymentTrail(order.id);
      expect(before).toEqual({
        status: 'SHIPPED',
        paidTransitions: 1,
        processRows: 1,
        inbox: [{ event_id: event.id, outcome: 'paid' }],
      });

      // Later, still inside the 300 s tolerance: the very same bytes and header.
      for (let i = 0; i < 3; i++) {
        expect((await postWebhook(payload, signature).expect(200)).body).toEqual({
          received: true,
          outcome: 'duplicate',
        });
      }
      // Outside the tolerance (as the capture would be after 5 minutes): refused before anything is read.
      const stale = await postWebhook(payload, t.fakeStripe.signPayload(payload, capturedAt - 301)).expect(
        400,
      );
      expect(stale.body.code).toBe('INVALID_WEBHOOK_SIGNATURE');
      // The same event id under a re-signed, different body (say, another order id) is still a duplicate.
      const altered = payload.replace(order.id, '00000000-0000-4000-8000-000000000000');
      expect((await postWebhook(altered, t.fakeStripe.signPayload(altered)).expect(200)).body.outcome).toBe(
        'duplicate',
      );
      expect(await paymentTrail(order.id)).toEqual(before);
    });
  });

  describe('surfaces', () => {
    it('serves /docs and the OpenAPI document to anyone, a bogus token included', async () => {
      for (const headers of [{}, { Authorization: 'Bearer not-a-token' }]) {
        const html = await t.http().get('/docs').set(headers).expect(200);
        expect(html.headers['content-type']).toMatch(/^text\/html/);
        await t.http().get('/docs/openapi.json').set(headers).expect(200);
      }
    });

    it('opens /metrics only to the metrics token, not to a user token of any role', async () => {
      const refused: Record<string, Record<string, string>> = {
        anonymous: {},
        "an admin's access token": bearer(admin),
        'the token without Bearer': { Authorization: METRICS_TOKEN },
        'lower-case bearer': { Authorization: `bearer ${METRICS_TOKEN}` },
        'Basic with the token': {
          Authorization: `Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString('base64')}`,
        },
        'a prefix of the token': { Authorization: `Bearer ${METRICS_TOKEN.slice(0, -1)}` },
      };
      for (const [name, headers] of Object.entries(refused)) {
        const res = await t.http().get('/metrics').set(headers);
        expect({ name, status: res.status, code: res.body.code }).toEqual({
          name,
          status: 401,
          code: 'UNAUTHENTICATED',
        });
      }
      await t.http().get(`/metrics?token=${METRICS_TOKEN}`).expect(401);
      const ok = await t.http().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
      expect(ok.text).toContain('# TYPE dispatch_');
    });

    it('lets only a live admin session into Bull Board, and only through its signed cookie', async () => {
      const cookie = (token: string, secret = t.config.auth.jwtSecret) =>
        `${BULL_BOARD_COOKIE}=${sign(token, secret)}`;
      const api = (headers: Record<string, string> = {}) =>
        t.http().get('/bull-board/api/queues').set(headers);

      expect((await api()).status).toBe(401);
      const page = await t.http().get('/bull-board');
      expect(page.status).toBe(303);
      expect(page.headers.location).toBe('/bull-board/login');
      // A Bearer header is not how Bull Board authenticates, even an admin's.
      expect((await api(bearer(admin))).status).toBe(401);
      expect((await api({ Cookie: cookie(admin.accessToken, 'not-the-jwt-secret-0123456789') })).status).toBe(
        401,
      );
      const asCustomer = await api({ Cookie: cookie(customer.accessToken) });
      expect(asCustomer.status).toBe(403);
      expect(asCustomer.body).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
      expect((await api({ Cookie: cookie(admin.accessToken) })).status).toBe(200);

      // The role and the session are read on every request: a demoted or logged-out admin is out at once.
      const operator = await createUser(t, { role: 'admin' });
      expect((await api({ Cookie: cookie(operator.accessToken) })).status).toBe(200);
      await t.db.query(`UPDATE users SET role = 'customer' WHERE id = $1`, [operator.id]);
      expect((await api({ Cookie: cookie(operator.accessToken) })).status).toBe(403);
      const leaving = await createUser(t, { role: 'admin' });
      await t.http().post('/v1/auth/logout').set(bearer(leaving)).expect(204);
      expect((await api({ Cookie: cookie(leaving.accessToken) })).status).toBe(401);
    });
  });
});

/** Rate limits beyond rate-limit.int-spec.ts: the Bull Board login form, and what must never be throttled. */
describe('security: rate limits on the operator login and exemptions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      TRUST_PROXY: 'true',
      RATE_LIMIT_MAX: '5',
      AUTH_RATE_LIMIT_MAX: '3',
      RATE_LIMIT_WINDOW_MS: '60000',
    });
  });
  afterAll(() => t.close());

  it('limits password guessing at the Bull Board login form like the API login', async () => {
    const admin = await createUser(t, { role: 'admin', headers: { 'X-Forwarded-For': '10.9.0.1' } });
    const guess = () =>
      t
        .http()
        .post('/bull-board/login')
        .set('X-Forwarded-For', '10.9.0.2')
        .type('form')
        .send({ email: admin.email, password: 'guess-0123456789' });
    for (let i = 0; i < 3; i++) expect((await guess()).status).toBe(401);
    const limited = await guess().expect(429);
    expect(limited.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('never throttles Stripe webhooks or health probes, however many arrive from one address', async () => {
    for (let i = 0; i < 12; i++) {
      const webhook = await t
        .http()
        .post('/v1/payments/webhook')
        .set('X-Forwarded-For', '10.9.0.3')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', 't=1,v1=00')
        .send('{}');
      expect(webhook.status).toBe(400);
      await t.http().get('/v1/health/live').set('X-Forwarded-For', '10.9.0.3').expect(200);
    }
  });
});
