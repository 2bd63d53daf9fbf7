import { StripeApiError } from './fake-stripe.errors';
import {
  ChargeObject,
  CustomerObject,
  EventObject,
  EventType,
  ListObject,
  Metadata,
  PaymentIntentObject,
  PaymentIntentStatus,
  RefundFailureReason,
  RefundObject,
  RefundReason,
} from './fake-stripe.objects';
import { newStripeId } from './stripe-id';

/** The API request that caused a change; Stripe copies it into `event.request`. Null for test helpers. */
export interface RequestOrigin {
  requestId: string | null;
  idempotencyKey: string | null;
}

export interface CreateCustomerInput {
  email?: string;
  name?: string;
  description?: string;
  phone?: string;
  metadata: Metadata;
}

export interface CreatePaymentIntentInput {
  amount: number;
  currency: string;
  customer?: string;
  metadata: Metadata;
  paymentMethod?: string;
  paymentMethodTypes: string[];
  automaticPaymentMethods: PaymentIntentObject['automatic_payment_methods'];
  description?: string;
  receiptEmail?: string;
  statementDescriptor?: string;
  statementDescriptorSuffix?: string;
}

export interface CreateRefundInput {
  paymentIntent?: string;
  charge?: string;
  amount?: number;
  reason?: RefundReason;
  metadata: Metadata;
}

export interface RefundListQuery {
  limit: number;
  paymentIntent?: string;
  charge?: string;
  startingAfter?: string;
}

export interface EventListQuery {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
  type?: string;
}

type CardOutcome = { ok: true } | { ok: false; declineCode: string; message: string };

