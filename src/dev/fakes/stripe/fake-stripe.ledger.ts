import { minimumCharge } from '../../../modules/payments/stripe/charge-limits';
import { StripeApiError, docUrl } from './fake-stripe.errors';
import {
  CaptureMethod,
  ChargeObject,
  CustomerObject,
  EventObject,
  EventType,
  ListObject,
  Metadata,
  PaymentIntentObject,
  PaymentIntentStatus,
  PaymentMethodObject,
  RefundFailureReason,
  RefundObject,
  RefundReason,
} from './fake-stripe.objects';
import { PageQuery, listPage } from './list-page';
import {
  NewCustomer,
  NewPaymentIntent,
  newCharge,
  newCustomer,
  newPaymentIntent,
  newRefund,
} from './object-builders';
import { newStripeId } from './stripe-id';
import { TEST_PAYMENT_METHODS, TestPaymentMethod, paymentMethodObject } from './test-payment-methods';

/** The API request that caused a change; Stripe copies it into `event.request`. Null for test helpers. */
export interface RequestOrigin {
  requestId: string | null;
  idempotencyKey: string | null;
}

export type CreateCustomerInput = NewCustomer;
export type CreatePaymentIntentInput = NewPaymentIntent;

/** Changes of an update; `null` unsets, a metadata update is merged into what the object has. */
export interface CustomerChanges {
  email?: string | null;
  name?: string | null;
  description?: string | null;
  phone?: string | null;
  metadata?: (current: Metadata) => Metadata;
}

export interface PaymentIntentChanges {
  amount?: number;
  currency?: string;
  customer?: string;
  paymentMethod?: string;
  captureMethod?: CaptureMethod;
  statementDescriptor?: string | null;
  statementDescriptorSuffix?: string | null;
  description?: string | null;
  receiptEmail?: string | null;
  metadata?: (current: Metadata) => Metadata;
}

export interface CaptureInput {
  amountToCapture?: number;
  statementDescriptorSuffix?: string;
  metadata?: (current: Metadata) => Metadata;
}

export interface CreateRefundInput {
  paymentIntent?: string;
  charge?: string;
  amount?: number;
  reason?: RefundReason;
  metadata: Metadata;
}

export type CustomerListQuery = PageQuery & { email?: string };
export type PaymentIntentListQuery = PageQuery & { customer?: string };
export type ChargeListQuery = PageQuery & { paymentIntent?: string; customer?: string };
export type RefundListQuery = PageQuery & { paymentIntent?: string; charge?: string };
export type EventListQuery = PageQuery & { type?: string };

// Confirming without a payment method pays with a working card, so a dev can "pay" with a bare confirm.
const DEFAULT_PAYMENT_METHOD = 'pm_card_visa';

const CONFIRMABLE: readonly PaymentIntentStatus[] = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
];
const CANCELABLE: readonly PaymentIntentStatus[] = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];
/** What a PaymentIntent may still change once confirmed is only its bookkeeping (metadata, description, …). */
const PAYMENT_CHANGES: ReadonlyArray<[keyof PaymentIntentChanges, string]> = [
  ['amount', 'amount'],
  ['currency', 'currency'],
  ['customer', 'customer'],
  ['paymentMethod', 'payment_method'],
  ['captureMethod', 'capture_method'],
  ['statementDescriptor', 'statement_descriptor'],
  ['statementDescriptorSuffix', 'statement_descriptor_suffix'],
];

/** A PaymentIntent of `currency` may ask for `amount` (Stripe's minimum charge per currency). */
export function assertChargeable(amount: number, currency: string): void {
  const min = minimumCharge(currency);
  if (min !== undefined && amount < min) {
    throw StripeApiError.invalidRequest(`Amount must be at least ${(min / 100).toFixed(2)} ${currency}`, {
      code: 'amount_too_small',
      param: 'amount',
    });
  }
}

/**
 * The fake's in-memory Stripe account: customers, PaymentIntents, charges, refunds and events, and the rules
 * that move them (confirm, decline, capture, cancel, refund, update). Every read returns a deep copy, so neither
 * callers nor recorded events can see later changes.
 */
