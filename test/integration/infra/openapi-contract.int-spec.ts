import { randomUUID } from 'node:crypto';

import request from 'supertest';

import { ADDRESS, createItem, placeOrder, refundOrder, waitForStatus } from '../../factories/order.factory';
import { itemInput } from '../../factories/item.factory';
import { bearer, createUser, TestUser } from '../../factories/user.factory';
import { startTestApp, TestApp } from '../../setup/test-app';
import { waitFor } from '../../setup/wait-for';
import {
  lintOpenApi,
  ObservedResponse,
  ResponseContract,
  typeCheckClient,
} from '../../support/openapi-contract';

type Json = Record<string, unknown>;
type Operation = Json & { responses: Record<string, Json>; parameters?: Json[]; security?: unknown[] };

/** supertest parser that keeps a binary body as a Buffer. */
function binary(res: NodeJS.ReadableStream, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('OpenAPI document: lint, real answers, generated client', () => {
  let t: TestApp;
  let admin: TestUser;
  let customer: TestUser;
  let spec: Json & { paths: Record<string, Record<string, Operation>>; components: Json };
  let contract: ResponseContract;

  /** Sends the request and checks its answer against the operation `METHOD route` of the document. */
  async function answer(method: string, route: string, req: request.Test): Promise<request.Response> {
    const res = await req;
    contract.check(method, route, res);
    return res;
  }
  const operations = (): [string, string, Operation][] =>
    Object.entries(spec.paths).flatMap(([route, item]) =>
      Object.entries(item).map(([method, op]) => [route, method, op] as [string, string, Operation]),
    );

  beforeAll(async () => {
    t = await startTestApp();
    admin = await createUser(t, { role: 'admin' });
    customer = await createUser(t);
    spec = (await t.http().get('/docs/openapi.json').expect(200)).body;
    contract = new ResponseContract(spec);
  });
  afterAll(() => t.close());

  describe('the document', () => {
    it('passes Redocly’s recommended rules with no error', async () => {
      const problems = await lintOpenApi(spec);
      const errors = problems.filter((p) => p.severity === 'error');
      expect(errors.map((p) => `${p.ruleId} ${p.pointer}: ${p.message}`)).toEqual([]);
      // The only warnings allowed: the health probes answer no 4xx at all (nothing to put in the document).
      const warnings = problems.filter((p) => p.severity === 'warn').map((p) => `${p.ruleId} ${p.pointer}`);
      for (const warning of warnings)
        expect(warning).toMatch(/^operation-4xx-response #\/paths\/~1v1~1health~1\w+\/get\/responses$/);
    });

    it('gives every operation a summary, typed answers and ErrorResponse with its codes for each error', () => {
      for (const [route, method, op] of operations()) {
        const where = `${method.toUpperCase()} ${route}`;
        expect([where, typeof op.summary === 'string' && op.summary.length > 0]).toEqual([where, true]);
        expect([where, Array.isArray(op.security)]).toEqual([where, true]);
        for (const [status, response] of Object.entries(op.responses)) {
          const at = `${where} ${status}`;
          const headers = response.headers as Json;
          expect([at, Object.keys(headers ?? {})]).toEqual([
            at,
            expect.arrayContaining(['X-Correlation-Id']),
          ]);
          if (status === '204') continue;
          const content = response.content as Record<string, { schema?: Json }> | undefined;
          expect([at, Object.keys(content ?? {}).length > 0]).toEqual([at, true]);
          for (const media of Object.values(content!))
            expect([at, media.schema]).toEqual([at, expect.any(Object)]);
          if (Number(status) >= 400) {
            expect([at, content!['application/json']?.schema]).toEqual([
              at,
              { $ref: '#/components/schemas/ErrorResponse' },
            ]);
            expect([at, response.description]).toEqual([at, expect.stringMatching(/`[A-Z][A-Z_]+`/)]);
          }
        }
      }
    });

    it('marks public operations with security: [] and the others with the bearer scheme', () => {
      const security = (route: string, method: string) => spec.paths[route][method].security;
      for (const [route, method] of [
        ['/v1/auth/register', 'post'],
        ['/v1/auth/login', 'post'],
        ['/v1/auth/refresh', 'post'],
        ['/v1/items', 'get'],
        ['/v1/items/{id}', 'get'],
        ['/v1/health/live', 'get'],
        ['/v1/health/ready', 'get'],
        ['/v1/payments/webhook', 'post'],
      ])
        expect([route, security(route, method)]).toEqual([route, []]);
      expect(security('/v1/orders', 'post')).toEqual([{ bearer: [] }]);
      expect(security('/v1/ops/failed-jobs', 'get')).toEqual([{ bearer: [] }]);
      expect(spec.paths['/v1/auth/register'].post.responses['401']).toBeUndefined();
    });

    it('documents the headers: Idempotency-Key, Stripe-Signature, X-Correlation-Id, Retry-After', () => {
      const header = (op: Operation, name: string) =>
        op.parameters?.find((p) => p.in === 'header' && p.name === name);
      for (const [route, method] of [
        ['/v1/orders', 'post'],
        ['/v1/orders/{id}/cancel', 'patch'],
        ['/v1/orders/{id}/refund', 'patch'],
      ]) {
        const key = header(spec.paths[route][method], 'Idempotency-Key');
        expect([route, key]).toEqual([
          route,
          expect.objectContaining({
            required: true,
            description: expect.stringMatching(/IDEMPOTENCY_KEY_REUSED/),
          }),
        ]);
      }
      expect(header(spec.paths['/v1/payments/webhook'].post, 'Stripe-Signature')).toMatchObject({
        required: true,
      });
      const placeOrderOp = spec.paths['/v1/orders'].post;
      expect(placeOrderOp.responses['429'].headers).toMatchObject({
        'Retry-After': { schema: { type: 'integer' } },
      });
      expect(placeOrderOp.responses['201'].headers).toHaveProperty('X-Correlation-Id');
      expect(header(placeOrderOp, 'X-Correlation-Id')).toMatchObject({ required: false });
    });

    it('types money and counts as integers, timestamps as date-time, and allows the nulls the API sends', () => {
      const schemas = spec.components.schemas as Record<string, { properties: Record<string, Json> }>;
      expect(schemas.OrderResponse.properties.totalCents).toMatchObject({ type: 'integer' });
      expect(schemas.OrderResponse.properties.createdAt).toMatchObject({
        type: 'string',
        format: 'date-time',
      });
      expect(schemas.OrderItemResponse.properties.quantity).toMatchObject({ type: 'integer' });
      expect(schemas.ItemPageResponse.properties.total).toMatchObject({ type: 'integer' });
      expect(schemas.OrderHistoryResponse.properties.fromStatus).toMatchObject({ nullable: true });
      expect(schemas.OrderHistoryResponse.properties.fromStatus.enum).toContain(null);
      const pdf = spec.paths['/v1/invoices/{id}.pdf'].get.responses['200'].content as Json;
      expect(pdf).toEqual({ 'application/pdf': { schema: { type: 'string', format: 'binary' } } });
      const csv = spec.paths['/v1/exports/{id}/download'].get.responses['200'].content as Json;
      expect(csv).toEqual({ 'text/csv': { schema: { type: 'string', format: 'binary' } } });
    });
  });

  describe('real answers match it', () => {
    it('the check refuses answers the document does not allow', () => {
      const headers = {
        'content-type': 'application/json; charset=utf-8',
        'x-correlation-id': 'client-abc-12345',
      };
      const placed = { status: 201, headers, body: { id: 'x', totalCents: 12.5 } };
      expect(() => contract.check('post', '/v1/orders', placed)).toThrow(/does not match/);
      const teapot = { status: 418, headers, body: {} };
      expect(() => contract.check('post', '/v1/orders', teapot)).toThrow(/does not list/);
      const html = { status: 200, headers: { ...headers, 'content-type': 'text/html' }, body: '' };
      expect(() => contract.check('get', '/v1/items', html)).toThrow(/content type text\/html/);
      const error = (code: string, details: unknown) => ({
        status: 409,
        headers,
        body: { statusCode: 409, code, message: 'm', details, correlationId: 'client-abc-12345' },
      });
      const register = (res: ObservedResponse) => () => contract.check('post', '/v1/auth/register', res);
      expect(register(error('EMAIL_TAKEN', 3))).toThrow(/does not match/);
      expect(register(error('SKU_TAKEN', {}))).toThrow(/not among those listed/);
      expect(
        register({ ...error('EMAIL_TAKEN', {}), headers: { 'content-type': 'application/json' } }),
      ).toThrow(/X-Correlation-Id/);
      expect(register(error('EMAIL_TAKEN', { from: 'PENDING' }))).not.toThrow();
    });

    it('auth and users', async () => {
      const email = `contract-${randomUUID()}@example.com`;
      const body = { email, password: 'correct-horse-battery', name: 'Contract' };
      await answer('post', '/v1/auth/register', t.http().post('/v1/auth/register').send(body).expect(201));
      const taken = await answer(
        'post',
        '/v1/auth/register',
        t.http().post('/v1/auth/register').send(body).expect(409),
      );
      expect(taken.body.code).toBe('EMAIL_TAKEN');
      const invalid = await answer(
        'post',
        '/v1/auth/register',
        t.http().post('/v1/auth/register').send({ email: 'nope', extra: 1 }).expect(400),
      );
      expect(invalid.body.code).toBe('VALIDATION_FAILED');
      const register = () => t.http().post('/v1/auth/register');
      await answer(
        'post',
        '/v1/auth/register',
        register().set('Content-Type', 'application/json').send('{"e').expect(400),
      );
      await answer(
        'post',
        '/v1/auth/register',
        register().set('Content-Type', 'application/xml').send('<a/>').expect(415),
      );
      await answer(
        'post',
        '/v1/auth/register',
        register()
          .send({ ...body, name: 'x'.repeat(70 * 1024) })
          .expect(413),
      );
      const login = await answer(
        'post',
        '/v1/auth/login',
        t.http().post('/v1/auth/login').send({ email, password: body.password }).expect(200),
      );
      await answer(
        'post',
        '/v1/auth/login',
        t.http().post('/v1/auth/login').send({ email, password: 'wrong-password-1' }).expect(401),
      );
      await answer(
        'post',
        '/v1/auth/refresh',
        t.http().post('/v1/auth/refresh').send({ refreshToken: login.body.refreshToken }).expect(200),
      );
      await answer('get', '/v1/users/me', t.http().get('/v1/users/me').set(bearer(customer)).expect(200));
      const anonymous = await answer('get', '/v1/users/me', t.http().get('/v1/users/me').expect(401));
      expect(anonymous.body.code).toBe('UNAUTHENTICATED');
      await answer(
        'patch',
        '/v1/users/me',
        t.http().patch('/v1/users/me').set(bearer(customer)).send({ language: 'pt-BR' }).expect(200),
      );
      const password = (currentPassword: string) =>
        t
          .http()
          .patch('/v1/users/me/password')
          .set(bearer(login.body))
          .send({ currentPassword, newPassword: 'another-horse-battery' });
      const wrong = await answer('patch', '/v1/users/me/password', password('not-the-password').expect(400));
      expect(wrong.body.code).toBe('WRONG_CURRENT_PASSWORD');
      await answer('patch', '/v1/users/me/password', password(body.password).expect(204));
      await answer(
        'post',
        '/v1/auth/logout',
        t.http().post('/v1/auth/logout').set(bearer(login.body)).expect(204),
      );
    });

    it('catalog', async () => {
      const created = await answer(
        'post',
        '/v1/items',
        t.http().post('/v1/items').set(bearer(admin)).send(itemInput()).expect(201),
      );
      await answer('get', '/v1/items', t.http().get('/v1/items?limit=5').expect(200));
      await answer('get', '/v1/items/{id}', t.http().get(`/v1/items/${created.body.id}`).expect(200));
      const missing = await answer(
        'get',
        '/v1/items/{id}',
        t.http().get(`/v1/items/${UNKNOWN_ID}`).expect(404),
      );
      expect(missing.body.code).toBe('ITEM_NOT_FOUND');
      await answer('get', '/v1/items/{id}', t.http().get('/v1/items/not-a-uuid').expect(400));
      const forbidden = await answer(
        'post',
        '/v1/items',
        t.http().post('/v1/items').set(bearer(customer)).send(itemInput()).expect(403),
      );
      expect(forbidden.body.code).toBe('FORBIDDEN');
      await answer(
        'patch',
        '/v1/items/{id}',
        t.http().patch(`/v1/items/${created.body.id}`).set(bearer(admin)).send({ stock: 3 }).expect(200),
      );
      const sku = await answer(
        'post',
        '/v1/items',
        t
          .http()
          .post('/v1/items')
          .set(bearer(admin))
          .send(itemInput({ sku: created.body.sku }))
          .expect(409),
      );
      expect(sku.body.code).toBe('SKU_TAKEN');
      await answer(
        'delete',
        '/v1/items/{id}',
        t.http().delete(`/v1/items/${created.body.id}`).set(bearer(admin)).expect(204),
      );
    });

    it('orders, payment, refund and invoice', async () => {
      const itemId = await createItem(t, { stock: 10, priceCents: 1250 });
      const noKey = await answer(
        'post',
        '/v1/orders',
        t
          .http()
          .post('/v1/orders')
          .set(bearer(customer))
          .send({ items: [{ itemId, quantity: 1 }], shippingAddress: ADDRESS })
          .expect(400),
      );
      expect(noKey.body.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
      const placed = await placeOrder(t, customer, [{ itemId, quantity: 2 }]).expect(201);
      contract.check('post', '/v1/orders', placed);
      const orderId = placed.body.id as string;
      const unknownItem = await placeOrder(t, customer, [{ itemId: UNKNOWN_ID, quantity: 1 }]).expect(422);
      contract.check('post', '/v1/orders', unknownItem);
      expect(unknownItem.body.code).toBe('ORDER_ITEM_NOT_FOUND');

      await answer('get', '/v1/orders', t.http().get('/v1/orders').set(bearer(customer)).expect(200));
      await answer(
        'get',
        '/v1/orders/{id}',
        t.http().get(`/v1/orders/${orderId}`).set(bearer(customer)).expect(200),
      );
      const notMine = await answer(
        'get',
        '/v1/orders/{id}',
        t.http().get(`/v1/orders/${UNKNOWN_ID}`).set(bearer(customer)).expect(404),
      );
      expect(notMine.body.code).toBe('ORDER_NOT_FOUND');
      const noInvoice = await answer(
        'get',
        '/v1/invoices/{id}.pdf',
        t.http().get(`/v1/invoices/${orderId}.pdf`).set(bearer(customer)).expect(404),
      );
      expect(noInvoice.body.code).toBe('INVOICE_NOT_READY');
      const illegal = await answer(
        'patch',
        '/v1/orders/{id}/ship',
        t
          .http()
          .patch(`/v1/orders/${orderId}/ship`)
          .set(bearer(admin))
          .send({ carrier: 'DHL', trackingNumber: 'TRACK-1' })
          .expect(409),
      );
      expect(illegal.body.code).toBe('ILLEGAL_ORDER_TRANSITION');

      await t.fakeStripe.succeedPayment(placed.body.paymentIntentId);
      await waitForStatus(t, orderId, 'PROCESSED');
      const history = await answer(
        'get',
        '/v1/orders/{id}/history',
        t.http().get(`/v1/orders/${orderId}/history`).set(bearer(customer)).expect(200),
      );
      expect(history.body[0].fromStatus).toBeNull();
      await answer(
        'get',
        '/v1/orders/{id}/jobs',
        t.http().get(`/v1/orders/${orderId}/jobs`).set(bearer(customer)).expect(200),
      );
      const tooMuch = await refundOrder(t, admin, orderId, {
        amountCents: 999_999,
        reason: 'too much',
      }).expect(422);
      contract.check('patch', '/v1/orders/{id}/refund', tooMuch);
      expect(tooMuch.body.code).toBe('REFUND_EXCEEDS_CAPTURED');
      const refund = await refundOrder(t, admin, orderId, { amountCents: 500, reason: 'damaged box' }).expect(
        202,
      );
      contract.check('patch', '/v1/orders/{id}/refund', refund);
      expect(refund.body).toMatchObject({ orderId, amountCents: 500 });
      const fulfil = (step: string, body: object = {}) =>
        t.http().patch(`/v1/orders/${orderId}/${step}`).set(bearer(admin)).send(body).expect(200);
      const shipment = { carrier: 'DHL', trackingNumber: 'TRACK-2' };
      await answer('patch', '/v1/orders/{id}/ship', fulfil('ship', shipment));
      const delivered = await answer('patch', '/v1/orders/{id}/deliver', fulfil('deliver'));
      expect(delivered.body.status).toBe('DELIVERED');

      await waitFor(
        async () =>
          (
            await t.db.query(`SELECT 1 FROM invoices WHERE order_id = $1 AND stored_at IS NOT NULL`, [
              orderId,
            ])
          ).length === 1,
        { what: 'invoice stored' },
      );
      const pdf = await answer(
        'get',
        '/v1/invoices/{id}.pdf',
        t
          .http()
          .get(`/v1/invoices/${orderId}.pdf`)
          .set(bearer(customer))
          .buffer(true)
          .parse(binary as never)
          .expect(200),
      );
      expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    });

    it('cancel of an unpaid order and the idempotency conflict', async () => {
      const itemId = await createItem(t, { stock: 10 });
      const placed = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
      const key = randomUUID();
      const cancel = (reason: string) =>
        t
          .http()
          .patch(`/v1/orders/${placed.body.id}/cancel`)
          .set(bearer(admin))
          .set('Idempotency-Key', key)
          .send({ reason });
      await answer('patch', '/v1/orders/{id}/cancel', cancel('customer asked').expect(200));
      const reused = await answer('patch', '/v1/orders/{id}/cancel', cancel('another reason').expect(422));
      expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('exports', async () => {
      const requested = await answer(
        'post',
        '/v1/exports/orders',
        t.http().post('/v1/exports/orders').set(bearer(admin)).send({ status: 'DELIVERED' }).expect(202),
      );
      const exportId = requested.body.exportId as string;
      await answer(
        'post',
        '/v1/exports/orders',
        t.http().post('/v1/exports/orders').set(bearer(admin)).send({ status: 'LOST' }).expect(400),
      );
      await waitFor(
        async () => {
          const res = await answer(
            'get',
            '/v1/exports/{id}',
            t.http().get(`/v1/exports/${exportId}`).set(bearer(admin)).expect(200),
          );
          return res.body.status === 'completed' ? res.body : undefined;
        },
        { what: 'export completed' },
      );
      await answer(
        'get',
        '/v1/exports/{id}/download',
        t
          .http()
          .get(`/v1/exports/${exportId}/download`)
          .set(bearer(admin))
          .buffer(true)
          .parse(binary as never)
          .expect(200),
      );
      const missing = await answer(
        'get',
        '/v1/exports/{id}/download',
        t.http().get(`/v1/exports/${UNKNOWN_ID}/download`).set(bearer(admin)).expect(404),
      );
      expect(missing.body.code).toBe('EXPORT_NOT_FOUND');
    });

    it('operator console', async () => {
      for (const route of ['failed-jobs', 'stuck-outbox', 'unmatched-payments', 'audit'])
        await answer(
          'get',
          `/v1/ops/${route}`,
          t.http().get(`/v1/ops/${route}`).set(bearer(admin)).expect(200),
        );
      const noJob = await answer(
        'post',
        '/v1/ops/jobs/{queue}/{jobId}/retry',
        t
          .http()
          .post('/v1/ops/jobs/orders/no-such-job/retry')
          .set(bearer(admin))
          .send({ reason: 'retry it' })
          .expect(404),
      );
      expect(noJob.body.code).toBe('JOB_NOT_FOUND');
      const itemId = await createItem(t, { stock: 10 });
      const placed = await placeOrder(t, customer, [{ itemId, quantity: 1 }]).expect(201);
      await answer(
        'post',
        '/v1/ops/orders/{id}/resolve',
        t
          .http()
          .post(`/v1/ops/orders/${placed.body.id}/resolve`)
          .set(bearer(admin))
          .send({ reason: 'checked by hand' })
          .expect(200),
      );
      await answer(
        'get',
        '/v1/ops/audit',
        t.http().get(`/v1/ops/audit?target=order/${placed.body.id}`).set(bearer(admin)).expect(200),
      );
      await answer(
        'get',
        '/v1/ops/failed-jobs',
        t.http().get('/v1/ops/failed-jobs').set(bearer(customer)).expect(403),
      );
    });

    it('health and the webhook', async () => {
      for (const route of ['live', 'ready', 'queues'])
        await answer('get', `/v1/health/${route}`, t.http().get(`/v1/health/${route}`).expect(200));
      const unsigned = await answer(
        'post',
        '/v1/payments/webhook',
        t
          .http()
          .post('/v1/payments/webhook')
          .set('Content-Type', 'application/json')
          .set('Stripe-Signature', 't=1,v1=00')
          .send('{"id":"evt_1"}')
          .expect(400),
      );
      expect(unsigned.body.code).toBe('INVALID_WEBHOOK_SIGNATURE');
    });
  });

  describe('coverage', () => {
    // Runs after the answers above (Jest keeps the order of a file's tests).
    it('checked a real answer of every operation of the document', () => {
      const answered = new Set([...contract.checked].map((entry) => entry.split(' ').slice(0, 2).join(' ')));
      const missing = operations()
        .map(([route, method]) => `${method.toUpperCase()} ${route}`)
        .filter((operation) => !answered.has(operation));
      expect(missing).toEqual([]);
    });
  });

  describe('a client generated from it (openapi-typescript)', () => {
    const client = (branch: string) => `
      import type { paths } from './api';

      type PlaceOrder = paths['/v1/orders']['post'];
      type Responses = PlaceOrder['responses'];
      type Body<R> = R extends { content: { 'application/json': infer B } } ? B : never;
      /** What a fetch wrapper hands back: the status narrows the body. */
      export type Answer = { [S in keyof Responses]: { status: S; body: Body<Responses[S]> } }[keyof Responses];
      export type Request = PlaceOrder['requestBody'] extends { content: { 'application/json': infer B } } | undefined
        ? B
        : never;

      export const order: Request = {
        items: [{ itemId: '${UNKNOWN_ID}', quantity: 1 }],
        shippingAddress: { name: 'A', line1: 'B', city: 'C', postalCode: 'D', country: 'BR' },
      };
      export function describe(res: Answer): string {
        ${branch}
        return 'unexpected';
      }
    `;

    it('type-checks a client that narrows to the success and the error branches', () => {
      const diagnostics = typeCheckClient(
        spec,
        client(`
          if (res.status === 201) {
            const total: number = res.body.totalCents;
            const secret: string | undefined = res.body.clientSecret;
            return \`\${res.body.id} \${total} \${secret ?? ''}\`;
          }
          if (res.status === 409) {
            const code: string = res.body.code;
            const details = res.body.details;
            return Array.isArray(details) ? details.map((d) => d.field).join() : code;
          }`),
      );
      expect(diagnostics).toEqual([]);
    });

    it('refuses a client that reads an error field off the success body', () => {
      const diagnostics = typeCheckClient(
        spec,
        client(`
          if (res.status === 201) return res.body.code;`),
      );
      expect(diagnostics.join('\n')).toMatch(/Property 'code' does not exist/);
    });
  });
});
