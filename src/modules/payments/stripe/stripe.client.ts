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
import { PaymentEvent, PaymentIntentRef, PaymentIntentState, RefundRef } from './payment-gateway';

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
export class StripeClient {
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
  }): Promise<PaymentIntentRef> {
    return this.call('paymentIntents.create', input.orderId, async () => {
      const pi = await this.stripe.paymentIntents.create(
        {
          amount: input.amountCents,
          currency: input.currency.toLowerCase(),
          automatic_payment_methods: { enabled: true },
          metadata: this.metadata(input.orderId),
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return { id: pi.id, clientSecret: pi.client_secret ?? '' };
    });
  }

  retrievePaymentIntent(id: string, orderId: string): Promise<PaymentIntentState> {
    return this.call('paymentIntents.retrieve', orderId, async () => {
      const pi = await this.stripe.paymentIntents.retrieve(id);
      return { id: pi.id, status: pi.status, amountReceived: pi.amount_received };
    });
  }

  /** Cancels a PaymentIntent that has not succeeded; returns its final state either way. */
  cancelPaymentIntent(id: string, orderId: string, idempotencyKey: string): Promise<PaymentIntentState> {
    return this.call('paymentIntents.cancel', orderId, async () => {
      const current = await this.stripe.paymentIntents.retrieve(id);
      if (current.status === 'succeeded' || current.status === 'canceled') {
        return { id, status: current.status, amountReceived: current.amount_received };
      }
      const pi = await this.stripe.paymentIntents.cancel(id, {}, { idempotencyKey });
      return { id: pi.id, status: pi.status, amountReceived: pi.amount_received };
    });
  }

  createRefund(input: {
    paymentIntentId: string;
    orderId: string;
    amountCents: number;
    idempotencyKey: string;
  }): Promise<RefundRef> {
    return this.call('refunds.create', input.orderId, async () => {
      const refund = await this.stripe.refunds.create(
        {
          payment_intent: input.paymentIntentId,
          amount: input.amountCents,
          metadata: this.metadata(input.orderId),
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return { id: refund.id, status: refund.status ?? 'pending' };
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
    const paymentIntentId = object.object === 'payment_intent' ? object.id : object.payment_intent;
    const orderId = isRecord(object.metadata) ? object.metadata.orderId : undefined;
    return {
      id,
      type,
      created: typeof created === 'number' && Number.isFinite(created) ? created : 0,
      paymentIntentId: isStripeId(paymentIntentId) ? paymentIntentId : undefined,
      orderId: typeof orderId === 'string' && UUID.test(orderId) ? orderId : undefined,
    };
  }

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