export class FakeStripeLedger {
  private readonly customerById = new Map<string, CustomerObject>();
  private readonly intentById = new Map<string, PaymentIntentObject>();
  private readonly chargeById = new Map<string, ChargeObject>();
  private readonly refundById = new Map<string, RefundObject>();
  /** Test PaymentMethods as first used, so their `created` stays put. */
  private readonly paymentMethodById = new Map<string, PaymentMethodObject>();
  private readonly eventLog: EventObject[] = [];
  /** The account's default payment method configuration, which automatic payment methods use. */
  private readonly paymentMethodConfiguration = newStripeId('pmc');
  /** While true, new refunds stay `pending` until settleRefund (like bank refunds that take days). */
  private holdRefunds = false;

  constructor(
    private readonly options: {
      apiVersion: string;
      /** How many webhook endpoints will be sent the event (Stripe's `pending_webhooks`). */
      webhookEndpoints: () => number;
      onEvent: (event: EventObject) => void;
    },
  ) {}

  // ---- customers

  createCustomer(input: CreateCustomerInput): CustomerObject {
    const customer = newCustomer(input, now());
    this.customerById.set(customer.id, customer);
    return clone(customer);
  }

  customer(id: string): CustomerObject {
    return clone(this.requireCustomer(id, (missing) => StripeApiError.noSuchObject('customer', missing)));
  }

  updateCustomer(id: string, changes: CustomerChanges): CustomerObject {
    const customer = this.requireCustomer(id, (missing) => StripeApiError.noSuchObject('customer', missing));
    if (changes.metadata) customer.metadata = changes.metadata(customer.metadata);
    if (changes.email !== undefined) customer.email = changes.email;
    if (changes.name !== undefined) customer.name = changes.name;
    if (changes.description !== undefined) customer.description = changes.description;
    if (changes.phone !== undefined) customer.phone = changes.phone;
    return clone(customer);
  }

  /** Newest first; `email` matches exactly (Stripe's filter is case-sensitive). */
  listCustomers(query: CustomerListQuery): ListObject<CustomerObject> {
    const customers = newestFirst(this.customerById).filter(
      (customer) => query.email === undefined || customer.email === query.email,
    );
    return clone(listPage(customers, query, '/v1/customers', 'customer'));
  }

  // ---- PaymentIntents

  createPaymentIntent(input: CreatePaymentIntentInput): PaymentIntentObject {
    if (input.customer !== undefined) this.requireParamCustomer(input.customer);
    if (input.paymentMethod !== undefined) this.testPaymentMethod(input.paymentMethod);
    const intent = newPaymentIntent(input, now(), this.paymentMethodConfiguration);
    this.intentById.set(intent.id, intent);
    return clone(intent);
  }

  paymentIntent(id: string): PaymentIntentObject {
    return clone(this.requireIntent(id));
  }

  findPaymentIntent(id: string): PaymentIntentObject | undefined {
    const intent = this.intentById.get(id);
    return intent && clone(intent);
  }

  /**
   * Stripe's update: what moves money (amount, currency, payment method, …) only while the PaymentIntent waits
   * for a payment; metadata, description and receipt email at any time. A new payment method must be confirmed
   * again.
   */
  updatePaymentIntent(id: string, changes: PaymentIntentChanges): PaymentIntentObject {
    const intent = this.requireIntent(id);
    if (!CONFIRMABLE.includes(intent.status)) {
      const blocked = PAYMENT_CHANGES.find(([key]) => changes[key] !== undefined);
      if (blocked) {
        const [, param] = blocked;
        throw StripeApiError.invalidRequest(
          `This PaymentIntent's ${param} could not be updated because it has a status of ${intent.status}. ` +
            `You may only update the ${param} of a PaymentIntent with one of the following statuses: ${CONFIRMABLE.join(', ')}.`,
          { code: 'payment_intent_unexpected_state', param, payment_intent: clone(intent) },
        );
      }
    }
    if (changes.customer !== undefined) this.requireParamCustomer(changes.customer);
    if (changes.paymentMethod !== undefined) this.testPaymentMethod(changes.paymentMethod);
    assertChargeable(changes.amount ?? intent.amount, changes.currency ?? intent.currency);
    const metadata = changes.metadata?.(intent.metadata);

    if (changes.amount !== undefined) intent.amount = changes.amount;
    if (changes.currency !== undefined) intent.currency = changes.currency;
    if (changes.customer !== undefined) intent.customer = changes.customer;
    if (changes.captureMethod !== undefined) intent.capture_method = changes.captureMethod;
    if (changes.paymentMethod !== undefined) {
      intent.payment_method = changes.paymentMethod;
      intent.status = 'requires_confirmation';
    }
    if (changes.statementDescriptor !== undefined) intent.statement_descriptor = changes.statementDescriptor;
    if (changes.statementDescriptorSuffix !== undefined)
      intent.statement_descriptor_suffix = changes.statementDescriptorSuffix;
    if (changes.description !== undefined) intent.description = changes.description;
    if (changes.receiptEmail !== undefined) intent.receipt_email = changes.receiptEmail;
    if (metadata) intent.metadata = metadata;
    return clone(intent);
  }

