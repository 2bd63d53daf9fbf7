import { IncomingMessage, ServerResponse } from 'node:http';

import { StripeApiError } from './fake-stripe.errors';
import {
  PaymentIntentObject,
  PaymentIntentStatus,
  RefundFailureReason,
  RefundObject,
} from './fake-stripe.objects';
import { FaultOptions } from './fault-injector';
import { WebhookDeliveryAttempt, WebhookEndpoint } from './fake-webhook.relay';

/** What `GET /__fake/state` reports. */
export interface FakeStripeState {
  customers: number;
  paymentIntents: { total: number; byStatus: Partial<Record<PaymentIntentStatus, number>> };
  refunds: number;
  events: number;
  requests: number;
  webhook: {
    url: string | null;
    pending: number;
    attempts: number;
    delivered: number;
    failedAttempts: number;
  };
  faults: { rules: number; down: boolean };
}

/** The server operations the control surface exposes; FakeStripeServer implements them. */
export interface FakeStripeControlTarget {
  succeedPayment(paymentIntentId: string): Promise<PaymentIntentObject>;
  failPayment(paymentIntentId: string): Promise<PaymentIntentObject>;
  holdRefunds(hold: boolean): void;
  settleRefund(
    refundId: string,
    outcome: 'succeeded' | 'failed',
    failureReason?: RefundFailureReason,
  ): Promise<RefundObject>;
  refundInDashboard(paymentIntentId: string, amount?: number): Promise<RefundObject>;
  injectFaults(options: FaultOptions): void;
  clearFaults(): void;
  setDown(down: boolean): void;
  configureWebhook(endpoint: WebhookEndpoint | null): void;
  redeliver(eventId: string, options?: { times?: number; concurrent?: boolean }): Promise<unknown>;
  deliveries(): WebhookDeliveryAttempt[];
  state(): FakeStripeState;
}

type Answer = { status: number; body?: unknown };

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const MAX_BODY_BYTES = 64 * 1024;

/**
 * `/__fake/*`: drives the fake from outside the process (a dev "pays" with one curl, a chaos test in another
 * process injects faults). No API key, but loopback callers only.
 *
 *   POST   /__fake/payment_intents/:id/succeed | /fail
 *   POST   /__fake/payment_intents/:id/refund   body: { amount? }  (a refund made in the dashboard)
 *   PUT    /__fake/refunds/hold       body: { hold: boolean }  (new refunds stay pending while true)
 *   POST   /__fake/refunds/:id/succeed | /fail   body: { failureReason? }  (settle a pending refund)
 *   POST   /__fake/faults            body: injectFaults options, `match.path` as a regex string
 *   DELETE /__fake/faults
 *   POST   /__fake/down  | DELETE /__fake/down
 *   PUT    /__fake/webhook           body: { url, secret }  | DELETE /__fake/webhook
 *   POST   /__fake/events/:id/redeliver   body: { times?, concurrent? }  (answers at once, delivers in background)
 *   GET    /__fake/deliveries | /__fake/state
 */
export class FakeStripeControl {
  constructor(private readonly target: FakeStripeControlTarget) {}

  async handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const answer = LOOPBACK.has(request.socket.remoteAddress ?? '')
      ? await this.answer(request.method ?? 'GET', path, request)
      : {
          status: 403,
          body: { error: { message: 'The fake Stripe control surface answers loopback callers only' } },
        };
    const body = answer.body === undefined ? '' : JSON.stringify(answer.body, null, 2);
    response.writeHead(answer.status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
    });
    response.end(body);
  }

  private async answer(method: string, path: string, request: IncomingMessage): Promise<Answer> {
    try {
      const payment = /^\/__fake\/payment_intents\/([A-Za-z0-9_]+)\/(succeed|fail)$/.exec(path);
      if (payment && method === 'POST') {
        const [, id, outcome] = payment;
        const intent =
          outcome === 'succeed' ? await this.target.succeedPayment(id) : await this.target.failPayment(id);
        return { status: 200, body: intent };
      }
      const dashboardRefund = /^\/__fake\/payment_intents\/([A-Za-z0-9_]+)\/refund$/.exec(path);
      if (dashboardRefund && method === 'POST') {
        const { amount } = (await readJson(request)) as { amount?: unknown };
        if (amount !== undefined && (typeof amount !== 'number' || !Number.isSafeInteger(amount)))
          throw new Error('amount must be an integer');
        return { status: 200, body: await this.target.refundInDashboard(dashboardRefund[1], amount) };
      }
      const settle = /^\/__fake\/refunds\/([A-Za-z0-9_]+)\/(succeed|fail)$/.exec(path);
      if (settle && method === 'POST') {
        const { failureReason } = (await readJson(request)) as { failureReason?: RefundFailureReason };
        const outcome = settle[2] === 'succeed' ? 'succeeded' : 'failed';
        return { status: 200, body: await this.target.settleRefund(settle[1], outcome, failureReason) };
      }
      const redeliver = /^\/__fake\/events\/([A-Za-z0-9_]+)\/redeliver$/.exec(path);
      if (redeliver && method === 'POST') {
        const options = (await readJson(request)) as { times?: number; concurrent?: boolean };
        // Background on purpose: retries may take seconds and the caller polls /__fake/deliveries.
        this.target.redeliver(redeliver[1], options).catch(() => undefined);
        return { status: 202, body: { eventId: redeliver[1], times: options.times ?? 1 } };
      }
      switch (`${method} ${path}`) {
        case 'PUT /__fake/refunds/hold': {
          const { hold } = (await readJson(request)) as { hold?: unknown };
          if (typeof hold !== 'boolean') throw new Error('hold must be true or false');
          this.target.holdRefunds(hold);
          return { status: 200, body: { hold } };
        }
        case 'POST /__fake/faults':
          this.target.injectFaults((await readJson(request)) as FaultOptions);
          return { status: 201, body: this.target.state().faults };
        case 'DELETE /__fake/faults':
          this.target.clearFaults();
          return { status: 204 };
        case 'POST /__fake/down':
        case 'DELETE /__fake/down':
          this.target.setDown(method === 'POST');
          return { status: 200, body: this.target.state().faults };
        case 'PUT /__fake/webhook':
          this.target.configureWebhook((await readJson(request)) as WebhookEndpoint);
          return { status: 200, body: this.target.state().webhook };
        case 'DELETE /__fake/webhook':
          this.target.configureWebhook(null);
          return { status: 204 };
        case 'GET /__fake/deliveries':
          return { status: 200, body: this.target.deliveries() };
        case 'GET /__fake/state':
          return { status: 200, body: this.target.state() };
        default:
          return { status: 404, body: { error: { message: `No fake control route ${method} ${path}` } } };
      }
    } catch (error) {
      if (error instanceof StripeApiError) return { status: error.status, body: { error: error.body } };
      return {
        status: 400,
        body: { error: { message: error instanceof Error ? error.message : String(error) } },
      };
    }
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('Body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('Expected a JSON object');
  return value;
}
