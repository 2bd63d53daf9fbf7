import { createHmac, randomUUID } from 'node:crypto';

import fc from 'fast-check';

import { OrderStatus } from '../../../src/modules/orders/order-state';
import { createItem, placeOrder } from '../../factories/order.factory';
import { bearer, createUser, TestUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';
import {
  badDate,
  badEnum,
  badInt,
  badLength,
  badString,
  badUuid,
  BODY_CODES,
  deepJson,
  expectRejected,
  heapUsedAfterGc,
  hostileText,
  hostileValue,
  invalidBody,
  invalidObject,
  MB,
  notObject,
  notString,
  ObjectSpec,
  Payload,
  Probe,
  RawJson,
  send,
  toJson,
  unstorableText,
  WriteWatcher,
} from '../../support/fuzz-harness';

const RUNS = 40;

/** Text a client can put in a header (Node refuses control characters there). */
const headerText = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
    .map((c) => String.fromCharCode(c)),
  maxLength: 60,
});

const badEmail = fc.oneof(
  notString,
  hostileText.filter((s) => !s.includes('@')),
  fc.constant(`${'a'.repeat(250)}@example.com`),
  unstorableText.map((s) => `${s}@example.com`),
);
const badSku = fc.oneof(
  notString,
  hostileText.filter((s) => !/^[A-Za-z0-9._-]{1,64}$/.test(s)),
  fc.constant('A'.repeat(65)),
);
const badCurrency = fc.oneof(
  notString,
  hostileText.filter((s) => !/^[A-Z]{3}$/.test(s)),
  fc.constantFrom('eur', 'EURO', 'E1R', '€€€'),
);

const itemSpec = (optional: boolean): ObjectSpec => ({
  sku: { valid: 'FUZZ-SKU-1', invalid: badSku, optional },
  name: { valid: 'Fuzz item', invalid: badString(1, 200), optional },
  priceCents: { valid: 100, invalid: badInt(0, 100_000_000), optional },
  currency: { valid: 'EUR', invalid: badCurrency, optional },
  stock: { valid: 1, invalid: badInt(0, 1_000_000_000), optional },
});

const addressSpec: ObjectSpec = {
  salutation: { valid: 'other', invalid: badEnum(['male', 'female', 'other']), optional: true },
  name: { valid: 'Ana', invalid: badString(1, 200) },
  line1: { valid: 'Rua A, 1', invalid: badString(1, 200) },
  line2: { valid: 'apto 2', invalid: badString(1, 200), optional: true },
  city: { valid: 'São Paulo', invalid: badString(1, 100) },
  postalCode: { valid: '01000-000', invalid: badString(1, 20) },
  country: {
    valid: 'BR',
    invalid: fc.oneof(
      notString,
      hostileText.filter((s) => !/^[A-Z]{2}$/.test(s)),
    ),
  },
};

/**
 * Property-based fuzzing of every JSON (and form) request body the API accepts, against the real app on
 * real Postgres and Redis: every invalid body is a 4xx in the standard error shape with a stable code, and
 * nothing at all is written (row fingerprints of every table, queued jobs, idempotency markers and the
 * built-in prototypes are compared around each property). Runs as the api process so that nothing in the
 * background writes meanwhile.
 */
