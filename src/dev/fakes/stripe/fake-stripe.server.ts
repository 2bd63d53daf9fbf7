import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

import { CancellableDelays } from '../cancellable-delays';
import { FakeStripeControl, FakeStripeState } from './fake-stripe.control';
import { StripeApiError } from './fake-stripe.errors';
import { FakeStripeLedger, RequestOrigin } from './fake-stripe.ledger';
import {
  CustomerObject,
  EventObject,
  PaymentIntentObject,
  PaymentIntentStatus,
  RefundFailureReason,
  RefundObject,
} from './fake-stripe.objects';
import { Execute, FakeStripeRoutes } from './fake-stripe.routes';
import { FakeWebhookRelay, WebhookDeliveryAttempt, WebhookEndpoint } from './fake-webhook.relay';
import { FaultAction, FaultInjector, FaultOptions, FaultPlan } from './fault-injector';
import { IdempotencyDecision, IdempotencyStore, StoredResponse } from './idempotency-store';
import { FormBodyError, FormObject, parseFormBody } from './parse-form-body';
import { newStripeId } from './stripe-id';

export interface FakeStripeServerOptions {
  /** 0 (default) picks a free port; read it back from `port`. */
  port?: number;
  webhook?: WebhookEndpoint;
  /** Waits between webhook attempts; attempts per delivery = length + 1. Default 200 ms, 1 s, 3 s, 5 s. */
  webhookRetryDelaysMs?: readonly number[];
  /** Per attempt; an endpoint slower than this counts as failed. Default 5 s. */
  webhookTimeoutMs?: number;
  /** `api_version` stamped on events. */
  apiVersion?: string;
  /** Called after every webhook attempt (the standalone entry logs them). */
  onWebhookAttempt?: (attempt: WebhookDeliveryAttempt) => void;
}

/** One API request as the fake saw it; `status` is null when the connection was reset instead of answered. */
export interface FakeStripeRequest {
  method: string;
  path: string;
  status: number | null;
  idempotencyKey: string | null;
  replayed: boolean;
  fault: FaultAction | 'down' | null;
  at: number;
}

const HOST = '127.0.0.1';
// The version stripe@23.1.0 pins; events carry it like events of an account on that version.
const DEFAULT_API_VERSION = '2026-10-28.endive';
const DEFAULT_RETRY_DELAYS_MS = [200, 1000, 3000, 5000];
const DEFAULT_WEBHOOK_TIMEOUT_MS = 5000;
const DEFAULT_WAIT_MS = 10_000;
const MAX_BODY_BYTES = 1024 * 1024;
const HELPER_ORIGIN: RequestOrigin = { requestId: null, idempotencyKey: null };

/**
 * A fake Stripe API on 127.0.0.1 that the real `stripe` SDK talks to (`host`, `port`, `protocol: 'http'`):
 * Customers, PaymentIntents, Refunds, Charges and Events with Stripe's shapes, errors and Idempotency-Key
 * semantics, signed webhook delivery with retries, fault injection, and in-process helpers for tests.
 * Everything is in memory and lost on stop.
 *
 * A request runs: down? → auth → fault plan → idempotency claim → latency → fault before effect (nothing
 * happened, the claim is released) → validate → execute → store the answer → fault after effect (the change
 * happened, the answer is lost) → answer.
 */
export class FakeStripeServer {
  private readonly server: Server;
  private readonly ledger: FakeStripeLedger;
  private readonly relay: FakeWebhookRelay;
  private readonly routes: FakeStripeRoutes;
  private readonly control: FakeStripeControl;
  private readonly faults = new FaultInjector();
  private readonly idempotency = new IdempotencyStore();
  private readonly requestLog: FakeStripeRequest[] = [];
  private readonly latency = new CancellableDelays();
  private readonly apiVersion: string;
  private stopping: Promise<void> | null = null;

  private constructor(options: FakeStripeServerOptions) {
    this.apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
    this.relay = new FakeWebhookRelay({
      retryDelaysMs: options.webhookRetryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
      timeoutMs: options.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
      onAttempt: options.onWebhookAttempt,
    });
    this.ledger = new FakeStripeLedger({
      apiVersion: this.apiVersion,
      webhookEndpoints: () => this.relay.endpointCount,
      onEvent: (event) => this.relay.enqueue(event),
    });
    this.routes = new FakeStripeRoutes(this.ledger);
    this.control = new FakeStripeControl(this);
    this.server = createServer((request, response) => {
      this.onRequest(request, response).catch((error: unknown) => this.crash(response, error));
    });
    // Longer than Node's 5 s default: the SDK pools sockets, and a server-side idle close racing a reuse shows
    // up as a spurious ECONNRESET in tests.
    this.server.keepAliveTimeout = 60_000;
  }

