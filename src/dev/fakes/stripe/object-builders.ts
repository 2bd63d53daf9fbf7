import {
  CaptureMethod,
  ChargeObject,
  CustomerObject,
  Metadata,
  PaymentIntentObject,
  RefundObject,
  RefundReason,
} from './fake-stripe.objects';
import { newStripeId } from './stripe-id';
import { TEST_CARD_EXPIRY, TestPaymentMethod, noBillingDetails } from './test-payment-methods';

/** The fake account's statement descriptor, the prefix of every charge's calculated descriptor. */
const ACCOUNT_STATEMENT_DESCRIPTOR = 'DISPATCH';
const STATEMENT_DESCRIPTOR_MAX = 22;
// Stripe cancels uncaptured card authorizations after 7 days.
const AUTHORIZATION_VALID_SECONDS = 7 * 24 * 60 * 60;

export interface NewCustomer {
  email?: string;
  name?: string;
  description?: string;
  phone?: string;
  metadata: Metadata;
}

export interface NewPaymentIntent {
  amount: number;
  currency: string;
  captureMethod: CaptureMethod;
  customer?: string;
  metadata: Metadata;
  paymentMethod?: string;
  paymentMethodTypes: string[];
  allowedPaymentMethodTypes: string[] | null;
  automaticPaymentMethods: PaymentIntentObject['automatic_payment_methods'];
  description?: string;
  receiptEmail?: string;
  statementDescriptor?: string;
  statementDescriptorSuffix?: string;
}

export function newCustomer(input: NewCustomer, created: number): CustomerObject {
  return {
    id: newStripeId('cus', 14),
    object: 'customer',
    balance: 0,
    created,
    default_source: null,
    description: input.description ?? null,
    email: input.email ?? null,
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: input.metadata,
    name: input.name ?? null,
    phone: input.phone ?? null,
    shipping: null,
  };
}

/** `paymentMethodConfiguration`: the account's default configuration, which automatic payment methods use. */
export function newPaymentIntent(
  input: NewPaymentIntent,
  created: number,
  paymentMethodConfiguration: string,
): PaymentIntentObject {
  const id = newStripeId('pi');
  return {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: input.allowedPaymentMethodTypes,
    amount: input.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: input.automaticPaymentMethods,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: input.captureMethod,
    client_secret: `${id}_secret_${newStripeId('x', 25).slice(2)}`,
    confirmation_method: 'automatic',
    created,
    currency: input.currency,
    customer: input.customer ?? null,
    customer_account: null,
    description: input.description ?? null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: input.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: input.paymentMethod ?? null,
    payment_method_configuration_details: input.automaticPaymentMethods?.enabled
      ? { id: paymentMethodConfiguration, parent: null }
      : null,
    payment_method_options: paymentMethodOptions(input.paymentMethodTypes),
    payment_method_types: input.paymentMethodTypes,
    payment_record: null,
    processing: null,
    receipt_email: input.receiptEmail ?? null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: input.statementDescriptor ?? null,
    statement_descriptor_suffix: input.statementDescriptorSuffix ?? null,
    status: input.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    transfer_group: null,
  };
}

/** The defaults Stripe shows for each payment method type the fake can charge (cards only). */
export function paymentMethodOptions(types: string[]): PaymentIntentObject['payment_method_options'] {
  return types.includes('card')
    ? {
        card: {
          installments: null,
          mandate_options: null,
          network: null,
          request_three_d_secure: 'automatic',
        },
      }
    : {};
}

/**
 * The charge of one confirmation with a test card: declined, captured at once, or (manual capture) authorized
 * and waiting for a capture.
 */
export function newCharge(
  intent: PaymentIntentObject,
  paymentMethod: string,
  card: TestPaymentMethod,
  created: number,
): ChargeObject {
  const decline = card.decline;
  const captured = !decline && intent.capture_method !== 'manual';
  return {
    id: newStripeId('ch'),
    object: 'charge',
    amount: intent.amount,
    amount_captured: captured ? intent.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: captured ? newStripeId('txn') : null,
    billing_details: noBillingDetails(),
    calculated_statement_descriptor: statementDescriptor(intent),
    captured,
    created,
    currency: intent.currency,
    customer: typeof intent.customer === 'string' ? intent.customer : (intent.customer?.id ?? null),
    description: intent.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: decline?.code ?? null,
    failure_message: decline?.message ?? null,
    fraud_details: {},
    livemode: false,
    // Stripe copies the PaymentIntent's metadata onto its charges; Dispatch finds the order of a
    // charge.refunded event through it.
    metadata: { ...intent.metadata },
    on_behalf_of: null,
    outcome: decline
      ? {
          advice_code: decline.adviceCode ?? null,
          network_advice_code: null,
          network_decline_code: null,
          ...decline.outcome,
        }
      : {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: 'approved_by_network',
          reason: null,
          risk_level: 'normal',
          seller_message: 'Payment complete.',
          type: 'authorized',
        },
    paid: !decline,
    payment_intent: intent.id,
    payment_method: paymentMethod,
    payment_method_details: {
      card: {
        amount_authorized: decline ? null : intent.amount,
        authorization_code: null,
        brand: card.brand,
        ...(!decline && !captured ? { capture_before: created + AUTHORIZATION_VALID_SECONDS } : {}),
        checks: {
          address_line1_check: null,
          address_postal_code_check: null,
          cvc_check: decline?.code === 'incorrect_cvc' ? 'fail' : 'pass',
        },
        country: 'US',
        electronic_commerce_indicator: null,
        ...TEST_CARD_EXPIRY,
        funding: 'credit',
        installments: null,
        last4: card.last4,
        mandate: null,
        network: card.brand,
        network_transaction_id: null,
        regulated_status: 'unregulated',
        three_d_secure: null,
        transaction_link_id: null,
        wallet: null,
      },
      type: 'card',
    },
    receipt_email: intent.receipt_email,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: intent.statement_descriptor,
    statement_descriptor_suffix: intent.statement_descriptor_suffix,
    status: decline ? 'failed' : 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
}

export function newRefund(
  charge: ChargeObject,
  input: { amount: number; reason?: RefundReason; metadata: Metadata },
  pending: boolean,
  created: number,
): RefundObject {
  return {
    id: newStripeId('re'),
    object: 'refund',
    amount: input.amount,
    balance_transaction: pending ? null : newStripeId('txn'),
    charge: charge.id,
    created,
    currency: charge.currency,
    customer: typeof charge.customer === 'string' ? charge.customer : (charge.customer?.id ?? null),
    customer_account: null,
    destination_details: { card: { type: pending ? 'pending' : 'refund' }, type: 'card' },
    metadata: input.metadata,
    payment_intent: charge.payment_intent,
    payment_method: charge.payment_method,
    reason: input.reason ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: pending ? 'pending' : 'succeeded',
    transfer_reversal: null,
  };
}

/** What the customer's statement shows: the account's descriptor, or its prefix and the intent's suffix. */
function statementDescriptor(intent: PaymentIntentObject): string {
  const descriptor = intent.statement_descriptor_suffix
    ? `${ACCOUNT_STATEMENT_DESCRIPTOR}* ${intent.statement_descriptor_suffix}`
    : (intent.statement_descriptor ?? ACCOUNT_STATEMENT_DESCRIPTOR);
  return descriptor.toUpperCase().slice(0, STATEMENT_DESCRIPTOR_MAX);
}
