import { CircuitBreaker, CircuitState } from '../../infra/resilience/circuit-breaker';
import { ErpClient, ErpClientLogger, ErpClientOptions } from './erp.client';
import { ErpOrderPayload, toErpOrder } from './erp-order.transform';
import { FakeErpServer } from '../../dev/fakes/erp/fake-erp.server';
import { ErpRejectedError, ErpUnavailableError } from './fulfilment.errors';

const USERNAME = 'dispatch';
const PASSWORD = 'dispatch-erp-secret';
const OPEN_MS = 30_000;
const THRESHOLD = 3;

class RecordingLogger implements ErpClientLogger {
  readonly entries: Array<{ level: 'log' | 'warn'; fields: Record<string, unknown>; message: string }> = [];

  log(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: 'log', fields, message });
  }

  warn(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: 'warn', fields, message });
  }
}

function payload(orderId = 'order-1'): ErpOrderPayload {
  return toErpOrder({
    orderId,
    createdAt: new Date('2026-03-01T10:00:00.000Z'),
    customer: { name: 'Max Mustermann', email: 'max@example.com', salutation: 'male' },
    shippingAddress: {
      name: 'Max Mustermann',
      line1: 'Hauptstr. 1',
      city: 'Berlin',
      postalCode: '10115',
      country: 'DE',
    },
    currency: 'EUR',
    lines: [{ sku: 'SKU-1', name: 'Tasse', quantity: 2, unitPrice: '9.99' }],
  });
}

