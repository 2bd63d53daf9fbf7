/** What Dispatch needs from a payment provider; StripeClient is the implementation. */
export interface PaymentIntentRef {
  id: string;
  clientSecret: string;
}

/** Stripe's PaymentIntent status: requires_payment_method, processing, canceled, succeeded, ... */
export type PaymentIntentStatus = string;

export interface PaymentIntentState {
  id: string;
  status: PaymentIntentStatus;
  amountReceived: number;
}

export interface RefundRef {
  id: string;
  status: string;
}

export interface PaymentEvent {
  id: string;
  type: string;
  created: number;
  paymentIntentId?: string;
  orderId?: string;
}
