import { AdviceCode, BillingDetails, ChargeOutcome, PaymentMethodObject } from './fake-stripe.objects';

/** How the simulated issuer (or Radar) refuses a card: the error Stripe answers and the charge's outcome. */
export interface CardDecline {
  /** The error's `code`, also the charge's `failure_code`. */
  code: 'card_declined' | 'expired_card' | 'incorrect_cvc' | 'processing_error';
  declineCode: string;
  message: string;
  adviceCode?: AdviceCode;
  /** The card detail at fault, for the declines that name one. */
  param?: string;
  outcome: Pick<ChargeOutcome, 'network_status' | 'reason' | 'risk_level' | 'seller_message' | 'type'>;
}

export interface TestPaymentMethod {
  brand: 'visa' | 'mastercard';
  last4: string;
  /** Absent: the card is charged. */
  decline?: CardDecline;
}

const DECLINED = 'Your card was declined.';

function issuerDecline(
  declineCode: string,
  adviceCode: AdviceCode,
  extra: Partial<Pick<CardDecline, 'code' | 'message' | 'param'>> = {},
): CardDecline {
  return {
    code: 'card_declined',
    declineCode,
    message: DECLINED,
    adviceCode,
    ...extra,
    outcome: {
      network_status: 'declined_by_network',
      reason: declineCode,
      risk_level: 'normal',
      seller_message:
        declineCode === 'generic_decline'
          ? 'The bank did not return any further details with this decline.'
          : `The bank returned the decline code \`${declineCode}\`.`,
      type: 'issuer_declined',
    },
  };
}

const generic = issuerDecline('generic_decline', 'try_again_later');
const insufficientFunds = issuerDecline('insufficient_funds', 'try_again_later', {
  message: 'Your card has insufficient funds.',
});

/**
 * The test PaymentMethods of Stripe's testing docs (docs.stripe.com/testing, "Declined payments") the fake
 * understands, with the card behind each and the `card_error` Stripe answers. The `pm_card_chargeDeclined…` names
 * without `visa_` are the older aliases Stripe still takes. Anything else is "No such PaymentMethod".
 */
export const TEST_PAYMENT_METHODS: Readonly<Record<string, TestPaymentMethod>> = {
  pm_card_visa: { brand: 'visa', last4: '4242' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444' },
  pm_card_visa_chargeDeclined: { brand: 'visa', last4: '0002', decline: generic },
  pm_card_chargeDeclined: { brand: 'visa', last4: '0002', decline: generic },
  pm_card_visa_chargeDeclinedInsufficientFunds: { brand: 'visa', last4: '9995', decline: insufficientFunds },
  pm_card_chargeDeclinedInsufficientFunds: { brand: 'visa', last4: '9995', decline: insufficientFunds },
  pm_card_visa_chargeDeclinedLostCard: {
    brand: 'visa',
    last4: '9987',
    decline: issuerDecline('lost_card', 'do_not_try_again'),
  },
  pm_card_visa_chargeDeclinedStolenCard: {
    brand: 'visa',
    last4: '9979',
    decline: issuerDecline('stolen_card', 'do_not_try_again'),
  },
  pm_card_chargeDeclinedExpiredCard: {
    brand: 'visa',
    last4: '0069',
    decline: issuerDecline('expired_card', 'confirm_card_data', {
      code: 'expired_card',
      message: 'Your card has expired.',
      param: 'exp_month',
    }),
  },
  pm_card_chargeDeclinedIncorrectCvc: {
    brand: 'visa',
    last4: '0127',
    decline: issuerDecline('incorrect_cvc', 'confirm_card_data', {
      code: 'incorrect_cvc',
      message: "Your card's security code is incorrect.",
      param: 'cvc',
    }),
  },
  pm_card_chargeDeclinedProcessingError: {
    brand: 'visa',
    last4: '0119',
    decline: issuerDecline('processing_error', 'try_again_later', {
      code: 'processing_error',
      message: 'An error occurred while processing your card. Try again in a little bit.',
    }),
  },
  // Radar blocks this card (risk level highest) before the issuer sees it.
  pm_card_chargeDeclinedFraudulent: {
    brand: 'visa',
    last4: '0019',
    decline: {
      code: 'card_declined',
      declineCode: 'fraudulent',
      message: DECLINED,
      outcome: {
        network_status: 'not_sent_to_network',
        reason: 'highest_risk_level',
        risk_level: 'highest',
        seller_message: 'Stripe blocked this payment as too risky.',
        type: 'blocked',
      },
    },
  },
};

// Test cards carry a future expiry; one for all of them keeps objects stable within a run.
export const TEST_CARD_EXPIRY = { exp_month: 12, exp_year: new Date().getUTCFullYear() + 3 };

/** Stripe's test PaymentMethods carry no billing details. */
export function noBillingDetails(): BillingDetails {
  return {
    address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
    email: null,
    name: null,
    phone: null,
    tax_id: null,
  };
}

/** The PaymentMethod object of a test PaymentMethod id, as `last_payment_error.payment_method` carries it. */
export function paymentMethodObject(
  id: string,
  method: TestPaymentMethod,
  created: number,
  customer: string | null,
): PaymentMethodObject {
  return {
    id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: noBillingDetails(),
    card: {
      brand: method.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'unchecked' },
      country: 'US',
      display_brand: method.brand,
      ...TEST_CARD_EXPIRY,
      funding: 'credit',
      generated_from: null,
      last4: method.last4,
      networks: { available: [method.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created,
    customer,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: 'card',
  };
}