describe(ErpClient.name, () => {
  let fake: FakeErpServer;
  let clock: number;
  let breaker: CircuitBreaker;
  let logger: RecordingLogger;
  let sut: ErpClient;

  function client(overrides: Partial<ErpClientOptions> = {}): ErpClient {
    return new ErpClient({
      baseUrl: fake.url,
      username: USERNAME,
      password: PASSWORD,
      timeoutMs: 2000,
      breaker,
      logger,
      ...overrides,
    });
  }

  const meta = (orderId = 'order-1') => ({
    idempotencyKey: `erp-submit:${orderId}`,
    correlationId: 'corr-1',
  });

  beforeAll(async () => {
    fake = await FakeErpServer.start({ username: USERNAME, password: PASSWORD });
  });

  afterAll(async () => {
    await fake.stop();
  });

  beforeEach(() => {
    fake.clearFailures();
    fake.setDown(false);
    clock = 1_000_000;
    breaker = new CircuitBreaker({
      failureThreshold: THRESHOLD,
      openMs: OPEN_MS,
      now: () => clock,
      name: 'erp',
    });
    logger = new RecordingLogger();
    sut = client();
  });

  // One server for the file (start-up is the slow part), so each test uses its own order ids.
  let nextOrder = 0;
  const newOrderId = () => `order-${++nextOrder}`;
  const requestsFor = (orderId: string) =>
    fake
      .received()
      .filter((request) => (request.body as { externalOrderId?: string })?.externalOrderId === orderId);

  it('submits the order and returns the ERP reference', async () => {
    const orderId = newOrderId();

    const result = await sut.submit(payload(orderId), meta(orderId));

    expect(result).toEqual({
      reference: expect.stringMatching(/^ERP-\d{6}$/),
      status: 201,
      body: { reference: result.reference, externalOrderId: orderId, receivedAt: expect.any(String) },
    });
    const [request] = requestsFor(orderId);
    expect(request).toMatchObject({
      method: 'POST',
      path: '/api/v1/orders',
      body: payload(orderId),
      status: 201,
    });
    expect(request.headers).toMatchObject({
      authorization: `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`,
      'content-type': 'application/json',
      'idempotency-key': `erp-submit:${orderId}`,
      'x-correlation-id': 'corr-1',
    });
  });

  it('sends no X-Correlation-Id when none is given, and accepts a baseUrl with a trailing slash', async () => {
    const orderId = newOrderId();

    await client({ baseUrl: `${fake.url}/` }).submit(payload(orderId), { idempotencyKey: `k:${orderId}` });

    expect(requestsFor(orderId)[0].headers).not.toHaveProperty('x-correlation-id');
  });

  it('logs the request and the response without credentials', async () => {
    const orderId = newOrderId();

    const { reference } = await sut.submit(payload(orderId), meta(orderId));

    expect(logger.entries).toEqual([
      {
        level: 'log',
        message: 'ERP request',
        fields: expect.objectContaining({
          method: 'POST',
          url: `${fake.url}/api/v1/orders`,
          externalOrderId: orderId,
        }),
      },
      {
        level: 'log',
        message: 'ERP response',
        fields: expect.objectContaining({ method: 'POST', status: 201, ms: expect.any(Number), reference }),
      },
    ]);
    const logged = JSON.stringify(logger.entries);
    expect(logged).not.toMatch(/authorization/i);
    expect(logged).not.toContain(PASSWORD);
    expect(logged).not.toContain(Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64'));
  });

  it('returns the same reference when the same order is submitted again', async () => {
    const orderId = newOrderId();

    const first = await sut.submit(payload(orderId), meta(orderId));
    const again = await sut.submit(payload(orderId), meta(orderId));

    expect(first.status).toBe(201);
    expect(again).toMatchObject({ reference: first.reference, status: 200 });
    expect(fake.orders().filter((order) => order.externalOrderId === orderId)).toHaveLength(1);
  });

  it('throws ErpRejectedError, permanent, on wrong credentials (401)', async () => {
    const orderId = newOrderId();

    const error = await client({ password: 'wrong' })
      .submit(payload(orderId), meta(orderId))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ErpRejectedError);
    expect(error).toMatchObject({
      code: 'ERP_REJECTED',
      httpStatus: 502,
      retryable: false,
      status: 401,
      body: { error: 'unauthorized' },
    });
    expect(logger.entries.at(-1)).toMatchObject({ level: 'warn', fields: { status: 401 } });
  });

  it('throws ErpUnavailableError, retryable, on a 500', async () => {
    const orderId = newOrderId();
    fake.injectFailures({ status: 500, count: 1 });

    const error = await sut.submit(payload(orderId), meta(orderId)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ErpUnavailableError);
    expect(error).toMatchObject({ code: 'ERP_UNAVAILABLE', httpStatus: 503, retryable: true, status: 500 });
  });

  it('treats 429 as unavailable, not as a rejection', async () => {
    const orderId = newOrderId();
    fake.injectFailures({ status: 429, count: 1 });

    await expect(sut.submit(payload(orderId), meta(orderId))).rejects.toMatchObject({
      status: 429,
      retryable: true,
    });
  });

  it('throws ErpUnavailableError when the ERP is slower than timeoutMs, and the retry gets the same reference', async () => {
    const orderId = newOrderId();
    fake.injectFailures({ latencyMs: 400, count: 1 });
    const startedAt = Date.now();

    const error = await client({ timeoutMs: 100 })
      .submit(payload(orderId), meta(orderId))
      .catch((e: unknown) => e);

    expect(Date.now() - startedAt).toBeLessThan(350);
    expect(error).toBeInstanceOf(ErpUnavailableError);
    expect((error as Error).message).toBe('ERP unavailable: no answer within 100 ms');
    expect(logger.entries.at(-1)).toMatchObject({ level: 'warn', message: 'ERP request failed' });
    // The fake still takes the order once its latency is over, as a slow ERP would: the retry must not duplicate it.
    await waitUntil(() => fake.orders().some((order) => order.externalOrderId === orderId));
    const retry = await sut.submit(payload(orderId), meta(orderId));
    expect(retry.status).toBe(200);
    expect(fake.orders().filter((order) => order.externalOrderId === orderId)).toHaveLength(1);
  });

  it('throws ErpUnavailableError when the connection is reset or refused', async () => {
    const orderId = newOrderId();
    fake.setDown(true);

    await expect(sut.submit(payload(orderId), meta(orderId))).rejects.toBeInstanceOf(ErpUnavailableError);
    fake.setDown(false);
    const closed = await FakeErpServer.start({ username: USERNAME, password: PASSWORD });
    await closed.stop();
    await expect(client({ baseUrl: closed.url }).submit(payload(orderId), meta(orderId))).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });

  describe('circuit breaker', () => {
    it(`opens after ${THRESHOLD} consecutive 5xx, fails fast, and closes after openMs on a successful probe`, async () => {
      const orderId = newOrderId();
      fake.injectFailures({ status: 503 });
      for (let i = 0; i < THRESHOLD; i++) {
        await expect(sut.submit(payload(orderId), meta(orderId))).rejects.toMatchObject({ status: 503 });
      }
      expect(breaker.state).toBe(CircuitState.Open);

      clock += OPEN_MS - 1;
      const fast = await sut.submit(payload(orderId), meta(orderId)).catch((e: unknown) => e);

      expect(fast).toBeInstanceOf(ErpUnavailableError);
      expect(fast).toMatchObject({ retryAfterMs: 1, retryable: true });
      expect((fast as Error).message).toContain('circuit open');
      expect(requestsFor(orderId)).toHaveLength(THRESHOLD);
      expect(logger.entries.at(-1)).toMatchObject({
        level: 'warn',
        message: 'ERP request not sent: circuit open',
      });

      fake.clearFailures();
      clock += 1;
      const probe = await sut.submit(payload(orderId), meta(orderId));

      expect(probe.status).toBe(201);
      expect(breaker.state).toBe(CircuitState.Closed);
      expect(requestsFor(orderId)).toHaveLength(THRESHOLD + 1);
    });

    it('opens again when the probe fails', async () => {
      const orderId = newOrderId();
      fake.injectFailures({ status: 500 });
      for (let i = 0; i < THRESHOLD; i++)
        await sut.submit(payload(orderId), meta(orderId)).catch(() => undefined);
      clock += OPEN_MS;

      await expect(sut.submit(payload(orderId), meta(orderId))).rejects.toMatchObject({ status: 500 });

      expect(breaker.state).toBe(CircuitState.Open);
    });

    it('counts timeouts and network failures', async () => {
      const orderId = newOrderId();
      fake.setDown(true);

      for (let i = 0; i < THRESHOLD; i++)
        await sut.submit(payload(orderId), meta(orderId)).catch(() => undefined);

      expect(breaker.state).toBe(CircuitState.Open);
    });

    it('does not open on 4xx rejections', async () => {
      const orderId = newOrderId();
      fake.injectFailures({ status: 422 });

      for (let i = 0; i < THRESHOLD * 2; i++) {
        await expect(sut.submit(payload(orderId), meta(orderId))).rejects.toBeInstanceOf(ErpRejectedError);
      }

      expect(breaker.state).toBe(CircuitState.Closed);
      expect(requestsFor(orderId)).toHaveLength(THRESHOLD * 2);
    });

    it('does not open on 401 even with a breaker that counts every error', async () => {
      const orderId = newOrderId();
      const wrong = client({ password: 'wrong' });

      for (let i = 0; i < THRESHOLD; i++) {
        await expect(wrong.submit(payload(orderId), meta(orderId))).rejects.toBeInstanceOf(ErpRejectedError);
      }

      expect(breaker.state).toBe(CircuitState.Closed);
    });
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}
