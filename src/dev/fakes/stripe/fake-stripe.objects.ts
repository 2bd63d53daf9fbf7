/**
 * The Stripe v1 object shapes the fake serves, member for member as stripe-node's declarations of the pinned API
 * version require them (fake-stripe.conformance.spec.ts checks the JSON against those declarations). Members the
 * declarations mark optional are sent only where Stripe sends them (a refund's `failure_reason` once it failed).
 * Features the fake does not model (Connect, Radar reviews, shipping, sources, …) are present as Stripe shows an
 * account without them: null.
 */
export type Metadata = Record<string, string>;

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

export type CaptureMethod = 'automatic' | 'automatic_async' | 'manual';

export interface Address {
  city: string | null;
  country: string | null;
  line1: string | null;
  line2: string | null;
  postal_code: string | null;
  state: string | null;
}

export interface BillingDetails {
  address: Address | null;
  email: string | null;
  name: string | null;
  phone: string | null;
  tax_id: string | null;
}

export interface CustomerObject {
  id: string;
  object: 'customer';
  balance: number;
  created: number;
  default_source: null;
  description: string | null;
  email: string | null;
  invoice_settings: {
    custom_fields: null;
    default_payment_method: null;
    footer: null;
    rendering_options: null;
  };
  livemode: false;
  metadata: Metadata;
  name: string | null;
  phone: string | null;
  shipping: null;
}

/** Stripe's advice on retrying a declined card. */
export type AdviceCode = 'confirm_card_data' | 'do_not_try_again' | 'try_again_later';

export interface CardChecks {
  address_line1_check: string | null;
  address_postal_code_check: string | null;
  cvc_check: 'pass' | 'fail' | 'unavailable' | 'unchecked' | null;
}

export interface PaymentMethodObject {
  id: string;
  object: 'payment_method';
  allow_redisplay: 'unspecified';
  billing_details: BillingDetails;
  card: {
    brand: string;
    checks: CardChecks;
    country: string;
    display_brand: string;
    exp_month: number;
    exp_year: number;
    funding: 'credit' | 'debit' | 'prepaid';
    generated_from: null;
    last4: string;
    networks: { available: string[]; preferred: null };
    regulated_status: 'regulated' | 'unregulated';
    three_d_secure_usage: { supported: boolean };
    wallet: null;
  };
  created: number;
  customer: string | null;
  customer_account: null;
  livemode: false;
  metadata: Metadata;
  type: 'card';
}

/** `last_payment_error`, and the body of a card decline's `{ error: … }`. */
export interface PaymentErrorObject {
  type: 'card_error';
  code: string;
  decline_code: string;
  message: string;
  advice_code?: AdviceCode;
  /** The card detail at fault (`exp_month`, `cvc`), for the declines that name one. */
  param?: string;
  charge: string;
  doc_url: string;
  payment_method: PaymentMethodObject;
  payment_method_type: 'card';
}

export interface PaymentIntentObject {
  id: string;
  object: 'payment_intent';
  allowed_payment_method_types: string[] | null;
  amount: number;
  amount_capturable: number;
  amount_details: { tip: Record<string, never> };
  amount_received: number;
  application: null;
  application_fee_amount: null;
  automatic_payment_methods: { enabled: boolean; allow_redirects?: 'always' | 'never' } | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  capture_method: CaptureMethod;
  client_secret: string;
  confirmation_method: 'automatic';
  created: number;
  currency: string;
  customer: string | CustomerObject | null;
  customer_account: null;
  description: string | null;
  excluded_payment_method_types: null;
  last_payment_error: PaymentErrorObject | null;
  latest_charge: string | ChargeObject | null;
  livemode: false;
  managed_payments: null;
  metadata: Metadata;
  next_action: null;
  on_behalf_of: null;
  payment_method: string | PaymentMethodObject | null;
  payment_method_configuration_details: { id: string; parent: null } | null;
  payment_method_options: {
    card?: { installments: null; mandate_options: null; network: null; request_three_d_secure: 'automatic' };
  };
  payment_method_types: string[];
  payment_record: null;
  processing: null;
  receipt_email: string | null;
  review: null;
  setup_future_usage: null;
  shipping: null;
  source: null;
  statement_descriptor: string | null;
  statement_descriptor_suffix: string | null;
  status: PaymentIntentStatus;
  transfer_group: null;
}