  /** Newest first, optionally of one customer. */
  listPaymentIntents(query: PaymentIntentListQuery): ListObject<PaymentIntentObject> {
    const intents = newestFirst(this.intentById).filter(
      (intent) => query.customer === undefined || intent.customer === query.customer,
    );
    return clone(listPage(intents, query, '/v1/payment_intents', 'payment_intent'));
  }

  /**
   * Charges the PaymentIntent with `paymentMethod` (default: a working card). With automatic capture it succeeds;
   * with manual capture the card is authorized and the intent waits in `requires_capture`. A decline changes state
   * and emits `payment_intent.payment_failed` before it throws the 402, exactly like Stripe, so the error is the
   * answer of an executed request (and is replayed under its idempotency key).
   */
  confirmPaymentIntent(
    id: string,
    paymentMethod: string | undefined,
    origin: RequestOrigin,
  ): PaymentIntentObject {
    const intent = this.requireIntent(id);
    if (!CONFIRMABLE.includes(intent.status)) {
      const reason =
        intent.status === 'succeeded'
          ? 'it has already succeeded after being previously confirmed'
          : `it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}`;
      throw StripeApiError.invalidRequest(`You cannot confirm this PaymentIntent because ${reason}.`, {
        code: 'payment_intent_unexpected_state',
        payment_intent: clone(intent),
      });
    }
    const methodId =
      paymentMethod ??
      (typeof intent.payment_method === 'string' ? intent.payment_method : intent.payment_method?.id) ??
      DEFAULT_PAYMENT_METHOD;
    const card = this.testPaymentMethod(methodId);
    const charge = newCharge(intent, methodId, card, now());
    this.chargeById.set(charge.id, charge);
    intent.latest_charge = charge.id;
    const decline = card.decline;
    if (!decline) {
      intent.payment_method = methodId;
      intent.last_payment_error = null;
      if (intent.capture_method === 'manual') {
        intent.status = 'requires_capture';
        intent.amount_capturable = intent.amount;
        this.emit('payment_intent.amount_capturable_updated', intent, origin);
      } else {
        intent.status = 'succeeded';
        intent.amount_received = intent.amount;
        this.emit('payment_intent.succeeded', intent, origin);
      }
      return clone(intent);
    }
    intent.status = 'requires_payment_method';
    intent.payment_method = null;
    intent.last_payment_error = {
      type: 'card_error',
      code: decline.code,
      decline_code: decline.declineCode,
      message: decline.message,
      ...(decline.adviceCode ? { advice_code: decline.adviceCode } : {}),
      ...(decline.param ? { param: decline.param } : {}),
      charge: charge.id,
      doc_url: docUrl(decline.code),
      payment_method: this.paymentMethodObject(methodId, card),
      payment_method_type: 'card',
    };
    this.emit('payment_intent.payment_failed', intent, origin);
    throw StripeApiError.cardError(intent.last_payment_error, clone(intent));
  }

