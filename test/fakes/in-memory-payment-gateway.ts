import { randomUUID } from 'node:crypto';

import {
  CreateRefundInput,
  PaymentGateway,
  PaymentIntentRef,
  PaymentIntentState,
  StripeRefundReport,
} from '../../src/modules/payments/stripe/payment-gateway';
import { PaymentProviderError } from '../../src/modules/payments/payments.errors';

/**
 * The PaymentGateway port in memory, for driving the order strategies directly: intents and refunds held in
 * maps, answers the test scripts (a refund left pending, refused, or made elsewhere), idempotency keys honoured.
 */
export class InMemoryPaymentGateway implements PaymentGateway {
  readonly intents = new Map<string, PaymentIntentState>();
  readonly refunds = new Map<string, StripeRefundReport>();
  private readonly byKey = new Map<string, string>();
  /** The status the next refunds get; or an error code to refuse them with. */
  refundOutcome: { status: 'succeeded' | 'pending' } | { refuse: string } = { status: 'succeeded' };
  calls: string[] = [];

  async createPaymentIntent(input: {
    orderId: string;
    amountCents: number;
    currency: string;
    idempotencyKey: string;
  }): Promise<PaymentIntentRef> {
    this.calls.push('createPaymentIntent');
    const existing = this.byKey.get(input.idempotencyKey);
    const id = existing ?? `pi_mem_${randomUUID().replace(/-/g, '')}`;
    if (!existing) {
      this.byKey.set(input.idempotencyKey, id);
      this.intents.set(id, {
        id,
        status: 'requires_payment_method',
        amountCents: input.amountCents,
        amountReceivedCents: 0,
        currency: input.currency.toLowerCase(),
        orderId: input.orderId,
      });
    }
    return { id, clientSecret: `${id}_secret` };
  }

  /** The customer paid (what a webhook would report). */
  pay(id: string): PaymentIntentState {
    const intent = this.intents.get(id)!;
    Object.assign(intent, { status: 'succeeded', amountReceivedCents: intent.amountCents });
    return { ...intent };
  }

  async retrievePaymentIntent(id: string): Promise<PaymentIntentState> {
    this.calls.push('retrievePaymentIntent');
    return { ...this.intents.get(id)! };
  }

  async cancelPaymentIntent(id: string): Promise<PaymentIntentState> {
    this.calls.push('cancelPaymentIntent');
    const intent = this.intents.get(id)!;
    if (intent.status !== 'succeeded') intent.status = 'canceled';
    return { ...intent };
  }

  async createRefund(input: CreateRefundInput): Promise<StripeRefundReport> {
    this.calls.push('createRefund');
    const existing = this.byKey.get(input.idempotencyKey);
    if (existing) return { ...this.refunds.get(existing)! };
    if ('refuse' in this.refundOutcome) throw new PaymentProviderError('refused', this.refundOutcome.refuse);
    const intent = this.intents.get(input.paymentIntentId)!;
    const refunded = [...this.refunds.values()]
      .filter((r) => r.paymentIntentId === intent.id && r.status !== 'failed')
      .reduce((sum, r) => sum + r.amountCents, 0);
    if (refunded + input.amountCents > intent.amountReceivedCents)
      throw new PaymentProviderError('more than the charge has left', 'amount_too_large');
    return {
      ...this.addRefund(
        intent,
        input.amountCents,
        this.refundOutcome.status,
        input.refundId,
        input.idempotencyKey,
      ),
    };
  }

  /** A refund made outside Dispatch (no refundId of ours). */
  refundElsewhere(paymentIntentId: string, amountCents: number): StripeRefundReport {
    return this.addRefund(
      this.intents.get(paymentIntentId)!,
      amountCents,
      'succeeded',
      undefined,
      randomUUID(),
    );
  }

  settle(refundId: string, status: 'succeeded' | 'failed'): StripeRefundReport {
    const refund = this.refunds.get(refundId)!;
    refund.status = status;
    return { ...refund };
  }

  async listRefunds(paymentIntentId: string): Promise<StripeRefundReport[]> {
    this.calls.push('listRefunds');
    return [...this.refunds.values()].filter((r) => r.paymentIntentId === paymentIntentId).reverse();
  }

  private addRefund(
    intent: PaymentIntentState,
    amountCents: number,
    status: string,
    refundId: string | undefined,
    key: string,
  ): StripeRefundReport {
    const refund: StripeRefundReport = {
      id: `re_mem_${randomUUID().replace(/-/g, '')}`,
      paymentIntentId: intent.id,
      amountCents,
      currency: intent.currency,
      status,
      failureReason: null,
      reason: null,
      refundId,
      orderId: intent.orderId,
    };
    this.refunds.set(refund.id, refund);
    this.byKey.set(key, refund.id);
    return refund;
  }
}