export interface ChargeOutcome {
  advice_code: AdviceCode | null;
  network_advice_code: null;
  network_decline_code: null;
  network_status: 'approved_by_network' | 'declined_by_network' | 'not_sent_to_network';
  reason: string | null;
  risk_level: 'normal' | 'highest';
  seller_message: string;
  type: 'authorized' | 'issuer_declined' | 'blocked';
}

export interface ChargeCardDetails {
  amount_authorized: number | null;
  authorization_code: null;
  brand: string;
  /** Until when an authorization (manual capture) may be captured. */
  capture_before?: number;
  checks: CardChecks;
  country: string;
  electronic_commerce_indicator: null;
  exp_month: number;
  exp_year: number;
  funding: string;
  installments: null;
  last4: string;
  mandate: null;
  network: string;
  network_transaction_id: null;
  regulated_status: 'regulated' | 'unregulated';
  three_d_secure: null;
  transaction_link_id: null;
  wallet: null;
}

export interface ChargeObject {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  /** Refunds, and for an authorization the part released uncaptured (Stripe marks it refunded). */
  amount_refunded: number;
  application: null;
  application_fee: null;
  application_fee_amount: null;
  balance_transaction: string | null;
  billing_details: BillingDetails;
  calculated_statement_descriptor: string;
  captured: boolean;
  created: number;
  currency: string;
  customer: string | CustomerObject | null;
  description: string | null;
  disputed: boolean;
  failure_balance_transaction: null;
  failure_code: string | null;
  failure_message: string | null;
  fraud_details: Record<string, never>;
  livemode: false;
  metadata: Metadata;
  on_behalf_of: null;
  outcome: ChargeOutcome;
  paid: boolean;
  payment_intent: string | PaymentIntentObject;
  payment_method: string;
  payment_method_details: { card: ChargeCardDetails; type: 'card' };
  receipt_email: string | null;
  receipt_number: null;
  /** Null: the fake renders no receipts. */
  receipt_url: null;
  refunded: boolean;
  review: null;
  shipping: null;
  source: null;
  source_transfer: null;
  statement_descriptor: string | null;
  statement_descriptor_suffix: string | null;
  status: 'succeeded' | 'failed';
  transfer_data: null;
  transfer_group: null;
}

export type RefundReason = 'duplicate' | 'fraudulent' | 'requested_by_customer';
export type RefundStatus = 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';
/** Stripe's documented failure reasons of a refund (the fake uses a few). */
export type RefundFailureReason =
  | 'charge_for_pending_refund_disputed'
  | 'declined'
  | 'expired_or_canceled_card'
  | 'insufficient_funds'
  | 'lost_or_stolen_card'
  | 'merchant_request'
  | 'unknown';

export interface RefundObject {
  id: string;
  object: 'refund';
  amount: number;
  balance_transaction: string | null;
  charge: string | ChargeObject;
  created: number;
  currency: string;
  customer: string | null;
  customer_account: null;
  /** A card refund; `pending` until it settles. */
  destination_details: { card: { type: 'pending' | 'refund' }; type: 'card' };
  /** Only once the refund failed. */
  failure_balance_transaction?: string;
  failure_reason?: RefundFailureReason;
  metadata: Metadata;
  payment_intent: string | PaymentIntentObject;
  payment_method: string;
  reason: RefundReason | null;
  receipt_number: null;
  source_transfer_reversal: null;
  status: RefundStatus;
  transfer_reversal: null;
}

export type EventType =
  | 'payment_intent.succeeded'
  | 'payment_intent.payment_failed'
  | 'payment_intent.canceled'
  | 'payment_intent.amount_capturable_updated'
  | 'charge.refunded'
  | 'charge.refund.updated'
  | 'refund.created'
  | 'refund.updated'
  | 'refund.failed';

export interface EventObject {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: PaymentIntentObject | ChargeObject | RefundObject };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: EventType;
}

export interface ListObject<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}
