import { Injectable, Logger } from '@nestjs/common';
import Stripe from 'stripe';

import { AppConfig } from '../../../config/app-config';
import { CorrelationContext } from '../../../infra/logging/correlation-context';
import { Metrics } from '../../../infra/metrics/metrics.service';
import {
  InvalidWebhookPayloadError,
  PaymentProviderError,
  PaymentProviderUnavailableError,
} from '../payments.errors';
import {
  CreateRefundInput,
  PaymentEvent,
  PaymentGateway,
  PaymentIntentRef,
  PaymentIntentState,
  StripeRefundReport,
} from './payment-gateway';

export const WEBHOOK_TOLERANCE_SECONDS = 300;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Stripe ids and event types are short printable ASCII (evt_…, pi_…, payment_intent.succeeded). */
const isStripeId = (value: unknown): value is string =>
  typeof value === 'string' && /^[\x21-\x7e]{1,255}$/.test(value);

/**
 * The only file that imports the Stripe SDK. Every call passes a deterministic idempotency key chosen by
 * the caller, so a retry after a timeout or a crash never charges or refunds twice.
 */
@Injectable()
export class StripeClient implements PaymentGateway {
  private readonly logger = new Logger(StripeClient.name);
  private readonly stripe: Stripe;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
    endpoint: { host: string; port: number; protocol: 'http' | 'https' } | null,
  ) {
    this.stripe = new Stripe(config.stripe.secretKey, {
      maxNetworkRetries: config.stripe.maxRetries,
      timeout: config.stripe.timeoutMs,
      telemetry: false,
      ...(endpoint ?? {}),
    });
  }

  createPaymentIntent(input: {
    orderId: string;
    amountCents: number;
    currency: string;
    idempotencyKey: string;
    correlationId: string | null;
  }): Promise<PaymentIntentRef> {
    return this.call('paymentIntents.create', input.orderId, async () => {
      const pi = await this.stripe.paymentIntents.create(
        {
          amount: input.amountCents,
          currency: input.currency.toLowerCase(),
          automatic_payment_methods: { enabled: true },
          // The idempotent request must be the same on every attempt (Stripe answers 400 to the same key with
          // other parameters), so the correlation id is the order's, not the current request's.
          metadata: input.correlationId
            ? { orderId: input.orderId, correlationId: input.correlationId }
            : { orderId: input.orderId },
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return { id: pi.id, clientSecret: pi.client_secret ?? '' };
    });
  }

  retrievePaymentIntent(id: string, orderId: string): Promise<PaymentIntentState> {
    return this.call('paymentIntents.retrieve', orderId, async () =>
      intentState(await this.stripe.paymentIntents.retrieve(id)),
    );
  }

  /** Cancels a PaymentIntent that has not succeeded; returns its final state either way. */
  cancelPaymentIntent(id: string, orderId: string, idempotencyKey: string): Promise<PaymentIntentState> {
    return this.call('paymentIntents.cancel', orderId, async () => {
      const current = await this.stripe.paymentIntents.retrieve(id);
      if (current.status === 'succeeded' || current.status === 'canceled') return intentState(current);
      return intentState(await this.stripe.paymentIntents.cancel(id, {}, { idempotencyKey }));
    });
  }

  /** The refund's metadata names the order and our refund row, so its events find their way back. */
  createRefund(input: CreateRefundInput): Promise<StripeRefundReport> {
    return this.call('refunds.create', input.orderId, async () =>
      refundReport(
        await this.stripe.refunds.create(
          {
            payment_intent: input.paymentIntentId,
            amount: input.amountCents,
            metadata: { ...this.metadata(input.orderId), refundId: input.refundId },
          },
          { idempotencyKey: input.idempotencyKey },
        ),
      ),
    );
  }

  listRefunds(paymentIntentId: string, orderId: string): Promise<StripeRefundReport[]> {
    return this.call('refunds.list', orderId, async () => {
      const reports: StripeRefundReport[] = [];
      for await (const refund of this.stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 }))
        reports.push(refundReport(refund));
      return reports;
    });
  }

  /**
   * Verifies Stripe's signature over the raw body (tolerance 300 s); null when it does not verify. A verified
   * body that is not shaped like a Stripe event is refused (InvalidWebhookPayloadError), and references that
   * cannot be ours (an orderId that is not a UUID, say from another integration on the same Stripe account)
   * are dropped, so the event is recorded and ignored instead of failing on every redelivery.
   */
  verifyWebhook(rawBody: Buffer, signature: string | undefined): PaymentEvent | null {
    if (!signature) return null;
    let event: unknown;
    try {
      event = this.stripe.webhooks.constructEvent(
        rawBody,
        signature,
        this.config.stripe.webhookSecret,
        WEBHOOK_TOLERANCE_SECONDS,
      );
    } catch {
      return null;
    }
    const { id, type, created, data } = isRecord(event) ? event : {};
    const object = isRecord(data) ? data.object : undefined;
    if (!isStripeId(id) || !isStripeId(type) || !isRecord(object)) throw new InvalidWebhookPayloadError();
    const base = { id, type, created: typeof created === 'number' && Number.isFinite(created) ? created : 0 };
    return parseEventObject(base, object);
  }

  /** The job's correlation id: the same on every retry of the job, so its idempotent requests match. */
  private metadata(orderId: string): Record<string, string> {
    const correlationId = CorrelationContext.current();
    return correlationId ? { orderId, correlationId } : { orderId };
  }

  private async call<T>(operation: string, orderId: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      const result = await this.metrics.timeExternal('stripe', operation, work);
      this.logger.debug({ operation, orderId, ms: Date.now() - started }, 'stripe call');
      return result;
    } catch (error) {
      const ms = Date.now() - started;
      if (error instanceof Stripe.errors.StripeError) {
        // Connection problems, 5xx, rate limits and 409 (idempotent request still in flight) may pass on retry.
        const retryable =
          error instanceof Stripe.errors.StripeConnectionError ||
          error instanceof Stripe.errors.StripeAPIError ||
          error instanceof Stripe.errors.StripeRateLimitError ||
          (error.statusCode ?? 0) >= 500 ||
          error.statusCode === 409;
        this.logger.warn(
          { operation, orderId, ms, stripeCode: error.code, status: error.statusCode, retryable },
          'stripe call failed',
        );
        if (retryable) throw new PaymentProviderUnavailableError(error.message);
        throw new PaymentProviderError(error.message, error.code);
      }
      this.logger.warn({ operation, orderId, ms, err: error }, 'stripe call failed');
      throw new PaymentProviderUnavailableError(error instanceof Error ? error.message : String(error));
    }
  }
}

