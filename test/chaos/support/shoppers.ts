import { randomUUID } from 'node:crypto';

import { FakeStripeServer } from '../../../src/dev/fakes/stripe/fake-stripe.server';
import { sleep } from './chaos-world';

/** What one customer intent (one Idempotency-Key) went through, from the client's side. */
export interface Intent {
  key: string;
  phase: string;
  user: number;
  body: { items: { itemId: string; quantity: number }[]; shippingAddress: Record<string, string> };
  attempts: number;
  /** Set once the API answered 201 (possibly to a retry). */
  order?: { id: string; paymentIntentId: string | null; status: string };
  /** Ended without an order: every answer was a definitive refusal (e.g. out of stock). */
  refused?: { status: number; code: string };
  pay: boolean;
  refund: boolean;
  /** The admin sent the refund request (the order was PROCESSED); from then on it is retried until answered. */
  refundRequested?: boolean;
  refundAccepted?: boolean;
  /** A definitive refusal of the refund request (e.g. the order was no longer refundable). */
  refundRefused?: { status: number; code: string };
}

export interface PhaseStats {
  requests: number;
  created: number;
  retries: number;
  networkErrors: number;
  byStatus: Record<number, number>;
}

const ADDRESS = {
  name: 'Chaos Shopper',
  line1: 'Street 1',
  city: 'Berlin',
  postalCode: '10115',
  country: 'DE',
};
/** How long after traffic stops the admin still starts refunding chosen orders (once PROCESSED). */
const REFUND_GRACE_MS = 20_000;
/**
 * How long a request (an Idempotency-Key) is retried before the suite gives up on a final answer. Generous on
 * purpose: a busy machine makes answers slow, and only a request that never gets one is a failure.
 */
const FINAL_ANSWER_DEADLINE_MS = 300_000;
const RETRYABLE_CODES = new Set(['IDEMPOTENCY_REQUEST_IN_FLIGHT', 'ORDER_VERSION_CONFLICT']);

/** What a well-behaved client retries with the same key: no answer, 5xx, 408/429, or "still in flight". */
const retryable = (answer: { status: number; body: Record<string, unknown> } | undefined) =>
  !answer ||
  answer.status >= 500 ||
  answer.status === 408 ||
  answer.status === 429 ||
  RETRYABLE_CODES.has(String(answer.body.code));

/**
 * Customers and an admin driving a steady stream: place an order (retrying with the same Idempotency-Key on
 * any network error or retryable answer, as a well-behaved client does), pay most of them at Stripe (whose
 * signed webhook reaches an api), leave some unpaid to expire, and have the admin refund some once processed.
 * Requests are spread over every api replica in turn, retries included, as behind a load balancer: a retry
 * after a lost answer usually lands on the other api.
 */
export class Shoppers {
  readonly intents: Intent[] = [];
  readonly stats = new Map<string, PhaseStats>();
  phase = 'setup';
  private running = false;
  private loops: Promise<void>[] = [];
  private seq = 0;
  private refundsUntil = Number.POSITIVE_INFINITY;
  private nextApi = 0;

  constructor(
    private readonly apiUrls: string[],
    private readonly stripe: FakeStripeServer,
    private readonly tokens: string[],
    private readonly adminToken: string,
    private readonly itemIds: string[],
  ) {}

  start(concurrency: number): void {
    this.running = true;
    for (let i = 0; i < concurrency; i++) this.loops.push(this.shop(i));
    this.loops.push(this.refunder());
  }

  /** Stops placing new orders; resolves when every intent in flight has its final answer. */
  async stop(): Promise<void> {
    this.running = false;
    this.refundsUntil = Date.now() + REFUND_GRACE_MS;
    await Promise.all(this.loops);
    this.loops = [];
  }

  statsFor(phase: string): PhaseStats {
    let stats = this.stats.get(phase);
    if (!stats) {
      stats = { requests: 0, created: 0, retries: 0, networkErrors: 0, byStatus: {} };
      this.stats.set(phase, stats);
    }
    return stats;
  }

