import { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

import { CancellableDelays } from '../cancellable-delays';

export interface FakeErpServerOptions {
  /** 0 (default) picks a free port; read it back from `port`. */
  port?: number;
  /** The only Basic-auth credentials accepted. */
  username: string;
  password: string;
  /** Called once per request when it is answered or reset (the standalone entry logs them). */
  onRequest?: (request: FakeErpRequest) => void;
}

/** One request as the fake saw it; `status` is null while in flight or when the connection was reset. */
export interface FakeErpRequest {
  at: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, the raw text when it is not JSON, undefined when empty or not read. */
  body: unknown;
  status: number | null;
}

export interface FakeErpOrder {
  reference: string;
  externalOrderId: string;
  receivedAt: string;
  idempotencyKey: string | null;
  body: Record<string, unknown>;
}

export interface FakeErpFailure {
  /** Answer with this status (e.g. 500, 503, 422) instead of handling the order. */
  status?: number;
  /** Applies to the next N matching requests; without it, to every matching request until clearFailures(). */
  count?: number;
  /** Wait this long before answering. The order is still handled afterwards (unless `status` is set), even
   * if the client gave up: the classic "timed out, but the ERP has it" case that idempotency must absorb. */
  latencyMs?: number;
  /** Which requests the rule applies to, by parsed body; default all. */
  match?: (body: unknown) => boolean;
}

type Json = { ok: true; value: unknown } | { ok: false };
type FailureRule = {
  status?: number;
  remaining: number;
  latencyMs: number;
  match?: (body: unknown) => boolean;
};

const HOST = '127.0.0.1';
const ORDERS_PATH = '/api/v1/orders';
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * A fake X-API (the ERP) on 127.0.0.1 for tests and local runs: `POST /api/v1/orders` with Basic auth,
 * validation, idempotent acceptance (by Idempotency-Key or externalOrderId), injected failures and an outage
 * switch. Everything is in memory and lost on stop.
 *
 * A request runs: down? → read body → failure rule (latency, then status) → auth → validate → idempotency →
 * accept. Injected failures come before auth because they model what stands in front of the ERP (load
 * balancer, overloaded host), which answers without looking at credentials.
 */
export class FakeErpServer {
  private readonly server: Server;
  private readonly requestLog: FakeErpRequest[] = [];
  private readonly accepted: FakeErpOrder[] = [];
  private readonly byIdempotencyKey = new Map<string, FakeErpOrder>();
  private readonly byExternalId = new Map<string, FakeErpOrder>();
  private readonly latency = new CancellableDelays();
  private readonly expectedAuthorization: string;
  private failures: FailureRule[] = [];
  private down = false;
  private sequence = 0;
  private listeningPort = 0;
  private stopping: Promise<void> | null = null;

  private constructor(private readonly options: FakeErpServerOptions) {
    this.expectedAuthorization = `${options.username}:${options.password}`;
    this.server = createServer((request, response) => {
      this.onRequest(request, response).catch((error: unknown) => this.crash(response, error));
    });
    // Longer than Node's 5 s default: fetch pools sockets, and a server-side idle close racing a reuse shows up
    // as a spurious "other side closed" in tests.
    this.server.keepAliveTimeout = 60_000;
  }

  static async start(options: FakeErpServerOptions): Promise<FakeErpServer> {
    const fake = new FakeErpServer(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(options.port ?? 0, HOST, () => {
        fake.server.off('error', reject);
        fake.listeningPort = (fake.server.address() as AddressInfo).port;
        resolve();
      });
    });
    return fake;
  }

  /** Still answers after stop(), so a test can aim a client at a port nobody listens on. */
  get port(): number {
    return this.listeningPort;
  }

  /** The base URL, without the API path. */
  get url(): string {
    return `http://${HOST}:${this.port}`;
  }

  /** Closes the listener and every connection and cancels pending latency. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      this.failures = [];
      this.latency.cancelAll();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.stopping;
  }

  // ---- test helpers

  /** Every request so far, oldest first, including refused, failed and reset ones. */
  received(): FakeErpRequest[] {
    return this.requestLog.map((entry) => ({ ...entry, headers: { ...entry.headers } }));
  }

  /** Distinct accepted orders, oldest first; a replayed submission does not add one. */
  orders(): FakeErpOrder[] {
    return this.accepted.map((order) => ({ ...order }));
  }

  /** Adds a rule; rules are checked in the order added and the first that matches applies. */
  injectFailures(failure: FakeErpFailure): void {
    const { status, count, latencyMs = 0, match } = failure;
    if (status !== undefined && (!Number.isInteger(status) || status < 400 || status > 599)) {
      throw new Error(`status must be a 4xx or 5xx, got ${status}`);
    }
    if (count !== undefined && (!Number.isInteger(count) || count < 1)) {
      throw new Error(`count must be a positive integer, got ${count}`);
    }
    if (!Number.isFinite(latencyMs) || latencyMs < 0)
      throw new Error(`latencyMs must be >= 0, got ${latencyMs}`);
    if (status === undefined && latencyMs === 0)
      throw new Error('injectFailures needs a status or latencyMs');
    this.failures.push({ status, remaining: count ?? Number.POSITIVE_INFINITY, latencyMs, match });
  }

  clearFailures(): void {
    this.failures = [];
  }

  /** "The ERP is down": open connections are destroyed and every new request is reset until setDown(false). */
  setDown(down: boolean): void {
    this.down = down;
    if (down) this.server.closeAllConnections();
  }

  // ---- HTTP

  private async onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', `http://${HOST}`).pathname;
    const method = request.method ?? 'GET';
    const record: FakeErpRequest = {
      at: Date.now(),
      method,
      path,
      headers: { ...request.headers },
      body: undefined,
      status: null,
    };
    this.requestLog.push(record);
    if (this.down) return this.reset(request, record);

    const raw = await readBody(request);
    if (raw === undefined) return this.answer(response, record, 413, { error: 'payload_too_large' });
    const json = parseJson(raw);
    record.body = json.ok ? json.value : raw === '' ? undefined : raw;

    if (path !== ORDERS_PATH) return this.answer(response, record, 404, { error: 'not_found' });
    if (method !== 'POST') return this.answer(response, record, 405, { error: 'method_not_allowed' });

    const failure = this.takeFailure(record.body);
    if (failure && failure.latencyMs > 0 && !(await this.latency.wait(failure.latencyMs))) {
      return this.reset(request, record);
    }
    if (failure?.status !== undefined) {
      return this.answer(response, record, failure.status, {
        error: 'injected_failure',
        status: failure.status,
      });
    }
    if (!this.authorized(request)) return this.answer(response, record, 401, { error: 'unauthorized' });
    if (!json.ok) return this.answer(response, record, 400, { error: 'invalid_json' });
    const invalid = validate(json.value);
    if (invalid) return this.answer(response, record, 400, { error: 'invalid_order', message: invalid });

    const body = json.value as Record<string, unknown> & { externalOrderId: string };
    const idempotencyKey = header(request, 'idempotency-key') ?? null;
    const byKey = idempotencyKey ? this.byIdempotencyKey.get(idempotencyKey) : undefined;
    if (byKey && byKey.externalOrderId !== body.externalOrderId) {
      // One key, two orders: a caller bug (a key per attempt or a shared key) that the fake should surface.
      return this.answer(response, record, 422, {
        error: 'idempotency_key_reused',
        message: `Idempotency-Key ${idempotencyKey} was used for order ${byKey.externalOrderId}`,
      });
    }
    const existing = byKey ?? this.byExternalId.get(body.externalOrderId);
    if (existing) {
      if (idempotencyKey) this.byIdempotencyKey.set(idempotencyKey, existing);
      return this.answer(response, record, 200, view(existing));
    }

    const order: FakeErpOrder = {
      reference: `ERP-${String(++this.sequence).padStart(6, '0')}`,
      externalOrderId: body.externalOrderId,
      receivedAt: new Date().toISOString(),
      idempotencyKey,
      body,
    };
    this.accepted.push(order);
    this.byExternalId.set(order.externalOrderId, order);
    if (idempotencyKey) this.byIdempotencyKey.set(idempotencyKey, order);
    this.answer(response, record, 201, view(order));
  }

  /** The first matching rule with uses left, consuming one use. */
  private takeFailure(body: unknown): FailureRule | undefined {
    const rule = this.failures.find((candidate) => candidate.remaining > 0 && matches(candidate, body));
    if (!rule) return undefined;
    rule.remaining--;
    if (rule.remaining === 0) this.failures = this.failures.filter((candidate) => candidate !== rule);
    return rule;
  }

  private authorized(request: IncomingMessage): boolean {
    const basic = /^Basic\s+(\S+)$/i.exec(header(request, 'authorization') ?? '');
    return basic !== null && Buffer.from(basic[1], 'base64').toString('utf8') === this.expectedAuthorization;
  }

  private answer(response: ServerResponse, record: FakeErpRequest, status: number, body: unknown): void {
    record.status = status;
    const text = JSON.stringify(body);
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
    };
    if (status === 401) headers['WWW-Authenticate'] = 'Basic realm="X-API"';
    // The client may have timed out and gone; writing to a destroyed socket is a no-op.
    response.writeHead(status, headers);
    response.end(text);
    this.options.onRequest?.(record);
  }

  /** A TCP reset, not a clean close, so fetch fails the way it does when the ERP host drops off. */
  private reset(request: IncomingMessage, record: FakeErpRequest): void {
    // Already gone when stop() or setDown() closed it during a latency wait.
    if (!request.socket.destroyed) request.socket.resetAndDestroy();
    this.options.onRequest?.(record);
  }

  private crash(response: ServerResponse, error: unknown): void {
    // A bug in the fake, not an injected failure: say so loudly instead of pretending to be the ERP.
    const message = `fake ERP server bug: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ error: 'fake_bug', message }));
  }
}

function matches(rule: FailureRule, body: unknown): boolean {
  if (!rule.match) return true;
  try {
    return rule.match(body);
  } catch {
    // A predicate that throws on an unexpected body (e.g. text) simply does not match it.
    return false;
  }
}

/** The reason the body is not an order X-API accepts, or undefined when it is one. */
function validate(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'body must be a JSON object';
  const body = value as Record<string, unknown>;
  if (typeof body.externalOrderId !== 'string' || body.externalOrderId === '') {
    return 'externalOrderId is required';
  }
  if (!Array.isArray(body.positions)) return 'positions must be an array';
  return undefined;
}

function view(order: FakeErpOrder): { reference: string; externalOrderId: string; receivedAt: string } {
  return { reference: order.reference, externalOrderId: order.externalOrderId, receivedAt: order.receivedAt };
}

function parseJson(raw: string): Json {
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false };
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The body as text, or undefined when it exceeds the limit. */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