describe('fuzz: request bodies never cause a 5xx, a 2xx or a write', () => {
  let t: TestApp;
  let watcher: WriteWatcher;
  let customer: TestUser;
  let admin: TestUser;
  let itemId: string;
  let luxuryItemId: string;
  let orderId: string;
  let heapAtStart: number;

  beforeAll(async () => {
    t = await startTestApp({}, { role: 'api' });
    watcher = new WriteWatcher(t);
    customer = await createUser(t);
    admin = await createUser(t, { role: 'admin' });
    itemId = await createItem(t, { stock: 5, priceCents: 1000 });
    luxuryItemId = await createItem(t, { stock: 1_000_000, priceCents: 100_000_000 });
    orderId = (await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201)).body.id;
    heapAtStart = heapUsedAfterGc();
  });
  afterAll(async () => {
    await watcher?.close();
    await t?.close();
  });

  /** Asserts `RUNS` generated payloads sent to `target` are each refused with one of `codes`; no writes. */
  async function refusesAll<T = Payload>(
    target: (input: T) => Probe,
    inputs: fc.Arbitrary<T>,
    codes: readonly string[] = BODY_CODES,
    numRuns = RUNS,
  ): Promise<void> {
    await watcher.expectNoWrites(() =>
      fc.assert(
        fc.asyncProperty(inputs, async (input) => {
          const probe = target(input);
          expectRejected(probe, await send(t, probe), codes);
        }),
        { numRuns },
      ),
    );
  }

  const asCustomer = () => bearer(customer);
  const asAdmin = () => bearer(admin);

  describe('auth', () => {
    it('POST /auth/register', () =>
      refusesAll(
        (payload) => ({ method: 'post', url: '/v1/auth/register', payload }),
        invalidBody({
          email: { valid: `fuzz-${randomUUID()}@example.com`, invalid: badEmail },
          password: { valid: 'long-enough-password', invalid: badString(10, 128) },
          name: { valid: 'Fuzz', invalid: badString(1, 100) },
          language: { valid: 'en', invalid: badEnum(['en', 'pt-BR']), optional: true },
        }),
      ));

    it('POST /auth/login (malformed)', () =>
      refusesAll(
        (payload) => ({ method: 'post', url: '/v1/auth/login', payload }),
        invalidBody({
          email: { valid: customer.email, invalid: badString(1, 254) },
          password: { valid: 'not-the-password', invalid: badString(1, 128) },
        }),
      ));

    it('POST /auth/login (well-typed, hostile credentials) is a 401', () =>
      refusesAll(
        (payload) => ({ method: 'post', url: '/v1/auth/login', payload }),
        fc
          .record({
            email: fc.oneof(hostileText, fc.constant(customer.email)).filter((s) => s.length >= 1),
            password: hostileText.filter((s) => s.length >= 1 && s !== customer.password),
          })
          .filter(({ email, password }) => email.length <= 254 && password.length <= 128)
          .map((value): Payload => ({ kind: 'json', value })),
        ['INVALID_CREDENTIALS', 'VALIDATION_FAILED'],
        // Each costs an argon2 verification (a decoy one for unknown emails): fewer runs.
        15,
      ));

    it('POST /auth/refresh', () =>
      refusesAll(
        (payload) => ({ method: 'post', url: '/v1/auth/refresh', payload }),
        fc.oneof(
          invalidBody({ refreshToken: { valid: 'x', invalid: badString(1, 200) } }),
          hostileText
            .filter((s) => s.length >= 1 && s.length <= 200)
            .map((refreshToken): Payload => ({ kind: 'json', value: { refreshToken } })),
        ),
        [...BODY_CODES, 'INVALID_REFRESH_TOKEN'],
      ));

    it('POST /auth/logout with a bogus bearer token', () =>
      refusesAll(
        (authorization) => ({
          method: 'post',
          url: '/v1/auth/logout',
          headers: { Authorization: authorization },
        }),
        fc.oneof(
          headerText.map((s) => `Bearer ${s}`),
          headerText,
          fc
            .tuple(fc.nat(customer.accessToken.length - 1), fc.constantFrom('A', 'b', '_', '-', '.'))
            .map(([i, c]) => customer.accessToken.slice(0, i) + c + customer.accessToken.slice(i + 1))
            .filter((token) => token !== customer.accessToken)
            .map((token) => `Bearer ${token}`),
          fc.constantFrom(
            'Bearer',
            'Bearer ',
            'bearer x.y.z',
            'Basic dXNlcjpwYXNz',
            `Bearer ${customer.refreshToken}`,
          ),
        ),
        ['INVALID_ACCESS_TOKEN', 'UNAUTHENTICATED'],
      ));
  });

  describe('users', () => {
    it('PATCH /users/me', () =>
      refusesAll(
        (payload) => ({ method: 'patch', url: '/v1/users/me', headers: asCustomer(), payload }),
        invalidBody({
          name: { valid: 'New Name', invalid: badString(1, 100), optional: true },
          email: { valid: 'new@example.com', invalid: badEmail, optional: true },
          language: { valid: 'pt-BR', invalid: badEnum(['en', 'pt-BR']), optional: true },
        }),
      ));

    it('PATCH /users/me/password', () =>
      refusesAll(
        (payload) => ({ method: 'patch', url: '/v1/users/me/password', headers: asCustomer(), payload }),
        invalidBody({
          currentPassword: { valid: customer.password, invalid: badString(1, 128) },
          newPassword: { valid: 'another-long-password', invalid: badString(10, 128) },
        }),
      ));

    // Each of these costs an argon2 verification: fewer runs.
    it('PATCH /users/me/password (well-formed, wrong current password)', () =>
      refusesAll(
        (payload) => ({ method: 'patch', url: '/v1/users/me/password', headers: asCustomer(), payload }),
        fc
          .record({
            currentPassword: hostileText.filter(
              (s) => s.length >= 1 && s.length <= 128 && s !== customer.password,
            ),
            newPassword: fc.constant('another-long-password'),
          })
          .map((value): Payload => ({ kind: 'json', value })),
        ['WRONG_CURRENT_PASSWORD', 'VALIDATION_FAILED'],
        10,
      ));
  });

  describe('catalog (admin)', () => {
    it('POST /items', () =>
      refusesAll(
        (payload) => ({ method: 'post', url: '/v1/items', headers: asAdmin(), payload }),
        invalidBody(itemSpec(false)),
      ));

    it('PATCH /items/:id', () =>
      refusesAll(
        (payload) => ({ method: 'patch', url: `/v1/items/${itemId}`, headers: asAdmin(), payload }),
        invalidBody(itemSpec(true)),
      ));
  });

  describe('orders', () => {
    const lineSpec: ObjectSpec = {
      itemId: { valid: '00000000-0000-4000-8000-000000000000', invalid: fc.oneof(badUuid, notString) },
      quantity: { valid: 1, invalid: badInt(1, 1000) },
    };
    const badItems = fc.oneof(
      notObject,
      fc.constant([]),
      // Arrays where lines belong: ValidateNested descends into them instead of refusing them.
      fc.constantFrom(
        [[]],
        [[{ itemId: randomUUID(), quantity: 1 }]],
        [{ itemId: randomUUID(), quantity: 1 }, []],
      ),
      fc.constant(Array.from({ length: 51 }, () => ({ itemId: randomUUID(), quantity: 1 }))),
      fc
        .tuple(
          fc.array(fc.constant({ itemId: randomUUID(), quantity: 1 }), { maxLength: 3 }),
          invalidObject(lineSpec),
        )
        .map(([good, bad]) => [...good, bad]),
    );

    /** POST /v1/orders as the customer, with a fresh Idempotency-Key (a replay would hide the refusal). */
    const placeOrderProbe = (payload: Payload): Probe => ({
      method: 'post',
      url: '/v1/orders',
      headers: { ...asCustomer(), 'Idempotency-Key': randomUUID() },
      payload,
    });

    it('POST /orders (invalid body)', () =>
      refusesAll(
        placeOrderProbe,
        invalidBody({
          items: { valid: [{ itemId: randomUUID(), quantity: 1 }], invalid: badItems },
          shippingAddress: {
            valid: Object.fromEntries(Object.entries(addressSpec).map(([k, r]) => [k, r.valid])),
            invalid: invalidObject(addressSpec),
          },
        }),
      ));

    it('POST /orders (well-formed, but unknown items or more than the stock)', () =>
      refusesAll(
        placeOrderProbe,
        fc
          .array(
            fc.oneof(
              fc.record({ itemId: fc.uuid(), quantity: fc.integer({ min: 1, max: 1000 }) }),
              // The item has 5 in stock (one is reserved by the order made in beforeAll).
              fc.record({ itemId: fc.constant(itemId), quantity: fc.integer({ min: 5, max: 1000 }) }),
            ),
            { minLength: 1, maxLength: 5 },
          )
          .filter((items) => items.some((i) => i.itemId !== itemId || i.quantity >= 5))
          .map((items): Payload => ({
            kind: 'json',
            value: {
              items,
              shippingAddress: { name: 'A', line1: 'B', city: 'C', postalCode: 'D', country: 'DE' },
            },
          })),
        ['ORDER_ITEM_NOT_FOUND', 'INSUFFICIENT_STOCK'],
        25,
      ));

    it('POST /orders (in stock, but more than one payment can take)', () =>
      refusesAll(
        placeOrderProbe,
        fc
          .tuple(
            fc.integer({ min: 1, max: 1000 }),
            fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
            fc.integer({ min: 1, max: 50 }),
          )
          .map(([luxury, plain, copies]): Payload => {
            // The same item on many lines is merged: 50 × 1000 of it overflows a 32-bit total many times.
            const lines = Array.from({ length: copies }, () => ({ itemId: luxuryItemId, quantity: luxury }));
            return {
              kind: 'json',
              value: {
                items: plain ? [...lines.slice(0, 49), { itemId, quantity: plain }] : lines,
                shippingAddress: { name: 'A', line1: 'B', city: 'C', postalCode: 'D', country: 'DE' },
              },
            };
          }),
        ['ORDER_TOTAL_TOO_LARGE'],
        20,
      ));

    it('PATCH /orders/:id/ship', () =>
      refusesAll(
        (payload) => ({ method: 'patch', url: `/v1/orders/${orderId}/ship`, headers: asAdmin(), payload }),
        invalidBody({
          carrier: { valid: 'DHL', invalid: badString(1, 100) },
          trackingNumber: { valid: 'T1', invalid: badString(1, 100) },
        }),
      ));

    it('PATCH /orders/:id/cancel', () =>
      refusesAll(
        (payload) => ({ method: 'patch', url: `/v1/orders/${orderId}/cancel`, headers: asAdmin(), payload }),
        invalidBody({ reason: { valid: 'changed mind', invalid: badString(1, 500) } }),
      ));

    it('PATCH /orders/:id/refund', () =>
      refusesAll(
        (payload) => ({ method: 'patch', url: `/v1/orders/${orderId}/refund`, headers: asAdmin(), payload }),
        invalidBody({
          amountCents: { valid: 1, invalid: badInt(1, 100_000_000_000), optional: true },
          reason: { valid: 'damaged', invalid: badString(1, 500) },
        }),
      ));
  });

  describe('operations and documents (admin)', () => {
    const reason: ObjectSpec = { reason: { valid: 'operator check', invalid: badString(3, 500) } };

    it('POST /ops/orders/:id/resolve', () =>
      refusesAll(
        (payload) => ({
          method: 'post',
          url: `/v1/ops/orders/${orderId}/resolve`,
          headers: asAdmin(),
          payload,
        }),
        invalidBody(reason),
      ));

    it('POST /ops/jobs/:queue/:jobId/retry', () =>
      refusesAll(
        (payload) => ({ method: 'post', url: '/v1/ops/jobs/orders/42/retry', headers: asAdmin(), payload }),
        invalidBody(reason),
      ));

    it('POST /exports/orders', () =>
      refusesAll(
        (payload) => ({ method: 'post', url: '/v1/exports/orders', headers: asAdmin(), payload }),
        invalidBody({
          status: { valid: 'PAID', invalid: badEnum(Object.values(OrderStatus)), optional: true },
          from: { valid: '2024-01-01T00:00:00Z', invalid: badDate, optional: true },
          to: { valid: '2025-01-01T00:00:00Z', invalid: badDate, optional: true },
        }),
      ));

    it('POST /bull-board/login (form)', async () => {
      const field = fc.oneof(
        badLength(1, 254),
        fc.array(hostileText, { minLength: 2, maxLength: 3 }),
        hostileText.filter((s) => s.length >= 1 && s.length <= 128),
      );
      await watcher.expectNoWrites(() =>
        fc.assert(
          fc.asyncProperty(
            fc.record({ email: field, password: field, extra: hostileText }, { requiredKeys: [] }),
            async (fields) => {
              const probe: Probe = {
                method: 'post',
                url: '/bull-board/login',
                payload: { kind: 'form', fields },
              };
              const res = await send(t, probe);
              // A browser form: wrong credentials re-render the page (HTML 401); a bad form is a JSON 400.
              if (res.status === 401 && /^text\/html/.test(String(res.headers['content-type']))) return;
              expectRejected(probe, res, ['VALIDATION_FAILED']);
            },
          ),
          { numRuns: 25 },
        ),
      );
    });
  });

  describe('payments webhook', () => {
    const secretSign = (payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)) =>
      `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex')}`;
    const EVENT_TYPES = [
      'payment_intent.succeeded',
      'payment_intent.payment_failed',
      'payment_intent.canceled',
      'charge.refunded',
    ];
    /** Event-like JSON: right and wrong types at every level Stripe's payload has. */
    const hostileEvent: fc.Arbitrary<unknown> = fc.oneof(
      { weight: 1, arbitrary: hostileValue },
      {
        weight: 4,
        arbitrary: fc.record(
          {
            id: fc.oneof(
              fc.uuid().map((u) => `evt_fuzz_${u}`),
              hostileText,
              notString,
            ),
            object: fc.constant('event'),
            type: fc.oneof(fc.constantFrom(...EVENT_TYPES), hostileText, notString),
            created: fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }), hostileValue),
            data: fc.oneof(
              hostileValue,
              fc.record({
                object: fc.oneof(
                  hostileValue,
                  fc.record(
                    {
                      id: fc.oneof(
                        fc.uuid().map((u) => `pi_fuzz_${u}`),
                        hostileText,
                        notString,
                      ),
                      object: fc.oneof(fc.constantFrom('payment_intent', 'charge'), hostileText),
                      payment_intent: fc.oneof(hostileText, notString),
                      metadata: fc.oneof(
                        hostileValue,
                        fc.record({ orderId: fc.oneof(fc.uuid(), badUuid, unstorableText, notString) }),
                      ),
                    },
                    { requiredKeys: [] },
                  ),
                ),
              }),
            ),
          },
          { requiredKeys: ['id', 'type', 'data'] },
        ),
      },
    );

    it('refuses unsigned, forged, re-targeted and expired deliveries of any body', async () => {
      await watcher.expectNoWrites(() =>
        fc.assert(
          fc.asyncProperty(
            hostileEvent.map(toJson),
            fc.constantFrom('none', 'garbage', 'other secret', 'other body', 'expired'),
            headerText,
            async (payload, forgery, garbage) => {
              const now = Math.floor(Date.now() / 1000);
              const signature = {
                none: undefined,
                garbage,
                'other secret': secretSign(payload, 'whsec_not_the_real_secret'),
                'other body': t.fakeStripe.signPayload(`${payload} `),
                expired: t.fakeStripe.signPayload(payload, now - 301),
              }[forgery];
              const probe: Probe = {
                method: 'post',
                url: '/v1/payments/webhook',
                headers: signature === undefined ? {} : { 'Stripe-Signature': signature },
                payload: { kind: 'raw', text: payload, label: `${forgery}: ${payload.slice(0, 80)}` },
              };
              expectRejected(probe, await send(t, probe), ['INVALID_WEBHOOK_SIGNATURE', ...BODY_CODES]);
            },
          ),
          { numRuns: RUNS },
        ),
      );
    });

    it('never fails on a correctly signed but malformed event, and never touches an order', async () => {
      await watcher.expectNoWrites(
        () =>
          fc.assert(
            fc.asyncProperty(hostileEvent.map(toJson), async (payload) => {
              const probe: Probe = {
                method: 'post',
                url: '/v1/payments/webhook',
                headers: { 'Stripe-Signature': t.fakeStripe.signPayload(payload) },
                payload: { kind: 'raw', text: payload, label: payload.slice(0, 120) },
              };
              const res = await send(t, probe);
              if (res.status === 200) {
                expect(res.body).toEqual({
                  received: true,
                  // unmatched: a money event naming no PaymentIntent of ours is kept for an operator (unmatched_payments).
                  outcome: expect.stringMatching(/^(ignored|unknown_order|unmatched|duplicate)$/),
                });
                return;
              }
              expectRejected(probe, res, ['INVALID_WEBHOOK_PAYLOAD', ...BODY_CODES]);
            }),
            { numRuns: RUNS * 2 },
          ),
        // The inbox records every verified event it accepts (that is its job), and a money event that matches no
        // PaymentIntent of ours is kept for review; nothing else may change.
        ['webhook_events', 'unmatched_payments'],
      );
      const applied = await t.db.query(
        `SELECT event_id, outcome FROM webhook_events WHERE outcome NOT IN ('ignored', 'unknown_order', 'unmatched')`,
      );
      expect(applied).toEqual([]);
    });
  });

  describe('any endpoint', () => {
    const endpoints = (): { probe: Probe; codes?: string[] }[] => [
      { probe: { method: 'post', url: '/v1/auth/register' } },
      { probe: { method: 'post', url: '/v1/auth/login' } },
      { probe: { method: 'post', url: '/v1/auth/refresh' } },
      { probe: { method: 'patch', url: '/v1/users/me', headers: asCustomer() } },
      { probe: { method: 'patch', url: '/v1/users/me/password', headers: asCustomer() } },
      { probe: { method: 'post', url: '/v1/items', headers: asAdmin() } },
      { probe: { method: 'patch', url: `/v1/items/${itemId}`, headers: asAdmin() } },
      {
        probe: {
          method: 'post',
          url: '/v1/orders',
          headers: { ...asCustomer(), 'Idempotency-Key': 'fuzz-envelope' },
        },
      },
      { probe: { method: 'patch', url: `/v1/orders/${orderId}/ship`, headers: asAdmin() } },
      { probe: { method: 'patch', url: `/v1/orders/${orderId}/cancel`, headers: asAdmin() } },
      { probe: { method: 'patch', url: `/v1/orders/${orderId}/refund`, headers: asAdmin() } },
      { probe: { method: 'post', url: `/v1/ops/orders/${orderId}/resolve`, headers: asAdmin() } },
      { probe: { method: 'post', url: '/v1/ops/jobs/orders/42/retry', headers: asAdmin() } },
      { probe: { method: 'post', url: '/v1/exports/orders', headers: asAdmin() } },
      { probe: { method: 'post', url: '/v1/payments/webhook' }, codes: ['INVALID_WEBHOOK_SIGNATURE'] },
    ];

    /** Bodies no endpoint may accept, whatever its DTO. */
    const envelopes = (): { label: string; payload: Payload }[] => {
      const oneMb = `{"name":"${'x'.repeat(MB)}"}`;
      return [
        { label: '1 MB JSON', payload: { kind: 'raw', text: oneMb, label: '1 MB' } },
        { label: 'array nested 5000 deep', payload: { kind: 'json', value: deepJson(5000) } },
        { label: 'object nested 5000 deep', payload: { kind: 'json', value: deepJson(5000, 'object') } },
        {
          // As deep as fits under the 64 KB body limit.
          label: 'array nested 32000 deep in a field',
          payload: { kind: 'json', value: { reason: deepJson(32_000), items: deepJson(10) } },
        },
        { label: 'null', payload: { kind: 'json', value: null } },
        { label: 'array', payload: { kind: 'json', value: [{ reason: 'x' }] } },
        { label: 'string', payload: { kind: 'json', value: 'reason' } },
        { label: 'number', payload: { kind: 'json', value: new RawJson('1e400', '1e400') } },
        {
          label: '__proto__ pollution',
          payload: {
            kind: 'raw',
            text: '{"__proto__":{"polluted":true,"role":"admin"}}',
            label: '__proto__',
          },
        },
        {
          label: 'constructor.prototype pollution',
          payload: {
            kind: 'raw',
            text: '{"constructor":{"prototype":{"polluted":true}}}',
            label: 'constructor',
          },
        },
        {
          label: 'invalid UTF-8',
          payload: {
            kind: 'raw',
            text: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xc0, 0x22, 0x7d]),
            label: 'bad UTF-8',
          },
        },
      ];
    };

    it('refuses oversized, deeply nested, non-object and prototype-polluting bodies everywhere', async () => {
      await watcher.expectNoWrites(async () => {
        for (const { probe, codes } of endpoints()) {
          for (const { payload } of envelopes()) {
            const p = { ...probe, payload };
            expectRejected(p, await send(t, p), [...BODY_CODES, ...(codes ?? [])]);
          }
        }
      });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  it('keeps the heap flat over all of the above', () => {
    // Everything above sent well over a thousand requests (a few of 1 MB): a leak per request would show.
    const growth = heapUsedAfterGc() - heapAtStart;
    expect(growth).toBeLessThan(50 * MB);
  });
});