  /**
   * Captures an authorized (`requires_capture`) PaymentIntent: `amountToCapture` (default: all that is
   * capturable) is received, the rest of the authorization is released (the charge shows it refunded, as
   * Stripe does), and `payment_intent.succeeded` is sent.
   */
  capturePaymentIntent(id: string, input: CaptureInput, origin: RequestOrigin): PaymentIntentObject {
    const intent = this.requireIntent(id);
    if (intent.status !== 'requires_capture') {
      throw StripeApiError.invalidRequest(
        `This PaymentIntent could not be captured because it has a status of ${intent.status}. ` +
          'Only a PaymentIntent with one of the following statuses may be captured: requires_capture.',
        { code: 'payment_intent_unexpected_state', payment_intent: clone(intent) },
      );
    }
    const amount = input.amountToCapture ?? intent.amount_capturable;
    if (amount > intent.amount_capturable) {
      throw StripeApiError.invalidRequest(
        `The amount to capture (${amount}) must be less than or equal to the amount capturable ` +
          `(${intent.amount_capturable}).`,
        { code: 'amount_too_large', param: 'amount_to_capture' },
      );
    }
    const metadata = input.metadata?.(intent.metadata);
    const charge = this.latestCharge(intent);
    charge.captured = true;
    charge.amount_captured = amount;
    charge.amount_refunded = charge.amount - amount;
    charge.balance_transaction = newStripeId('txn');
    delete charge.payment_method_details.card.capture_before;
    intent.status = 'succeeded';
    intent.amount_received = amount;
    intent.amount_capturable = 0;
    if (metadata) intent.metadata = metadata;
    if (input.statementDescriptorSuffix !== undefined)
      intent.statement_descriptor_suffix = input.statementDescriptorSuffix;
    this.emit('payment_intent.succeeded', intent, origin);
    return clone(intent);
  }

