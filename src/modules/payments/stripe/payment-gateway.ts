/** What Dispatch needs from a payment provider, and the facts it reports; StripeClient is the implementation. */
export interface PaymentIntentRef {
  id: string;
  clientSecret: string;
}

/** A PaymentIntent as the provider sees it now (or as an event carried it). */
export interface PaymentIntentState {
  id: string;
  /** Stripe's status: requires_payment_method, processing, requires_capture, canceled, succeeded, … */
  status: string;
  amountCents: number;
  amountReceivedCents: number;
  /** Lower case, as Stripe writes it. */
  currency: string;
  /** `metadata.orderId`: what the intent claims, never proof that it is the order's own. */
  orderId?: string;
}

/** A refund as Stripe reports it (API answer or refund.* event). */
export interface StripeRefundReport {
  id: string;
  paymentIntentId: string | null;
  amountCents: number;
  currency: string;
  /** Stripe's refund status: pending, requires_action, succeeded, failed, canceled. */
  status: string;
  failureReason: string | null;
  reason: string | null;
  /** Our refund row's id, when Dispatch created it (`metadata.refundId`). */
  refundId?: string;
  orderId?: string;
}

interface EventBase {
  id: string;
  type: string;
  /** Unix seconds. */
  created: number;
}

/** A verified webhook event, reduced to the facts Dispatch acts on. */
export type PaymentEvent =
  | (EventBase & { kind: 'payment_intent'; intent: PaymentIntentState })
  | (EventBase & { kind: 'refund'; refund: StripeRefundReport })
  | (EventBase & {
      kind: 'charge_refunded';
      chargeId: string;
      paymentIntentId: string | null;
      amountRefundedCents: number;
      currency: string;
      orderId?: string;
    })
  | (EventBase & { kind: 'other'; objectId: string | null });

export interface CreateRefundInput {
  paymentIntentId: string;
  orderId: string;
  refundId: string;
  amountCents: number;
  idempotencyKey: string;
}

/** The calls Dispatch makes to its payment provider. Each that changes money takes a deterministic key. */
export interface PaymentGateway {
  createPaymentIntent(input: {
    orderId: string;
    amountCents: number;
    currency: string;
    idempotencyKey: string;
    /** Of the request that placed the order (not of a retry resuming it): part of the idempotent request. */
    correlationId: string | null;
  }): Promise<PaymentIntentRef>;
  retrievePaymentIntent(id: string, orderId: string): Promise<PaymentIntentState>;
  /** Cancels a PaymentIntent that has not succeeded; answers its final state either way. */
  cancelPaymentIntent(id: string, orderId: string, idempotencyKey: string): Promise<PaymentIntentState>;
  createRefund(input: CreateRefundInput): Promise<StripeRefundReport>;
  /** Every refund of the PaymentIntent, newest first, whoever created it. */
  listRefunds(paymentIntentId: string, orderId: string): Promise<StripeRefundReport[]>;
}

/** Injection token of the PaymentGateway (StripeClient in every process; an in-memory gateway in unit tests). */
export const PAYMENT_GATEWAY = Symbol('PAYMENT_GATEWAY');
