import { randomUUID } from 'node:crypto';

import fc from 'fast-check';

import { OrderStatus } from '../../../src/modules/orders/order-state';
import { ADDRESS, createItem, placeOrder } from '../../factories/order.factory';
import { bearer, createUser, TestUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';
import {
  badDate,
  badLength,
  badUuid,
  expectHandled,
  expectRejected,
  heapUsedAfterGc,
  hostileText,
  MB,
  Method,
  Probe,
  send,
  unstorableText,
  WriteWatcher,
} from '../../support/fuzz-harness';

const RUNS = 40;

type Query = [string, string][];

/** Percent-encodes the UTF-8 bytes of `text` (encodeURIComponent throws on an unpaired surrogate). */
const pct = (text: string) =>
  [...Buffer.from(text, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, '0')}`,
    )
    .join('');

const queryString = (query: Query) => query.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');

/** A query value `@Type(() => Number) @IsInt() @Min(min) @Max(max)` refuses (Number() is what it applies). */
const badIntParam = (min: number, max: number): fc.Arbitrary<string> =>
  fc
    .oneof(
      hostileText,
      fc.constantFrom('1.5', '-1', '0', '1e400', '9007199254740993', 'NaN', 'Infinity', '1_000', '१२'),
      fc.bigInt({ min: 2n ** 53n }).map(String),
    )
    .filter((s) => {
      const n = Number(s);
      return !(Number.isInteger(n) && n >= min && n <= max);
    });

const anyParam: fc.Arbitrary<string> = fc.oneof(
  hostileText,
  fc.integer().map(String),
  fc.bigInt().map(String),
  fc.uuid(),
  fc.constantFrom(...Object.values(OrderStatus)),
  fc.constantFrom('2024-01-01', '2024-01-01T00:00:00Z'),
);

const strings = (a: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  a.filter((v): v is string => typeof v === 'string');

interface QuerySpec {
  url: string;
  as: 'anonymous' | 'customer' | 'admin';
  params: Record<string, fc.Arbitrary<string>>;
}

/**
 * Property-based fuzzing of query strings, path parameters and the headers the API reads, against the real
 * app: what the API must refuse is a 4xx in the standard error shape with a stable code; what may happen to
 * be valid (a read with a lucky value) is never a 5xx; and nothing at all is written.
 */
describe('fuzz: query strings, path parameters and headers', () => {
  let t: TestApp;
  let watcher: WriteWatcher;
  let customer: TestUser;
  let admin: TestUser;
  let itemId: string;
  let heapAtStart: number;

  beforeAll(async () => {
    t = await startTestApp({}, { role: 'api' });
    watcher = new WriteWatcher(t);
    customer = await createUser(t);
    admin = await createUser(t, { role: 'admin' });
    itemId = await createItem(t, { stock: 50, priceCents: 1000 });
    await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
    heapAtStart = heapUsedAfterGc();
  });
  afterAll(async () => {
    await watcher?.close();
    await t?.close();
  });

  const headersFor = (as: QuerySpec['as']) =>
    as === 'anonymous' ? {} : bearer(as === 'admin' ? admin : customer);

  const specs = (): QuerySpec[] => [
    {
      url: '/v1/items',
      as: 'anonymous',
      params: { page: badIntParam(1, 1_000_000), limit: badIntParam(1, 100) },
    },
    ...(['customer', 'admin'] as const).map((as): QuerySpec => ({
      url: '/v1/orders',
      as,
      params: {
        page: badIntParam(1, 1_000_000),
        limit: badIntParam(1, 100),
        status: hostileText.filter((s) => !Object.values(OrderStatus).includes(s as OrderStatus)),
        from: strings(badDate),
        to: strings(badDate),
        userId: badUuid,
      },
    })),
    { url: '/v1/ops/failed-jobs', as: 'admin', params: { limit: badIntParam(1, 500) } },
    {
      url: '/v1/ops/stuck-outbox',
      as: 'admin',
      params: { limit: badIntParam(1, 500), olderThanSeconds: badIntParam(0, 30 * 86400) },
    },
    {
      url: '/v1/ops/audit',
      as: 'admin',
      params: {
        limit: badIntParam(1, 500),
        // A URL carries UTF-8 bytes: an unpaired surrogate cannot be sent, a NUL (%00) can.
        target: fc.oneof(
          badLength(1, 200),
          unstorableText.filter((s) => s.includes('\u0000')),
        ),
      },
    },
  ];

  const UNKNOWN_KEYS = [
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'valueOf',
    'hasOwnProperty',
    'sort',
    'userId',
    'role',
    '',
    'page[]',
    'a.b',
  ];

  /** Queries each endpoint must refuse: some declared params invalid, or an undeclared one. */
  const invalidQuery = (spec: QuerySpec): fc.Arbitrary<Query> => {
    const keys = Object.keys(spec.params);
    const corrupted = fc
      .subarray(keys, { minLength: 1 })
      .chain((picked) => fc.tuple(...picked.map((k) => spec.params[k].map((v): [string, string] => [k, v]))));
    const unknown = fc
      .tuple(
        fc.oneof(fc.constantFrom(...UNKNOWN_KEYS), hostileText).filter((k) => !keys.includes(k)),
        hostileText,
      )
      .map((pair): Query => [pair]);
    // A declared key given twice is an array, which no param accepts.
    const repeated = fc.tuple(fc.constantFrom(...keys), anyParam, anyParam).map(([k, a, b]): Query => [
      [k, a],
      [k, b],
    ]);
    return fc.oneof(corrupted, corrupted, unknown, repeated);
  };

  it('refuses invalid query strings on every listing', async () => {
    await watcher.expectNoWrites(async () => {
      for (const spec of specs()) {
        await fc.assert(
          fc.asyncProperty(invalidQuery(spec), async (query) => {
            const probe: Probe = {
              method: 'get',
              url: `${spec.url}?${queryString(query)}`,
              headers: headersFor(spec.as),
            };
            expectRejected(probe, await send(t, probe), ['VALIDATION_FAILED']);
          }),
          { numRuns: RUNS },
        );
      }
    });
  });

  it('never fails on any query string, raw ones included; a 200 is a well-formed page', async () => {
    const rawQueries = fc.constantFrom(
      '%',
      '%ZZ',
      '%E0%A4%A',
      '%ED%A0%80=1',
      'target=%FF%FE',
      '%00',
      '&&&',
      '=',
      '==&==',
      'page',
      'page=',
      'page=1&&limit=2',
      'page[]=1',
      'page[0]=1',
      'a[b][c]=1',
      '__proto__[role]=admin',
      'constructor[prototype][x]=1',
      `limit=${'9'.repeat(2000)}`,
      `${'a=1&'.repeat(500)}`,
      'page=%F0%9F%A6%84',
      'status=PAID%00',
      'from=2024-01-01T00:00:00%2B25:00',
    );
    const endpoints = [
      ...specs().map((s) => ({ url: s.url, as: s.as })),
      { url: '/v1/dev/mailbox', as: 'admin' as const },
    ];
    await watcher.expectNoWrites(() =>
      fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...endpoints),
          fc.oneof(
            rawQueries,
            fc
              .array(
                fc.tuple(
                  fc.oneof(
                    fc.constantFrom('page', 'limit', 'status', 'from', 'to', 'userId', 'target', 'to'),
                    hostileText,
                  ),
                  anyParam,
                ),
                { maxLength: 4 },
              )
              .map(queryString),
          ),
          async ({ url, as }, query) => {
            const probe: Probe = { method: 'get', url: `${url}?${query}`, headers: headersFor(as) };
            const res = await send(t, probe);
            expectHandled(probe, res, ['VALIDATION_FAILED', 'BAD_REQUEST']);
            if (res.status === 200 && (url === '/v1/items' || url === '/v1/orders')) {
              expect(res.body).toEqual(
                expect.objectContaining({ data: expect.any(Array), total: expect.any(Number) }),
              );
              expect(res.body.limit).toBeLessThanOrEqual(100);
            }
          },
        ),
        { numRuns: RUNS * 3 },
      ),
    );
  });

  describe('path parameters', () => {
    const ship = { carrier: 'DHL', trackingNumber: 'T1' };
    const routes = (): {
      method: Method;
      path: (id: string) => string;
      as: QuerySpec['as'];
      body?: object;
    }[] => [
      { method: 'get', path: (id) => `/v1/items/${id}`, as: 'anonymous' },
      { method: 'patch', path: (id) => `/v1/items/${id}`, as: 'admin', body: { name: 'renamed' } },
      { method: 'delete', path: (id) => `/v1/items/${id}`, as: 'admin' },
      { method: 'get', path: (id) => `/v1/orders/${id}`, as: 'customer' },
      { method: 'get', path: (id) => `/v1/orders/${id}/history`, as: 'admin' },
      { method: 'get', path: (id) => `/v1/orders/${id}/jobs`, as: 'customer' },
      { method: 'patch', path: (id) => `/v1/orders/${id}/ship`, as: 'admin', body: ship },
      { method: 'patch', path: (id) => `/v1/orders/${id}/deliver`, as: 'admin' },
      { method: 'patch', path: (id) => `/v1/orders/${id}/cancel`, as: 'admin', body: { reason: 'x' } },
      { method: 'patch', path: (id) => `/v1/orders/${id}/refund`, as: 'admin', body: { reason: 'x' } },
      { method: 'get', path: (id) => `/v1/invoices/${id}.pdf`, as: 'customer' },
      { method: 'get', path: (id) => `/v1/exports/${id}`, as: 'admin' },
      { method: 'get', path: (id) => `/v1/exports/${id}/download`, as: 'admin' },
      {
        method: 'post',
        path: (id) => `/v1/ops/orders/${id}/resolve`,
        as: 'admin',
        body: { reason: 'operator check' },
      },
      {
        method: 'post',
        path: (id) => `/v1/ops/jobs/orders/${id}/retry`,
        as: 'admin',
        body: { reason: 'operator check' },
      },
      {
        method: 'post',
        path: (id) => `/v1/ops/jobs/${id}/1/retry`,
        as: 'admin',
        body: { reason: 'operator check' },
      },
      { method: 'post', path: (id) => `/v1/dev/orders/${id}/pay`, as: 'customer' },
      { method: 'post', path: (id) => `/v1/dev/orders/${id}/decline`, as: 'customer' },
    ];
    const CODES = [
      'VALIDATION_FAILED',
      'BAD_REQUEST',
      'NOT_FOUND',
      'ITEM_NOT_FOUND',
      'ORDER_NOT_FOUND',
      'EXPORT_NOT_FOUND',
      'INVOICE_NOT_READY',
      'JOB_NOT_FOUND',
    ];
    const segment = fc.oneof(
      { weight: 4, arbitrary: badUuid.map(pct) },
      { weight: 2, arbitrary: fc.uuid() },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '%',
          '%ZZ',
          '%E0%A4%A',
          '%00',
          '..',
          '.',
          '%2F',
          '%2e%2e',
          'x'.repeat(250),
        ),
      },
      { weight: 1, arbitrary: hostileText.map(pct) },
    );

    it('refuses malformed and unknown ids on every route without writing', async () => {
      await watcher.expectNoWrites(() =>
        fc.assert(
          fc.asyncProperty(fc.constantFrom(...routes()), segment, async (route, id) => {
            const probe: Probe = {
              method: route.method,
              url: route.path(id),
              // A valid key, so the money routes judge the id and not the missing header.
              headers: { ...headersFor(route.as), 'Idempotency-Key': randomUUID() },
              payload: route.body ? { kind: 'json', value: route.body } : undefined,
            };
            expectRejected(probe, await send(t, probe), CODES);
          }),
          { numRuns: RUNS * 4 },
        ),
      );
    });
  });

  describe('headers', () => {
    const headerText = fc.string({
      unit: fc
        .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
        .map((c) => String.fromCharCode(c)),
      maxLength: 80,
    });

    it('refuses an order whose Idempotency-Key is missing or malformed, and writes nothing', async () => {
      const body = { items: [{ itemId, quantity: 1 }], shippingAddress: ADDRESS };
      await watcher.expectNoWrites(() =>
        fc.assert(
          fc.asyncProperty(
            fc.oneof(
              // HTTP drops a header value's leading and trailing blanks: judge the value the app receives.
              headerText.filter((k) => !/^[\x21-\x7e]{1,255}$/.test(k.replace(/^[ \t]+|[ \t]+$/g, ''))),
              fc.constant('k'.repeat(256)),
              fc.constant(''),
            ),
            async (key) => {
              const probe: Probe = {
                method: 'post',
                url: '/v1/orders',
                headers: { ...bearer(customer), 'Idempotency-Key': key },
                payload: { kind: 'json', value: body },
              };
              expectRejected(probe, await send(t, probe), ['IDEMPOTENCY_KEY_REQUIRED']);
            },
          ),
          { numRuns: RUNS },
        ),
      );
    });

    it('answers any X-Correlation-Id and Accept-Language without failing, echoing only well-formed ids', async () => {
      await fc.assert(
        fc.asyncProperty(headerText, headerText, async (correlationId, language) => {
          const probe: Probe = {
            method: 'get',
            url: `/v1/items/${randomUUID()}`,
            headers: { 'X-Correlation-Id': correlationId, 'Accept-Language': language },
          };
          const res = await send(t, probe);
          expectRejected(probe, res, ['ITEM_NOT_FOUND']);
          const echoed = res.headers['x-correlation-id'];
          expect(echoed).toMatch(/^[\x21-\x7e]+$/);
          if (echoed !== correlationId) expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
        }),
        { numRuns: RUNS },
      );
    });
  });

  it('keeps the heap flat over all of the above', () => {
    expect(heapUsedAfterGc() - heapAtStart).toBeLessThan(50 * MB);
  });
});