  /** Cancels a PaymentIntent that has not succeeded; an authorization is released (its charge shows refunded). */
  cancelPaymentIntent(id: string, reason: string | undefined, origin: RequestOrigin): PaymentIntentObject {
    const intent = this.requireIntent(id);
    if (!CANCELABLE.includes(intent.status)) {
      throw StripeApiError.invalidRequest(
        `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. ` +
          `Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
        { code: 'payment_intent_unexpected_state', payment_intent: clone(intent) },
      );
    }
    if (intent.status === 'requires_capture') {
      const charge = this.latestCharge(intent);
      charge.amount_refunded = charge.amount;
      charge.refunded = true;
      intent.amount_capturable = 0;
    }
    intent.status = 'canceled';
    intent.canceled_at = now();
    intent.cancellation_reason = reason ?? null;
    this.emit('payment_intent.canceled', intent, origin);
    return clone(intent);
  }

  // ---- charges

  charge(id: string): ChargeObject {
    const charge = this.chargeById.get(id);
    if (!charge) throw StripeApiError.noSuchObject('charge', id);
    return clone(charge);
  }

  /** Newest first, optionally of one PaymentIntent or customer. */
  listCharges(query: ChargeListQuery): ListObject<ChargeObject> {
    const charges = newestFirst(this.chargeById).filter(
      (charge) =>
        (query.paymentIntent === undefined || charge.payment_intent === query.paymentIntent) &&
        (query.customer === undefined || charge.customer === query.customer),
    );
    return clone(listPage(charges, query, '/v1/charges', 'charge'));
  }

  // ---- refunds

  /** Refunds `amount` (default: what is left) of the PaymentIntent's successful charge. */
  createRefund(input: CreateRefundInput, origin: RequestOrigin): RefundObject {
    const charge = this.refundableCharge(input);
    const remaining = charge.amount - charge.amount_refunded;
    if (remaining === 0) {
      throw StripeApiError.invalidRequest(`Charge ${charge.id} has already been refunded.`, {
        code: 'charge_already_refunded',
      });
    }
    const amount = input.amount ?? remaining;
    if (amount > remaining) {
      throw StripeApiError.invalidRequest(
        `Refund amount (${money(amount, charge.currency)}) is greater than unrefunded amount on charge ` +
          `(${money(remaining, charge.currency)})`,
        { code: 'amount_too_large', param: 'amount' },
      );
    }
    const refund = newRefund(charge, { ...input, amount }, this.holdRefunds, now());
    this.refundById.set(refund.id, refund);
    // Pending refunds count against the charge at once; a failure gives the amount back (settleRefund).
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    this.emit('refund.created', refund, origin);
    this.emit('charge.refunded', charge, origin);
    return clone(refund);
  }

  /** Whether refunds created from now on stay pending (true) or succeed at once (false, the default). */
  setHoldRefunds(hold: boolean): void {
    this.holdRefunds = hold;
  }

  /**
   * Settles a pending refund, as the bank eventually does: succeeded, or failed (its amount goes back to the
   * charge). Emits refund.updated and charge.refund.updated, and refund.failed for a failure.
   */
  settleRefund(
    id: string,
    outcome: 'succeeded' | 'failed',
    failureReason: RefundFailureReason = 'declined',
  ): RefundObject {
    const refund = this.requireRefund(id);
    if (refund.status !== 'pending' && refund.status !== 'requires_action') {
      throw StripeApiError.invalidRequest(`Refund ${id} is ${refund.status}, not pending.`, {
        code: 'refund_unexpected_state',
      });
    }
    refund.status = outcome;
    const origin: RequestOrigin = { requestId: null, idempotencyKey: null };
    if (outcome === 'succeeded') {
      refund.balance_transaction = newStripeId('txn');
      refund.destination_details.card.type = 'refund';
    } else {
      refund.failure_reason = failureReason;
      refund.failure_balance_transaction = newStripeId('txn');
      const charge = this.chargeById.get(
        typeof refund.charge === 'string' ? refund.charge : refund.charge.id,
      );
      if (charge) {
        charge.amount_refunded -= refund.amount;
        charge.refunded = charge.amount_refunded === charge.amount;
      }
    }
    this.emit('refund.updated', refund, origin);
    this.emit('charge.refund.updated', refund, origin);
    if (outcome === 'failed') this.emit('refund.failed', refund, origin);
    return clone(refund);
  }

  /** Stripe lets a refund's metadata change, nothing else. */
  updateRefund(id: string, metadata: ((current: Metadata) => Metadata) | undefined): RefundObject {
    const refund = this.requireRefund(id);
    if (metadata) refund.metadata = metadata(refund.metadata);
    return clone(refund);
  }

  /** Newest first, like `GET /v1/refunds`, optionally of one PaymentIntent or charge. */
  listRefunds(query: RefundListQuery): ListObject<RefundObject> {
    const refunds = newestFirst(this.refundById).filter(
      (refund) =>
        (query.paymentIntent === undefined || refund.payment_intent === query.paymentIntent) &&
        (query.charge === undefined || refund.charge === query.charge),
    );
    return clone(listPage(refunds, query, '/v1/refunds', 'refund'));
  }

  refund(id: string): RefundObject {
    return clone(this.requireRefund(id));
  }

  // ---- events

  event(id: string): EventObject {
    const event = this.eventLog.find((candidate) => candidate.id === id);
    if (!event) throw StripeApiError.noSuchObject('event', id);
    return clone(event);
  }

  /** Newest first, like `GET /v1/events`; `type` accepts Stripe's `payment_intent.*` wildcard. */
  listEvents(query: EventListQuery): ListObject<EventObject> {
    const type = query.type;
    const events = [...this.eventLog]
      .reverse()
      .filter(
        (event) =>
          type === undefined ||
          (type.endsWith('.*') ? event.type.startsWith(type.slice(0, -1)) : event.type === type),
      );
    return clone(listPage(events, query, '/v1/events', 'event'));
  }

  // ---- expansion

  canExpand(objectType: string, field: string): boolean {
    return this.expander(objectType, field) !== undefined;
  }

  /**
   * Replaces the ids in `fields` by the objects they name, as `expand[]=latest_charge` does: one level deep and
   * only for the links this fake stores (the routes reject other fields up front with `canExpand`).
   */
  expand<T extends PaymentIntentObject | ChargeObject | RefundObject>(object: T, fields: string[]): T {
    const expanded: Record<string, unknown> = { ...object };
    for (const field of fields) {
      const id = expanded[field];
      const load = this.expander(object.object, field);
      if (load && typeof id === 'string') expanded[field] = load(id);
    }
    return expanded as T;
  }

  // ---- everything, for test helpers

  paymentIntents(): PaymentIntentObject[] {
    return clone([...this.intentById.values()]);
  }

  refunds(): RefundObject[] {
    return clone([...this.refundById.values()]);
  }

  customers(): CustomerObject[] {
    return clone([...this.customerById.values()]);
  }

  /** Oldest first (the order they happened in). */
  events(): EventObject[] {
    return clone(this.eventLog);
  }

  private expander(objectType: string, field: string): ((id: string) => unknown) | undefined {
    const loaders: Record<string, Record<string, (id: string) => unknown>> = {
      payment_intent: {
        latest_charge: (id) => this.charge(id),
        customer: (id) => this.customer(id),
        payment_method: (id) => this.paymentMethodObject(id, this.testPaymentMethod(id)),
      },
      charge: { payment_intent: (id) => this.paymentIntent(id), customer: (id) => this.customer(id) },
      refund: { charge: (id) => this.charge(id), payment_intent: (id) => this.paymentIntent(id) },
    };
    return loaders[objectType]?.[field];
  }

  private refundableCharge(input: CreateRefundInput): ChargeObject {
    let intent: PaymentIntentObject | undefined;
    if (input.paymentIntent !== undefined) {
      intent = this.intentById.get(input.paymentIntent);
      if (!intent)
        throw StripeApiError.noSuchParamObject('payment_intent', input.paymentIntent, 'payment_intent');
    }
    let charge: ChargeObject | undefined;
    if (input.charge !== undefined) {
      charge = this.chargeById.get(input.charge);
      if (!charge) throw StripeApiError.noSuchParamObject('charge', input.charge, 'charge');
      if (intent && charge.payment_intent !== intent.id) {
        throw StripeApiError.invalidRequest(
          `Charge ${charge.id} does not belong to PaymentIntent ${intent.id}.`,
          {
            param: 'charge',
          },
        );
      }
    } else if (intent) {
      charge =
        typeof intent.latest_charge === 'string' ? this.chargeById.get(intent.latest_charge) : undefined;
    }
    if (charge?.status === 'succeeded' && !charge.captured && !charge.refunded) {
      // Stripe answers this one without a code or param.
      throw StripeApiError.invalidRequest(
        `This charge (${charge.id}) has not been captured. Cancel its PaymentIntent to release the ` +
          'authorization instead of refunding it.',
      );
    }
    if (!charge || charge.status !== 'succeeded' || (intent && intent.status !== 'succeeded')) {
      throw StripeApiError.invalidRequest(
        `This PaymentIntent (${input.paymentIntent ?? input.charge}) does not have a successful charge to refund.`,
        { code: 'payment_intent_unexpected_state', param: input.paymentIntent ? 'payment_intent' : 'charge' },
      );
    }
    return charge;
  }

  private latestCharge(intent: PaymentIntentObject): ChargeObject {
    const id = typeof intent.latest_charge === 'string' ? intent.latest_charge : intent.latest_charge?.id;
    const charge = id === undefined ? undefined : this.chargeById.get(id);
    if (!charge) throw new Error(`PaymentIntent ${intent.id} has no charge`);
    return charge;
  }

  private testPaymentMethod(id: string): TestPaymentMethod {
    const method = Object.hasOwn(TEST_PAYMENT_METHODS, id) ? TEST_PAYMENT_METHODS[id] : undefined;
    if (!method) {
      throw StripeApiError.invalidRequest(
        `No such PaymentMethod: '${id}'. The fake knows ${Object.keys(TEST_PAYMENT_METHODS).join(', ')}.`,
        { code: 'resource_missing', param: 'payment_method' },
      );
    }
    return method;
  }

  private paymentMethodObject(id: string, method: TestPaymentMethod): PaymentMethodObject {
    let object = this.paymentMethodById.get(id);
    if (!object) {
      object = paymentMethodObject(id, method, now(), null);
      this.paymentMethodById.set(id, object);
    }
    return clone(object);
  }

  private requireIntent(id: string): PaymentIntentObject {
    const intent = this.intentById.get(id);
    if (!intent) throw StripeApiError.noSuchObject('payment_intent', id, 'intent');
    return intent;
  }

  private requireRefund(id: string): RefundObject {
    const refund = this.refundById.get(id);
    if (!refund) throw StripeApiError.noSuchObject('refund', id);
    return refund;
  }

  private requireCustomer(id: string, missing: (id: string) => StripeApiError): CustomerObject {
    const customer = this.customerById.get(id);
    if (!customer) throw missing(id);
    return customer;
  }

  private requireParamCustomer(id: string): void {
    this.requireCustomer(id, (missing) => StripeApiError.noSuchParamObject('customer', missing, 'customer'));
  }

  private emit(
    type: EventType,
    object: PaymentIntentObject | ChargeObject | RefundObject,
    origin: RequestOrigin,
  ): void {
    const event: EventObject = {
      id: newStripeId('evt'),
      object: 'event',
      api_version: this.options.apiVersion,
      created: now(),
      data: { object: clone(object) },
      livemode: false,
      pending_webhooks: this.options.webhookEndpoints(),
      request: { id: origin.requestId, idempotency_key: origin.idempotencyKey },
      type,
    };
    this.eventLog.push(event);
    this.options.onEvent(clone(event));
  }
}

/** Maps keep insertion order, which is creation order. */
function newestFirst<T>(byId: Map<string, T>): T[] {
  return [...byId.values()].reverse();
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function money(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency}`;
}
