import { FakeErpServer } from './fake-erp.server';

const USERNAME = 'dispatch';
const PASSWORD = 'erp-secret';
const BASIC = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`;

function orderBody(externalOrderId = 'order-1'): Record<string, unknown> {
  return { externalOrderId, positions: [{ positionNo: 10000, articleNo: 'SKU-1', quantity: 1 }] };
}

describe(FakeErpServer.name, () => {
  let sut: FakeErpServer;

  async function post(
    body: unknown,
    options: { authorization?: string | null; idempotencyKey?: string; path?: string; method?: string } = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (options.authorization !== null) headers.Authorization = options.authorization ?? BASIC;
    if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
    const response = await fetch(`${sut.url}${options.path ?? '/api/v1/orders'}`, {
      method: options.method ?? 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  beforeEach(async () => {
    sut = await FakeErpServer.start({ username: USERNAME, password: PASSWORD });
  });

  afterEach(async () => {
    await sut.stop();
  });

  it('listens on a random loopback port', () => {
    expect(sut.port).toBeGreaterThan(0);
    expect(sut.url).toBe(`http://127.0.0.1:${sut.port}`);
  });

  it('accepts an order with 201 and a sequential reference', async () => {
    const first = await post(orderBody('order-1'), { idempotencyKey: 'erp:order-1' });
    const second = await post(orderBody('order-2'), { idempotencyKey: 'erp:order-2' });

    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      reference: 'ERP-000001',
      externalOrderId: 'order-1',
      receivedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
    });
    expect(second.body.reference).toBe('ERP-000002');
    expect(sut.orders()).toEqual([
      expect.objectContaining({
        reference: 'ERP-000001',
        idempotencyKey: 'erp:order-1',
        body: orderBody('order-1'),
      }),
      expect.objectContaining({ reference: 'ERP-000002', externalOrderId: 'order-2' }),
    ]);
  });

  it.each([
    ['no Authorization header', null],
    ['a wrong password', `Basic ${Buffer.from(`${USERNAME}:nope`).toString('base64')}`],
    ['a Bearer token', 'Bearer abc'],
  ])('answers 401 to %s', async (_case, authorization) => {
    const answer = await post(orderBody(), { authorization });

    expect(answer).toEqual({ status: 401, body: { error: 'unauthorized' } });
    expect(sut.orders()).toHaveLength(0);
  });

  it.each([
    ['invalid JSON', '{"externalOrderId":', 'invalid_json'],
    ['a JSON array', [], 'invalid_order'],
    ['no externalOrderId', { positions: [] }, 'invalid_order'],
    ['no positions', { externalOrderId: 'order-1' }, 'invalid_order'],
    ['positions that are not a list', { externalOrderId: 'order-1', positions: {} }, 'invalid_order'],
  ])('answers 400 to %s', async (_case, body, error) => {
    const answer = await post(body);

    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe(error);
    expect(sut.orders()).toHaveLength(0);
  });

  it('answers 404 and 405 outside POST /api/v1/orders', async () => {
    expect((await post(orderBody(), { path: '/api/v1/nope' })).status).toBe(404);
    const get = await fetch(`${sut.url}/api/v1/orders`, { headers: { Authorization: BASIC } });
    expect(get.status).toBe(405);
    await get.body?.cancel();
  });

  describe('idempotency', () => {
    it('replays the same Idempotency-Key with 200 and the same reference', async () => {
      const first = await post(orderBody(), { idempotencyKey: 'erp:order-1' });

      const replay = await post(orderBody(), { idempotencyKey: 'erp:order-1' });

      expect(replay).toEqual({ status: 200, body: first.body });
      expect(sut.orders()).toHaveLength(1);
    });

    it('replays the same externalOrderId under another key, or none', async () => {
      const first = await post(orderBody(), { idempotencyKey: 'a' });

      const otherKey = await post(orderBody(), { idempotencyKey: 'b' });
      const noKey = await post(orderBody());

      expect(otherKey).toEqual({ status: 200, body: first.body });
      expect(noKey).toEqual({ status: 200, body: first.body });
      expect(sut.orders()).toHaveLength(1);
    });

    it('refuses one Idempotency-Key for two orders with 422', async () => {
      await post(orderBody('order-1'), { idempotencyKey: 'shared' });

      const answer = await post(orderBody('order-2'), { idempotencyKey: 'shared' });

      expect(answer.status).toBe(422);
      expect(answer.body.error).toBe('idempotency_key_reused');
      expect(sut.orders()).toHaveLength(1);
    });
  });

  describe('received()', () => {
    it('records every request with headers, parsed body and status', async () => {
      await post(orderBody(), { idempotencyKey: 'k1' });
      await post('not json');
      await post(orderBody(), { authorization: null });

      const received = sut.received();

      expect(received.map((request) => request.status)).toEqual([201, 400, 401]);
      expect(received[0]).toMatchObject({
        method: 'POST',
        path: '/api/v1/orders',
        body: orderBody(),
        headers: expect.objectContaining({ authorization: BASIC, 'idempotency-key': 'k1' }),
      });
      expect(received[1].body).toBe('not json');
      expect(received[0].at).toBeLessThanOrEqual(received[2].at);
    });
  });

  describe('injectFailures()', () => {
    it('answers the next N requests with the given status, then recovers', async () => {
      sut.injectFailures({ status: 500, count: 2 });

      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await post(orderBody(), { idempotencyKey: 'k' })).status);

      expect(statuses).toEqual([500, 500, 201]);
      expect(sut.orders()).toHaveLength(1);
    });

    it('fails before checking credentials', async () => {
      sut.injectFailures({ status: 503, count: 1 });

      expect((await post(orderBody(), { authorization: null })).status).toBe(503);
    });

    it('keeps failing without a count until clearFailures()', async () => {
      sut.injectFailures({ status: 422 });

      expect((await post(orderBody())).status).toBe(422);
      expect((await post(orderBody())).status).toBe(422);
      sut.clearFailures();
      expect((await post(orderBody())).status).toBe(201);
    });

    it('applies only to bodies the match predicate accepts', async () => {
      sut.injectFailures({
        status: 500,
        match: (body) => (body as { externalOrderId?: string }).externalOrderId === 'poison',
      });

      expect((await post(orderBody('poison'))).status).toBe(500);
      expect((await post(orderBody('fine'))).status).toBe(201);
      expect((await post('not json')).status).toBe(400);
    });

    it('delays the answer by latencyMs and still accepts the order', async () => {
      sut.injectFailures({ latencyMs: 150, count: 1 });
      const startedAt = Date.now();

      const answer = await post(orderBody());

      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
      expect(answer.status).toBe(201);
    });

    it.each([[{}], [{ status: 200 }], [{ status: 500, count: 0 }], [{ latencyMs: -1 }]])(
      'rejects %p',
      (failure) => {
        expect(() => sut.injectFailures(failure)).toThrow();
      },
    );
  });

  describe('setDown()', () => {
    it('resets every request while down and records it without a status', async () => {
      sut.setDown(true);

      await expect(post(orderBody())).rejects.toThrow('fetch failed');

      expect(sut.received()).toEqual([expect.objectContaining({ status: null })]);
      sut.setDown(false);
      expect((await post(orderBody())).status).toBe(201);
    });
  });

  it('stops promptly while a request waits on injected latency', async () => {
    sut.injectFailures({ latencyMs: 30_000 });
    const pending = post(orderBody()).catch((error: unknown) => error);
    await waitUntil(() => sut.received().length === 1);
    const startedAt = Date.now();

    await sut.stop();
    await sut.stop();

    expect(Date.now() - startedAt).toBeLessThan(1000);
    // fetch's errors come from Node's realm, not Jest's, so instanceof Error would not hold.
    expect(await pending).toMatchObject({ message: 'fetch failed' });
    expect(sut.orders()).toHaveLength(0);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}