/** Stripe's test PaymentMethods the fake understands; anything else is "No such PaymentMethod". */
const TEST_PAYMENT_METHODS: Record<string, CardOutcome> = {
  pm_card_visa: { ok: true },
  pm_card_mastercard: { ok: true },
  pm_card_chargeDeclined: { ok: false, declineCode: 'generic_decline', message: 'Your card was declined.' },
  pm_card_chargeDeclinedInsufficientFunds: {
    ok: false,
    declineCode: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
};
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

/**
 * The fake's in-memory Stripe account: customers, PaymentIntents, charges, refunds and events, and the rules
 * that move them (confirm, decline, cancel, refund). Every read returns a deep copy, so neither callers nor
 * recorded events can see later changes.
 */
export class FakeStripeLedger {
  private readonly customerById = new Map<string, CustomerObject>();
  private readonly intentById = new Map<string, PaymentIntentObject>();
  private readonly chargeById = new Map<string, ChargeObject>();
  private readonly refundById = new Map<string, RefundObject>();
  private readonly eventLog: EventObject[] = [];
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

  createCustomer(input: CreateCustomerInput): CustomerObject {
    const customer: CustomerObject = {
      id: newStripeId('cus', 14),
      object: 'customer',
      created: now(),
      description: input.description ?? null,
      email: input.email ?? null,
      livemode: false,
      metadata: input.metadata,
      name: input.name ?? null,
      phone: input.phone ?? null,
    };
    this.customerById.set(customer.id, customer);
    return clone(customer);
  }

  customer(id: string): CustomerObject {
    return clone(this.requireCustomer(id, (missing) => StripeApiError.noSuchObject('customer', missing)));
  }

  createPaymentIntent(input: CreatePaymentIntentInput): PaymentIntentObject {
    if (input.customer !== undefined) {
      this.requireCustomer(input.customer, (id) =>
        StripeApiError.noSuchParamObject('customer', id, 'customer'),
      );
    }
    if (input.paymentMethod !== undefined) this.cardOutcome(input.paymentMethod);
    const id = newStripeId('pi');
    const intent: PaymentIntentObject = {
      id,
      object: 'payment_intent',
      amount: input.amount,
      amount_capturable: 0,
      amount_received: 0,
      automatic_payment_methods: input.automaticPaymentMethods,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: 'automatic',
      client_secret: `${id}_secret_${newStripeId('x', 25).slice(2)}`,
      confirmation_method: 'automatic',
      created: now(),
      currency: input.currency,
      customer: input.customer ?? null,
      description: input.description ?? null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata: input.metadata,
      next_action: null,
      payment_method: input.paymentMethod ?? null,
      payment_method_types: input.paymentMethodTypes,
      receipt_email: input.receiptEmail ?? null,
      statement_descriptor: input.statementDescriptor ?? null,
      statement_descriptor_suffix: input.statementDescriptorSuffix ?? null,
      status: input.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    };
    this.intentById.set(id, intent);
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
   * Charges the PaymentIntent with `paymentMethod` (default: a working card). A decline changes state and emits
   * `payment_intent.payment_failed` before it throws the 402, exactly like Stripe, so the error is the answer
   * of an executed request (and is replayed under its idempotency key).
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
    const method = paymentMethod ?? intent.payment_method ?? DEFAULT_PAYMENT_METHOD;
    const outcome = this.cardOutcome(method);
    const charge = this.recordCharge(intent, method, outcome);
    intent.latest_charge = charge.id;
    if (outcome.ok) {
      intent.status = 'succeeded';
      intent.amount_received = intent.amount;
      intent.payment_method = method;
      intent.last_payment_error = null;
      this.emit('payment_intent.succeeded', intent, origin);
      return clone(intent);
    }
    intent.status = 'requires_payment_method';
    intent.payment_method = null;
    intent.last_payment_error = {
      type: 'card_error',
      code: 'card_declined',
      decline_code: outcome.declineCode,
      message: outcome.message,
      charge: charge.id,
      payment_method: { id: method, object: 'payment_method', type: 'card' },
    };
    this.emit('payment_intent.payment_failed', intent, origin);
    throw StripeApiError.cardDeclined(outcome.declineCode, outcome.message, charge.id, clone(intent));
  }

  cancelPaymentIntent(id: string, reason: string | undefined, origin: RequestOrigin): PaymentIntentObject {
    const intent = this.requireIntent(id);
    if (!CANCELABLE.includes(intent.status)) {
      throw StripeApiError.invalidRequest(
        `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. ` +
          `Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
        { code: 'payment_intent_unexpected_state', payment_intent: clone(intent) },
      );
    }
    intent.status = 'canceled';
    intent.canceled_at = now();
    intent.cancellation_reason = reason ?? null;
    this.emit('payment_intent.canceled', intent, origin);
    return clone(intent);
  }

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
    const refund: RefundObject = {
      id: newStripeId('re'),
      object: 'refund',
      amount,
      balance_transaction: null,
      charge: charge.id,
      created: now(),
      currency: charge.currency,
      description: null,
      failure_balance_transaction: null,
      failure_reason: null,
      metadata: input.metadata,
      payment_intent: charge.payment_intent,
      reason: input.reason ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: this.holdRefunds ? 'pending' : 'succeeded',
      transfer_reversal: null,
    };
    refund.balance_transaction = refund.status === 'succeeded' ? newStripeId('txn') : null;
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
    const refund = this.refundById.get(id);
    if (!refund) throw StripeApiError.noSuchObject('refund', id);
    if (refund.status !== 'pending' && refund.status !== 'requires_action') {
      throw StripeApiError.invalidRequest(`Refund ${id} is ${refund.status}, not pending.`, {
        code: 'refund_unexpected_state',
      });
    }
    refund.status = outcome;
    const origin: RequestOrigin = { requestId: null, idempotencyKey: null };
    if (outcome === 'succeeded') {
      refund.balance_transaction = newStripeId('txn');
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

  /** Newest first, like `GET /v1/refunds`, optionally of one PaymentIntent or charge. */
  listRefunds(query: RefundListQuery): ListObject<RefundObject> {
    let refunds = [...this.refundById.values()].reverse();
    if (query.paymentIntent) refunds = refunds.filter((r) => r.payment_intent === query.paymentIntent);
    if (query.charge) refunds = refunds.filter((r) => r.charge === query.charge);
    if (query.startingAfter) {
      const index = refunds.findIndex((r) => r.id === query.startingAfter);
      if (index === -1)
        throw StripeApiError.noSuchParamObject('refund', query.startingAfter, 'starting_after');
      refunds = refunds.slice(index + 1);
    }
    return {
      object: 'list',
      data: clone(refunds.slice(0, query.limit)),
      has_more: refunds.length > query.limit,
      url: '/v1/refunds',
    };
  }

  refund(id: string): RefundObject {
    const refund = this.refundById.get(id);
    if (!refund) throw StripeApiError.noSuchObject('refund', id);
    return clone(refund);
  }

  charge(id: string): ChargeObject {
    const charge = this.chargeById.get(id);
    if (!charge) throw StripeApiError.noSuchObject('charge', id);
    return clone(charge);
  }

  event(id: string): EventObject {
    const event = this.eventLog.find((candidate) => candidate.id === id);
    if (!event) throw StripeApiError.noSuchObject('event', id);
    return clone(event);
  }

  /** Newest first, like `GET /v1/events`; `type` accepts Stripe's `payment_intent.*` wildcard. */
  listEvents(query: EventListQuery): ListObject<EventObject> {
    let events = [...this.eventLog].reverse();
    if (query.type) {
      const type = query.type;
      events = events.filter((event) =>
        type.endsWith('.*') ? event.type.startsWith(type.slice(0, -1)) : event.type === type,
      );
    }
    if (query.startingAfter) {
      const index = this.cursorIndex(events, query.startingAfter, 'starting_after');
      events = events.slice(index + 1);
    } else if (query.endingBefore) {
      const index = this.cursorIndex(events, query.endingBefore, 'ending_before');
      events = events.slice(Math.max(0, index - query.limit), index);
      return { object: 'list', data: clone(events), has_more: index - query.limit > 0, url: '/v1/events' };
    }
    return {
      object: 'list',
      data: clone(events.slice(0, query.limit)),
      has_more: events.length > query.limit,
      url: '/v1/events',
    };
  }

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
      payment_intent: { latest_charge: (id) => this.charge(id), customer: (id) => this.customer(id) },
      charge: { payment_intent: (id) => this.paymentIntent(id), customer: (id) => this.customer(id) },
      refund: { charge: (id) => this.charge(id), payment_intent: (id) => this.paymentIntent(id) },
    };
    return loaders[objectType]?.[field];
  }

  private cursorIndex(events: EventObject[], id: string, param: string): number {
    const index = events.findIndex((event) => event.id === id);
    if (index === -1) throw StripeApiError.noSuchParamObject('event', id, param);
    return index;
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
    if (!charge || charge.status !== 'succeeded' || (intent && intent.status !== 'succeeded')) {
      throw StripeApiError.invalidRequest(
        `This PaymentIntent (${input.paymentIntent ?? input.charge}) does not have a successful charge to refund.`,
        { code: 'payment_intent_unexpected_state', param: input.paymentIntent ? 'payment_intent' : 'charge' },
      );
    }
    return charge;
  }

  private recordCharge(
    intent: PaymentIntentObject,
    paymentMethod: string,
    outcome: CardOutcome,
  ): ChargeObject {
    const charge: ChargeObject = {
      id: newStripeId('ch'),
      object: 'charge',
      amount: intent.amount,
      amount_captured: outcome.ok ? intent.amount : 0,
      amount_refunded: 0,
      captured: outcome.ok,
      created: now(),
      currency: intent.currency,
      customer: intent.customer,
      description: intent.description,
      failure_code: outcome.ok ? null : 'card_declined',
      failure_message: outcome.ok ? null : outcome.message,
      livemode: false,
      // Stripe copies the PaymentIntent's metadata onto its charges; Dispatch finds the order of a
      // charge.refunded event through it.
      metadata: { ...intent.metadata },
      paid: outcome.ok,
      payment_intent: intent.id,
      payment_method: paymentMethod,
      refunded: false,
      status: outcome.ok ? 'succeeded' : 'failed',
    };
    this.chargeById.set(charge.id, charge);
    return charge;
  }

  private cardOutcome(paymentMethod: string): CardOutcome {
    const outcome = TEST_PAYMENT_METHODS[paymentMethod];
    if (!outcome) {
      throw StripeApiError.invalidRequest(
        `No such PaymentMethod: '${paymentMethod}'. The fake knows ${Object.keys(TEST_PAYMENT_METHODS).join(', ')}.`,
        { code: 'resource_missing', param: 'payment_method' },
      );
    }
    return outcome;
  }

  private requireIntent(id: string): PaymentIntentObject {
    const intent = this.intentById.get(id);
    if (!intent) throw StripeApiError.noSuchObject('payment_intent', id, 'intent');
    return intent;
  }

  private requireCustomer(id: string, missing: (id: string) => StripeApiError): CustomerObject {
    const customer = this.customerById.get(id);
    if (!customer) throw missing(id);
    return customer;
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

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function money(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency}`;
}