const stringOr = <T>(value: unknown, fallback: T): string | T =>
  typeof value === 'string' ? value : fallback;
const amount = (value: unknown): number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
/** The id of an expandable field: a string id, or the expanded object's id. */
const idOf = (value: unknown): string | null =>
  isStripeId(value) ? value : isRecord(value) && isStripeId(value.id) ? value.id : null;
/** metadata.orderId, when it could be ours (a UUID); other integrations on the account use other shapes. */
function metadataOf(object: Record<string, unknown>): { orderId?: string; refundId?: string } {
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const pick = (key: string) => {
    const value = metadata[key];
    return typeof value === 'string' && UUID.test(value) ? value : undefined;
  };
  return { orderId: pick('orderId'), refundId: pick('refundId') };
}

function intentState(object: Record<string, unknown> | Stripe.PaymentIntent): PaymentIntentState {
  const o = object as Record<string, unknown>;
  return {
    id: String(o.id),
    status: stringOr(o.status, 'unknown'),
    amountCents: amount(o.amount),
    amountReceivedCents: amount(o.amount_received),
    currency: stringOr(o.currency, '').toLowerCase(),
    orderId: metadataOf(o).orderId,
  };
}

function refundReport(object: Record<string, unknown> | Stripe.Refund): StripeRefundReport {
  const o = object as Record<string, unknown>;
  const { orderId, refundId } = metadataOf(o);
  return {
    id: String(o.id),
    paymentIntentId: idOf(o.payment_intent),
    amountCents: amount(o.amount),
    currency: stringOr(o.currency, '').toLowerCase(),
    status: stringOr(o.status, 'pending'),
    failureReason: stringOr(o.failure_reason, null),
    reason: stringOr(o.reason, null),
    refundId,
    orderId,
  };
}

/** Reduces a verified event to the facts Dispatch acts on, by the type of object it carries. */
function parseEventObject(
  base: { id: string; type: string; created: number },
  object: Record<string, unknown>,
): PaymentEvent {
  if (!isStripeId(object.id)) return { ...base, kind: 'other', objectId: null };
  if (object.object === 'payment_intent' && base.type.startsWith('payment_intent.'))
    return { ...base, kind: 'payment_intent', intent: intentState(object) };
  if (object.object === 'refund') return { ...base, kind: 'refund', refund: refundReport(object) };
  if (object.object === 'charge' && base.type === 'charge.refunded') {
    return {
      ...base,
      kind: 'charge_refunded',
      chargeId: object.id,
      paymentIntentId: idOf(object.payment_intent),
      amountRefundedCents: amount(object.amount_refunded),
      currency: stringOr(object.currency, '').toLowerCase(),
      orderId: metadataOf(object).orderId,
    };
  }
  return { ...base, kind: 'other', objectId: object.id };
}
