import { createHmac, randomUUID } from 'node:crypto';

import { createItem, placeOrder } from '../../factories/order.factory';
import { bearer, createUser, TestUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';

type Who = 'anonymous' | 'customer' | 'other' | 'admin';

/**
 * Role × route matrix: every protected endpoint answers 401 to anonymous callers, 403 to customers on
 * admin routes and 404 to another customer's resources. Statuses other than these are what the caller may
 * do (2xx, or a 4xx about the body/state, never 401/403/404 for an allowed caller).
 */
describe('security: role × route matrix and token forgery', () => {
  let t: TestApp;
  let users: Record<Exclude<Who, 'anonymous'>, TestUser>;
  let orderId: string;
  let itemId: string;

  beforeAll(async () => {
    t = await startTestApp();
    users = {
      customer: await createUser(t),
      other: await createUser(t),
      admin: await createUser(t, { role: 'admin' }),
    };
    itemId = await createItem(t, { stock: 100 });
    orderId = (await placeOrder(t, users.customer, [{ itemId, quantity: 1 }]).expect(201)).body.id;
  });
  afterAll(() => t.close());

  const call = (who: Who, method: 'get' | 'post' | 'patch' | 'delete', url: string, body?: object) => {
    const req = t.http()[method](url);
    if (who !== 'anonymous') req.set(bearer(users[who]));
    // The admin money routes take an Idempotency-Key (a fresh one per call: each is a new request).
    req.set('Idempotency-Key', randomUUID());
    return body ? req.send(body) : req;
  };

  // [method, url, expected for anonymous, customer (owner), other customer, admin]
  const matrix = (): [
    string,
    'get' | 'post' | 'patch' | 'delete',
    string,
    object | undefined,
    number[],
  ][] => [
    ['my profile', 'get', '/v1/users/me', undefined, [401, 200, 200, 200]],
    ['list orders', 'get', '/v1/orders', undefined, [401, 200, 200, 200]],
    ['get order', 'get', `/v1/orders/${orderId}`, undefined, [401, 200, 404, 200]],
    ['order history', 'get', `/v1/orders/${orderId}/history`, undefined, [401, 200, 404, 200]],
    ['order jobs', 'get', `/v1/orders/${orderId}/jobs`, undefined, [401, 200, 404, 200]],
    ['invoice', 'get', `/v1/invoices/${orderId}.pdf`, undefined, [401, 404, 404, 404]],
    [
      'ship',
      'patch',
      `/v1/orders/${orderId}/ship`,
      { carrier: 'DHL', trackingNumber: 'T' },
      [401, 403, 403, 409],
    ],
    ['deliver', 'patch', `/v1/orders/${orderId}/deliver`, undefined, [401, 403, 403, 409]],
    ['refund', 'patch', `/v1/orders/${orderId}/refund`, { reason: 'x' }, [401, 403, 403, 409]],
    ['cancel', 'patch', `/v1/orders/${orderId}/cancel`, { reason: 'x' }, [401, 403, 403, 200]],
    ['unmatched payments', 'get', '/v1/ops/unmatched-payments', undefined, [401, 403, 403, 200]],
    [
      'create item',
      'post',
      '/v1/items',
      { sku: 'SEC-1', name: 'n', priceCents: 1, currency: 'EUR', stock: 1 },
      [401, 403, 403, 201],
    ],
    [
      'update item',
      'patch',
      `/v1/items/${'00000000-0000-4000-8000-000000000000'}`,
      { name: 'x' },
      [401, 403, 403, 404],
    ],
    [
      'delete item',
      'delete',
      `/v1/items/${'00000000-0000-4000-8000-000000000000'}`,
      undefined,
      [401, 403, 403, 404],
    ],
    ['export orders', 'post', '/v1/exports/orders', {}, [401, 403, 403, 202]],
    ['failed jobs', 'get', '/v1/ops/failed-jobs', undefined, [401, 403, 403, 200]],
    ['stuck outbox', 'get', '/v1/ops/stuck-outbox', undefined, [401, 403, 403, 200]],
    ['mailbox', 'get', '/v1/dev/mailbox', undefined, [401, 403, 403, 200]],
    ['logout', 'post', '/v1/auth/logout', undefined, [401, 204, 204, 204]],
  ];

  it('answers every role as specified', async () => {
    const who: Who[] = ['anonymous', 'customer', 'other', 'admin'];
    const failures: string[] = [];
    // Logout last: it ends the sessions the other rows use.
    for (const [name, method, url, body, expected] of matrix()) {
      for (let i = 0; i < who.length; i++) {
        const res = await call(who[i], method, url, body);
        if (res.status !== expected[i])
          failures.push(`${name} as ${who[i]}: ${res.status} (expected ${expected[i]})`);
      }
    }
    expect(failures).toEqual([]);
  });

  describe('forged and stale tokens', () => {
    let victim: TestUser;
    const forge = (header: object, payload: object, key: string) => {
      const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const head = `${enc(header)}.${enc(payload)}`;
      return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
    };

    beforeAll(async () => {
      victim = await createUser(t);
    });

    it('rejects a token signed with the wrong key, alg none, an expired token and one after logout', async () => {
      const [, payload] = victim.accessToken.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
        sub: string;
        sid: string;
        exp: number;
      };
      const wrongKey = forge({ alg: 'HS256', typ: 'JWT' }, claims, 'not-the-server-secret-0123456789abcdef');
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
      const expired = forge(
        { alg: 'HS256', typ: 'JWT' },
        { ...claims, exp: Math.floor(Date.now() / 1000) - 10 },
        t.config.auth.jwtSecret,
      );
      const admin = forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, sub: users.admin.id }, 'guess');
      for (const token of [wrongKey, none, expired, admin]) {
        const res = await t.http().get('/v1/users/me').set('Authorization', `Bearer ${token}`).expect(401);
        expect(res.body.code).toBe('INVALID_ACCESS_TOKEN');
      }
      // Signed correctly but pointing at another user's session: the session/user pair must match.
      const swapped = forge(
        { alg: 'HS256', typ: 'JWT' },
        { ...claims, sub: users.admin.id },
        t.config.auth.jwtSecret,
      );
      await t.http().get('/v1/users/me').set('Authorization', `Bearer ${swapped}`).expect(401);
      await t.http().get('/v1/users/me').set(bearer(victim)).expect(200);
      await t.http().post('/v1/auth/logout').set(bearer(victim)).expect(204);
      await t.http().get('/v1/users/me').set(bearer(victim)).expect(401);
    });

    it('ignores or rejects mass-assigned fields (role, status, prices) and writes nothing', async () => {
      const customer = await createUser(t);
      await t.http().patch('/v1/users/me').set(bearer(customer)).send({ role: 'admin' }).expect(400);
      await t.http().patch('/v1/users/me').set(bearer(customer)).send({ id: users.admin.id }).expect(400);
      const me = await t.http().get('/v1/users/me').set(bearer(customer)).expect(200);
      expect(me.body).toMatchObject({ id: customer.id, role: 'customer' });
      const res = await t
        .http()
        .post('/v1/orders')
        .set(bearer(customer))
        .set('Idempotency-Key', 'mass-assign-1')
        .send({
          items: [{ itemId, quantity: 1 }],
          shippingAddress: { name: 'a', line1: 'b', city: 'c', postalCode: 'd', country: 'DE' },
          status: 'PAID',
          userId: users.admin.id,
        })
        .expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['status', 'userId']);
      expect(await t.db.query(`SELECT 1 FROM orders WHERE user_id = $1`, [customer.id])).toHaveLength(0);
    });
  });
});