  static async start(options: FakeStripeServerOptions = {}): Promise<FakeStripeServer> {
    const fake = new FakeStripeServer(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(options.port ?? 0, HOST, () => {
        fake.server.off('error', reject);
        resolve();
      });
    });
    if (options.webhook) fake.configureWebhook(options.webhook);
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://${HOST}:${this.port}`;
  }

  /** Spread into the SDK's config: `new Stripe(key, { ...fake.sdkOptions(), maxNetworkRetries: 2 })`. */
  sdkOptions(): { host: string; port: number; protocol: 'http' } {
    return { host: HOST, port: this.port, protocol: 'http' };
  }

  /** Closes the listener and every connection, abandons webhook deliveries and timers. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      this.relay.stop();
      this.faults.clear();
      this.latency.cancelAll();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.stopping;
  }

  // ---- webhooks

  /** Where events go from now on; null stops delivering. May be called any time (e.g. once the app listens). */
  configureWebhook(endpoint: WebhookEndpoint | null): void {
    this.relay.configure(endpoint);
  }

  /** A `Stripe-Signature` header for `payload` with the configured secret (pass an old timestamp to test expiry). */
  signPayload(payload: string, timestamp?: number): string {
    return this.relay.sign(payload, timestamp);
  }

  /** Sends an already emitted event again; resolves with the last attempt of each redelivery. */
  async redeliver(
    eventId: string,
    options: { times?: number; concurrent?: boolean } = {},
  ): Promise<WebhookDeliveryAttempt[]> {
    const times = options.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error('times must be a positive integer');
    const attempts = await this.relay.redeliver(
      this.ledger.event(eventId),
      times,
      options.concurrent ?? false,
    );
    return attempts.filter((attempt): attempt is WebhookDeliveryAttempt => attempt !== undefined);
  }

  /** Every delivery attempt so far, oldest first. */
  deliveries(): WebhookDeliveryAttempt[] {
    return this.relay.attempts();
  }

  /**
   * Resolves with all attempts once `predicate` holds for them, or, without a predicate, once no delivery is
   * pending (queued, in flight or waiting to retry). Rejects after `timeoutMs`.
   */
  waitForDeliveries(
    predicate?: (attempts: WebhookDeliveryAttempt[]) => boolean,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<WebhookDeliveryAttempt[]> {
    return this.relay.waitFor(predicate, timeoutMs);
  }

  /** Resolves once no webhook delivery is pending. */
  async idle(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    await this.relay.waitFor(undefined, timeoutMs);
  }

  // ---- test and dev helpers

  /** What a client confirming with `pm_card_visa` causes: the PaymentIntent succeeds and its event is sent. */
  async succeedPayment(paymentIntentId: string): Promise<PaymentIntentObject> {
    return this.ledger.confirmPaymentIntent(paymentIntentId, 'pm_card_visa', HELPER_ORIGIN);
  }

  /** What a client confirming with `pm_card_chargeDeclined` causes; resolves with the declined PaymentIntent. */
  async failPayment(paymentIntentId: string): Promise<PaymentIntentObject> {
    try {
      this.ledger.confirmPaymentIntent(paymentIntentId, 'pm_card_chargeDeclined', HELPER_ORIGIN);
    } catch (error) {
      if (error instanceof StripeApiError && error.body.type === 'card_error') {
        return this.ledger.paymentIntent(paymentIntentId);
      }
      throw error;
    }
    throw new Error(`Confirming ${paymentIntentId} with a declined card unexpectedly succeeded`);
  }

  /** Refunds created from now on stay `pending` (true) until settleRefund, or succeed at once (false). */
  holdRefunds(hold: boolean): void {
    this.ledger.setHoldRefunds(hold);
  }

  /** The bank settles a pending refund: refund.updated (and refund.failed) are sent. */
  async settleRefund(
    refundId: string,
    outcome: 'succeeded' | 'failed',
    failureReason?: RefundFailureReason,
  ): Promise<RefundObject> {
    return this.ledger.settleRefund(refundId, outcome, failureReason);
  }

  /**
   * A refund made outside Dispatch, as in Stripe's dashboard: no metadata of Dispatch's, refund.created and
   * charge.refunded are sent. Default amount: everything left on the charge.
   */
  async refundInDashboard(paymentIntentId: string, amount?: number): Promise<RefundObject> {
    return this.ledger.createRefund({ paymentIntent: paymentIntentId, amount, metadata: {} }, HELPER_ORIGIN);
  }

  paymentIntent(id: string): PaymentIntentObject | undefined {
    return this.ledger.findPaymentIntent(id);
  }

  paymentIntents(): PaymentIntentObject[] {
    return this.ledger.paymentIntents();
  }

  /** PaymentIntents created with `metadata[orderId]=orderId`, for "at most one PaymentIntent per order". */
  createdPaymentIntentsFor(orderId: string): PaymentIntentObject[] {
    return this.ledger.paymentIntents().filter((intent) => intent.metadata.orderId === orderId);
  }

  refunds(): RefundObject[] {
    return this.ledger.refunds();
  }

  refundsFor(paymentIntentId: string): RefundObject[] {
    return this.ledger.refunds().filter((refund) => refund.payment_intent === paymentIntentId);
  }

  customers(): CustomerObject[] {
    return this.ledger.customers();
  }

  /** Oldest first (`GET /v1/events` lists newest first, as Stripe does). */
  events(): EventObject[] {
    return this.ledger.events();
  }

  /** API requests received, including refused, faulted and replayed ones. */
  requests(): FakeStripeRequest[] {
    return this.requestLog.map((entry) => ({ ...entry }));
  }

  /** E.g. `requestCount('POST', '/v1/refunds')`; both filters optional. */
  requestCount(method?: string, pathPrefix?: string): number {
    return this.requestLog.filter(
      (entry) =>
        (!method || entry.method === method.toUpperCase()) &&
        (!pathPrefix || entry.path.startsWith(pathPrefix)),
    ).length;
  }

  // ---- fault injection

  /** Adds a fault rule; rules stack until `clearFaults()`. See FaultOptions. */
  injectFaults(options: FaultOptions): void {
    this.faults.add(options);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** "Stripe is down": every API request is answered with a connection reset until `setDown(false)`. */
  setDown(down: boolean): void {
    this.faults.setDown(down);
  }

  state(): FakeStripeState {
    const intents = this.ledger.paymentIntents();
    const byStatus: Partial<Record<PaymentIntentStatus, number>> = {};
    for (const intent of intents) byStatus[intent.status] = (byStatus[intent.status] ?? 0) + 1;
    const attempts = this.relay.attempts();
    return {
      customers: this.ledger.customers().length,
      paymentIntents: { total: intents.length, byStatus },
      refunds: this.ledger.refunds().length,
      events: this.ledger.events().length,
      requests: this.requestLog.length,
      webhook: {
        url: this.relay.endpointUrl,
        pending: this.relay.pending,
        attempts: attempts.length,
        delivered: attempts.filter((attempt) => attempt.ok).length,
        failedAttempts: attempts.filter((attempt) => !attempt.ok).length,
      },
      faults: { rules: this.faults.activeRules, down: this.faults.isDown },
    };
  }

  // ---- HTTP

  private async onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', `http://${HOST}`);
    if (url.pathname.startsWith('/__fake/')) return this.control.handle(request, response, url.pathname);

    const method = request.method ?? 'GET';
    const idempotencyKey = header(request, 'idempotency-key');
    const record: FakeStripeRequest = {
      method,
      path: url.pathname,
      status: null,
      idempotencyKey: idempotencyKey ?? null,
      replayed: false,
      fault: null,
      at: Date.now(),
    };
    this.requestLog.push(record);
    if (this.faults.isDown) {
      record.fault = 'down';
      return reset(request);
    }

    const requestId = newStripeId('req', 14);
    const reply = new Reply(
      response,
      record,
      requestId,
      header(request, 'stripe-version') ?? this.apiVersion,
    );
    const raw = await readBody(request);
    if (raw === undefined) return reply.error(StripeApiError.invalidRequest('Request body too large.'));
    const prepare = this.routes.match(method, url.pathname);
    if (!prepare) return reply.error(StripeApiError.unrecognizedUrl(method, url.pathname));
    const apiKey = bearerKey(request);
    if (!apiKey.ok) return reply.error(StripeApiError.unauthenticated(apiKey.message));

    const fault = this.faults.plan(method, url.pathname);
    // Stripe ignores Idempotency-Key on GET; only POSTs change anything.
    const decision: IdempotencyDecision | undefined =
      method === 'POST' && idempotencyKey
        ? this.idempotency.begin(apiKey.key, idempotencyKey, `${method} ${url.pathname}\n${raw}`)
        : undefined;
    const claim = decision?.kind === 'execute' ? decision : undefined;

    if (fault?.latencyMs && !(await this.latency.wait(fault.latencyMs))) {
      claim?.release();
      return reset(request);
    }
    if (fault?.action && !fault.afterEffect) {
      claim?.release();
      return this.fail(request, reply, fault);
    }

    let answer: StoredResponse;
    if (decision?.kind === 'mismatch') {
      answer = errorResponse(StripeApiError.idempotencyMismatch(idempotencyKey ?? ''), requestId);
    } else if (decision?.kind === 'in_flight') {
      answer = errorResponse(StripeApiError.idempotencyKeyInUse(idempotencyKey ?? ''), requestId);
    } else if (decision?.kind === 'replay') {
      answer = decision.response;
      record.replayed = true;
    } else {
      let execute: Execute;
      try {
        execute = prepare(this.params(request, method, url, raw));
      } catch (error) {
        // Invalid parameters: nothing executed, so (like Stripe) no idempotent result is kept.
        claim?.release();
        if (!(error instanceof StripeApiError || error instanceof FormBodyError)) throw error;
        return reply.error(asApiError(error));
      }
      try {
        answer = this.execute(execute, { requestId, idempotencyKey: idempotencyKey ?? null });
      } catch (error) {
        claim?.release();
        throw error;
      }
      claim?.commit(answer);
    }

    if (fault?.action) return this.fail(request, reply, fault);
    reply.send(answer, record.replayed);
  }

  private execute(execute: Execute, origin: RequestOrigin): StoredResponse {
    const requestId = origin.requestId ?? '';
    try {
      return { status: 200, body: JSON.stringify(execute(origin), null, 2), requestId };
    } catch (error) {
      if (error instanceof StripeApiError) return errorResponse(error, requestId);
      throw error;
    }
  }

  private params(request: IncomingMessage, method: string, url: URL, raw: string): FormObject {
    if (method !== 'POST') return parseFormBody(url.search.slice(1));
    const type = header(request, 'content-type') ?? '';
    if (raw !== '' && !type.startsWith('application/x-www-form-urlencoded')) {
      throw StripeApiError.invalidRequest(
        `Invalid request: the body must be application/x-www-form-urlencoded, got ${type || 'no Content-Type'}.`,
      );
    }
    return parseFormBody(raw);
  }

  private fail(request: IncomingMessage, reply: Reply, fault: FaultPlan): void {
    reply.record.fault = fault.action ?? null;
    if (fault.action === 'reset') return reset(request);
    reply.error(StripeApiError.apiError());
  }

  private crash(response: ServerResponse, error: unknown): void {
    // A bug in the fake, not an injected fault: say so loudly instead of pretending to be Stripe.
    const message = `fake Stripe server bug: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ error: { type: 'api_error', message } }));
  }
}

/** Writes one API answer with Stripe's response headers and records its status. */
class Reply {
  constructor(
    private readonly response: ServerResponse,
    readonly record: FakeStripeRequest,
    private readonly requestId: string,
    private readonly apiVersion: string,
  ) {}

  error(error: StripeApiError): void {
    this.send(errorResponse(error, this.requestId), false);
  }

  send(answer: StoredResponse, replayed: boolean): void {
    this.record.status = answer.status;
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(answer.body),
      'Request-Id': this.requestId,
      'Stripe-Version': this.apiVersion,
    };
    if (this.record.idempotencyKey) headers['Idempotency-Key'] = this.record.idempotencyKey;
    if (replayed) {
      headers['Idempotent-Replayed'] = 'true';
      headers['Original-Request'] = answer.requestId;
    }
    this.response.writeHead(answer.status, headers);
    this.response.end(answer.body);
  }
}

function errorResponse(error: StripeApiError, requestId: string): StoredResponse {
  return { status: error.status, body: JSON.stringify({ error: error.body }, null, 2), requestId };
}

function asApiError(error: StripeApiError | FormBodyError): StripeApiError {
  return error instanceof StripeApiError
    ? error
    : StripeApiError.invalidRequest(error.message, { param: error.param });
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function bearerKey(request: IncomingMessage): { ok: true; key: string } | { ok: false; message: string } {
  const authorization = header(request, 'authorization');
  if (!authorization) {
    return {
      ok: false,
      message:
        'You did not provide an API key. You need to provide your API key in the Authorization header, ' +
        'using Bearer auth (e.g. `Authorization: Bearer YOUR_SECRET_KEY`).',
    };
  }
  const bearer = /^Bearer (\S+)$/.exec(authorization);
  // Stripe also takes the key as the Basic-auth user, which is what `curl -u sk_test_…:` sends.
  const basic = /^Basic (\S+)$/.exec(authorization);
  const key = bearer
    ? bearer[1]
    : basic
      ? Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0]
      : '';
  if (!/^sk_\S+$/.test(key)) {
    return { ok: false, message: 'Invalid API Key provided: expected `Authorization: Bearer sk_…`.' };
  }
  return { ok: true, key };
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

/** A TCP reset (not a clean close), so the SDK sees ECONNRESET like a dropped connection to Stripe. */
function reset(request: IncomingMessage): void {
  request.socket.resetAndDestroy();
}