  private async shop(loop: number): Promise<void> {
    while (this.running) {
      const n = this.seq++;
      const items = [this.itemIds[n % this.itemIds.length]];
      if (n % 3 === 0) items.push(this.itemIds[(n * 7 + 1) % this.itemIds.length]);
      const intent: Intent = {
        key: randomUUID(),
        phase: this.phase,
        user: loop % this.tokens.length,
        body: { items: items.map((itemId) => ({ itemId, quantity: 1 + (n % 2) })), shippingAddress: ADDRESS },
        attempts: 0,
        pay: n % 10 !== 9,
        refund: n % 5 === 2,
      };
      this.intents.push(intent);
      await this.place(intent);
      if (intent.order?.paymentIntentId && intent.pay) {
        // Stripe refuses to confirm an intent Dispatch already cancelled: then the order stays unpaid.
        await this.payAtStripe(intent.order.paymentIntentId).catch(() => (intent.pay = false));
      }
      // A steady stream, not a flood: the backlog left when traffic stops stays small on a busy machine.
      await sleep(150);
    }
  }

  private async place(intent: Intent): Promise<void> {
    const deadline = Date.now() + FINAL_ANSWER_DEADLINE_MS;
    while (Date.now() < deadline) {
      const answer = await this.request('POST', '/v1/orders', this.tokens[intent.user], intent.body, {
        'idempotency-key': intent.key,
      });
      intent.attempts++;
      if (intent.attempts > 1) this.statsFor(this.phase).retries++;
      if (answer?.status === 201) {
        this.statsFor(this.phase).created++;
        intent.order = {
          id: answer.body.id as string,
          paymentIntentId: (answer.body.paymentIntentId as string | null) ?? null,
          status: answer.body.status as string,
        };
        // An order can only be paid while PENDING with an intent (a retry may find it already expired).
        intent.pay &&= intent.order.status === 'PENDING' && intent.order.paymentIntentId !== null;
        return;
      }
      if (answer && !retryable(answer)) {
        intent.refused = { status: answer.status, code: String(answer.body.code) };
        return;
      }
      await sleep(250);
    }
    throw new Error(`order ${intent.key} got no final answer in ${FINAL_ANSWER_DEADLINE_MS / 1000} s`);
  }

  /** The customer pays: the fake Stripe marks the intent succeeded and sends the signed webhook (with retries). */
  private async payAtStripe(paymentIntentId: string): Promise<void> {
    await this.stripe.succeedPayment(paymentIntentId);
  }

  /**
   * The admin refunds chosen orders once they are PROCESSED, retrying the same request (same Idempotency-Key)
   * through every lost answer and retryable error until it has a final answer: 202 (first answer or its
   * replay) or a definitive refusal. A request once sent is retried until that answer however long it takes
   * (its effect may have happened already); only sending new ones stops REFUND_GRACE_MS after traffic. The
   * verdict never depends on how long the server took to answer.
   */
  private async refunder(): Promise<void> {
    let deadline = Number.POSITIVE_INFINITY;
    for (;;) {
      const mayStart = this.running || Date.now() < this.refundsUntil;
      const due = this.intents.filter((i) => this.awaitsRefund(i) && (i.refundRequested || mayStart));
      if (!this.running && due.length === 0) return;
      if (!this.running && deadline === Number.POSITIVE_INFINITY)
        deadline = this.refundsUntil + FINAL_ANSWER_DEADLINE_MS;
      if (Date.now() > deadline)
        throw new Error(`${due.filter((i) => i.refundRequested).length} refund requests got no final answer`);
      for (const intent of due) {
        if (!intent.refundRequested) {
          const order = await this.request('GET', `/v1/orders/${intent.order!.id}`, this.adminToken);
          if (order?.status !== 200 || order.body.status !== 'PROCESSED') continue;
          intent.refundRequested = true;
        }
        const answer = await this.request(
          'PATCH',
          `/v1/orders/${intent.order!.id}/refund`,
          this.adminToken,
          { reason: 'chaos refund' },
          { 'idempotency-key': `refund-${intent.key}` },
        );
        if (answer?.status === 202) intent.refundAccepted = true;
        else if (answer && !retryable(answer))
          intent.refundRefused = { status: answer.status, code: String(answer.body.code) };
      }
      await sleep(200);
    }
  }

  private awaitsRefund(intent: Intent): boolean {
    return Boolean(
      intent.order && intent.pay && intent.refund && !intent.refundAccepted && !intent.refundRefused,
    );
  }

  private async request(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> } | undefined> {
    const stats = this.statsFor(this.phase);
    stats.requests++;
    const baseUrl = this.apiUrls[this.nextApi++ % this.apiUrls.length];
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      stats.byStatus[response.status] = (stats.byStatus[response.status] ?? 0) + 1;
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    } catch {
      stats.networkErrors++;
      return undefined;
    }
  }
}
