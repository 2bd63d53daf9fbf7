import { createHmac } from 'node:crypto';
import { ClientRequest, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

import { EventObject } from './fake-stripe.objects';

export interface WebhookEndpoint {
  url: string;
  secret: string;
}

export interface WebhookDeliveryAttempt {
  eventId: string;
  eventType: string;
  /** 1 for the first try of a delivery, 2 for its first retry, … */
  attempt: number;
  redelivery: boolean;
  url: string;
  /** HTTP status of the answer; null when no answer arrived (refused, reset, timeout). */
  status: number | null;
  error: string | null;
  ok: boolean;
  startedAt: number;
  durationMs: number;
}

export interface WebhookRelayOptions {
  /** Waits between attempts; their count + 1 is the number of attempts per delivery. */
  retryDelaysMs: readonly number[];
  timeoutMs: number;
  onAttempt?: (attempt: WebhookDeliveryAttempt) => void;
}

interface Delivery {
  event: EventObject;
  payload: string;
  redelivery: boolean;
  finish: (last: WebhookDeliveryAttempt | undefined) => void;
}

interface Sleep {
  timer: NodeJS.Timeout;
  wake: (completed: boolean) => void;
}

interface Waiter {
  check: () => void;
  fail: (error: Error) => void;
}

const USER_AGENT = 'Stripe/1.0 (+https://stripe.com/docs/webhooks)';

/**
 * Sends events to the configured endpoint the way Stripe does: JSON body, `Stripe-Signature` freshly signed on
 * every attempt, retries with backoff on a non-2xx answer or a network error. Deliveries for one PaymentIntent
 * go one after another (a later event waits until the earlier one is delivered or given up), so ordering tests
 * are deterministic; different PaymentIntents are delivered in parallel.
 */
export class FakeWebhookRelay {
  private endpoint: WebhookEndpoint | null = null;
  private readonly queues = new Map<string, Delivery[]>();
  private readonly log: WebhookDeliveryAttempt[] = [];
  private readonly sleeps = new Set<Sleep>();
  private readonly inFlight = new Set<ClientRequest>();
  private readonly waiters = new Set<Waiter>();
  private pendingDeliveries = 0;
  private stopped = false;

  constructor(private readonly options: WebhookRelayOptions) {}

  configure(endpoint: WebhookEndpoint | null): void {
    if (endpoint) {
      const url = new URL(endpoint.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new Error(`Unsupported webhook url ${endpoint.url}`);
      }
      if (!endpoint.secret) throw new Error('A webhook secret is required');
    }
    this.endpoint = endpoint;
  }

  get endpointUrl(): string | null {
    return this.endpoint?.url ?? null;
  }

  get endpointCount(): number {
    return this.endpoint ? 1 : 0;
  }

  get pending(): number {
    return this.pendingDeliveries;
  }

  /** Events emitted while no endpoint is configured are not delivered, as with a Stripe account without one. */
  enqueue(event: EventObject): void {
    if (!this.endpoint || this.stopped) return;
    void this.queue(event, false);
  }

  /** Sends `event` again `times` times: in its PaymentIntent's queue, or all at once when `concurrent`. */
  redeliver(
    event: EventObject,
    times: number,
    concurrent: boolean,
  ): Promise<Array<WebhookDeliveryAttempt | undefined>> {
    if (!this.endpoint) return Promise.reject(new Error('configureWebhook() before redelivering events'));
    const runs: Array<Promise<WebhookDeliveryAttempt | undefined>> = [];
    for (let i = 0; i < times; i++) {
      runs.push(concurrent ? this.deliverNow(event) : this.queue(event, true));
    }
    return Promise.all(runs);
  }

  /** Stripe's scheme: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>`. */
  sign(payload: string, timestamp = Math.floor(Date.now() / 1000), secret = this.endpoint?.secret): string {
    if (!secret) throw new Error('configureWebhook() before signing payloads');
    const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
    return `t=${timestamp},v1=${signature}`;
  }

  attempts(): WebhookDeliveryAttempt[] {
    return this.log.map((attempt) => ({ ...attempt }));
  }

  /** Resolves with all attempts once `predicate` holds for them (default: nothing left to deliver). */
  waitFor(
    predicate: ((attempts: WebhookDeliveryAttempt[]) => boolean) | undefined,
    timeoutMs: number,
  ): Promise<WebhookDeliveryAttempt[]> {
    const done = () => (predicate ? predicate(this.attempts()) : this.pendingDeliveries === 0);
    if (done()) return Promise.resolve(this.attempts());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        check: () => {
          if (!done()) return;
          finish();
          resolve(this.attempts());
        },
        fail: (error) => {
          finish();
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        const summary = this.log.map((a) => `${a.eventType}#${a.attempt}=${a.status ?? a.error}`).join(', ');
        waiter.fail(
          new Error(
            `Webhook deliveries did not settle within ${timeoutMs} ms ` +
              `(${this.pendingDeliveries} pending; attempts: ${summary || 'none'})`,
          ),
        );
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
    });
  }

  /** Abandons queued deliveries and backoff waits, aborts requests in flight, and fails pending waits. */
  stop(): void {
    this.stopped = true;
    for (const sleep of this.sleeps) {
      clearTimeout(sleep.timer);
      sleep.wake(false);
    }
    this.sleeps.clear();
    for (const request of this.inFlight) request.destroy();
    this.inFlight.clear();
    for (const waiter of [...this.waiters]) waiter.fail(new Error('The fake Stripe server was stopped'));
  }

  private queue(event: EventObject, redelivery: boolean): Promise<WebhookDeliveryAttempt | undefined> {
    return new Promise((finish) => {
      const delivery: Delivery = { event, payload: serialize(event), redelivery, finish };
      const key = orderingKey(event);
      this.pendingDeliveries++;
      const queue = this.queues.get(key);
      if (queue) {
        queue.push(delivery);
        return;
      }
      this.queues.set(key, [delivery]);
      void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    const queue = this.queues.get(key) ?? [];
    while (queue.length > 0) {
      const delivery = queue[0];
      const last = await this.attemptAll(delivery);
      queue.shift();
      this.settle(delivery, last);
    }
    this.queues.delete(key);
  }

  private async deliverNow(event: EventObject): Promise<WebhookDeliveryAttempt | undefined> {
    const delivery: Delivery = {
      event,
      payload: serialize(event),
      redelivery: true,
      finish: () => undefined,
    };
    this.pendingDeliveries++;
    const last = await this.attemptAll(delivery);
    this.settle(delivery, last);
    return last;
  }

  private settle(delivery: Delivery, last: WebhookDeliveryAttempt | undefined): void {
    this.pendingDeliveries--;
    delivery.finish(last);
    this.notify();
  }

  private async attemptAll(delivery: Delivery): Promise<WebhookDeliveryAttempt | undefined> {
    let last: WebhookDeliveryAttempt | undefined;
    const attempts = this.options.retryDelaysMs.length + 1;
    for (let attempt = 1; attempt <= attempts && !this.stopped; attempt++) {
      last = await this.send(delivery, attempt);
      this.log.push(last);
      this.options.onAttempt?.({ ...last });
      this.notify();
      if (last.ok || attempt === attempts) break;
      if (!(await this.sleep(this.options.retryDelaysMs[attempt - 1]))) break;
    }
    return last;
  }

  private send(delivery: Delivery, attempt: number): Promise<WebhookDeliveryAttempt> {
    const startedAt = Date.now();
    const endpoint = this.endpoint;
    const result = (status: number | null, error: string | null): WebhookDeliveryAttempt => ({
      eventId: delivery.event.id,
      eventType: delivery.event.type,
      attempt,
      redelivery: delivery.redelivery,
      url: endpoint?.url ?? '',
      status,
      error,
      ok: status !== null && status >= 200 && status < 300,
      startedAt,
      durationMs: Date.now() - startedAt,
    });
    if (!endpoint) return Promise.resolve(result(null, 'no webhook endpoint configured'));
    return new Promise((resolve) => {
      const url = new URL(endpoint.url);
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        // No keep-alive: a pooled socket would outlive stop() and keep Jest open.
        agent: false,
        timeout: this.options.timeoutMs,
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(delivery.payload),
          'User-Agent': USER_AGENT,
          'Cache-Control': 'no-cache',
          'Stripe-Signature': this.sign(delivery.payload, undefined, endpoint.secret),
        },
      });
      this.inFlight.add(request);
      let settled = false;
      const done = (status: number | null, error: string | null) => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(request);
        resolve(result(status, error));
      };
      let answered = false;
      request.on('response', (response) => {
        answered = true;
        response.resume();
        response.on('close', () =>
          done(response.statusCode ?? null, response.complete ? null : 'response aborted'),
        );
      });
      request.on('timeout', () => request.destroy(new Error(`timed out after ${this.options.timeoutMs} ms`)));
      request.on('error', (error) => done(null, error.message));
      request.on('close', () => {
        if (!answered) done(null, 'connection closed');
      });
      request.end(delivery.payload);
    });
  }

  private sleep(ms: number): Promise<boolean> {
    return new Promise((wake) => {
      const sleep: Sleep = {
        timer: setTimeout(() => {
          this.sleeps.delete(sleep);
          wake(true);
        }, ms),
        wake,
      };
      this.sleeps.add(sleep);
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter.check();
  }
}

/** Stripe sends pretty-printed JSON; a receiver that verifies a re-serialized body instead of the raw bytes fails. */
function serialize(event: EventObject): string {
  return JSON.stringify(event, null, 2);
}

/** Events about one PaymentIntent (including its charge's refunds) share a queue, so they arrive in order. */
function orderingKey(event: EventObject): string {
  const object = event.data.object;
  if (object.object === 'payment_intent') return object.id;
  return typeof object.payment_intent === 'string' ? object.payment_intent : object.payment_intent.id;
}
