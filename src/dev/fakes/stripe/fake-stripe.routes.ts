import { minimumCharge } from '../../../modules/payments/stripe/charge-limits';
import { StripeApiError } from './fake-stripe.errors';
import { FakeStripeLedger, RequestOrigin } from './fake-stripe.ledger';
import { PaymentIntentObject, RefundReason } from './fake-stripe.objects';
import { FormObject } from './parse-form-body';
import { StripeParams } from './stripe-params';

/**
 * The second step of a request: validation is done, this performs the change. Anything it throws is an answer
 * of an executed request and is kept for idempotent replay; errors thrown while preparing are not.
 */
export type Execute = (origin: RequestOrigin) => unknown;

interface Route {
  method: 'GET' | 'POST';
  path: RegExp;
  prepare: (ids: string[], params: FormObject) => Execute;
}

const MAX_AMOUNT = 99_999_999;
const REFUND_REASONS: readonly RefundReason[] = ['duplicate', 'fraudulent', 'requested_by_customer'];
const CANCELLATION_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const;
const ID = '([A-Za-z0-9_]+)';

/** Maps `/v1` method + path to parameter validation and a ledger call. */
export class FakeStripeRoutes {
  private readonly routes: Route[];

  constructor(private readonly ledger: FakeStripeLedger) {
    this.routes = [
      { method: 'POST', path: /^\/v1\/customers$/, prepare: (_, p) => this.createCustomer(p) },
      {
        method: 'GET',
        path: new RegExp(`^/v1/customers/${ID}$`),
        prepare: ([id], p) => this.getCustomer(id, p),
      },
      { method: 'POST', path: /^\/v1\/payment_intents$/, prepare: (_, p) => this.createPaymentIntent(p) },
      {
        method: 'GET',
        path: new RegExp(`^/v1/payment_intents/${ID}$`),
        prepare: ([id], p) => this.getPaymentIntent(id, p),
      },
      {
        method: 'POST',
        path: new RegExp(`^/v1/payment_intents/${ID}/confirm$`),
        prepare: ([id], p) => this.confirmPaymentIntent(id, p),
      },
      {
        method: 'POST',
        path: new RegExp(`^/v1/payment_intents/${ID}/cancel$`),
        prepare: ([id], p) => this.cancelPaymentIntent(id, p),
      },
      { method: 'POST', path: /^\/v1\/refunds$/, prepare: (_, p) => this.createRefund(p) },
      { method: 'GET', path: /^\/v1\/refunds$/, prepare: (_, p) => this.listRefunds(p) },
      { method: 'GET', path: new RegExp(`^/v1/refunds/${ID}$`), prepare: ([id], p) => this.getRefund(id, p) },
      { method: 'GET', path: new RegExp(`^/v1/charges/${ID}$`), prepare: ([id], p) => this.getCharge(id, p) },
      { method: 'GET', path: /^\/v1\/events$/, prepare: (_, p) => this.listEvents(p) },
      { method: 'GET', path: new RegExp(`^/v1/events/${ID}$`), prepare: ([id], p) => this.getEvent(id, p) },
    ];
  }

  /** Undefined for a path the fake does not serve (Stripe's "Unrecognized request URL"). */
  match(method: string, path: string): ((params: FormObject) => Execute) | undefined {
    for (const route of this.routes) {
      const found = route.method === method ? route.path.exec(path) : null;
      if (found) return (params) => route.prepare(found.slice(1), params);
    }
    return undefined;
  }

  private createCustomer(values: FormObject): Execute {
    const p = StripeParams.of(values, ['email', 'name', 'description', 'phone', 'metadata', 'expand']);
    const input = {
      email: p.string('email'),
      name: p.string('name'),
      description: p.string('description'),
      phone: p.string('phone'),
      metadata: p.metadata(),
    };
    this.noExpansion(p);
    return () => this.ledger.createCustomer(input);
  }

  private getCustomer(id: string, values: FormObject): Execute {
    this.noExpansion(StripeParams.of(values, ['expand']));
    return () => this.ledger.customer(id);
  }

  private createPaymentIntent(values: FormObject): Execute {
    const p = StripeParams.of(values, [
      'amount',
      'currency',
      'customer',
      'metadata',
      'payment_method',
      'payment_method_types',
      'confirm',
      'automatic_payment_methods',
      'capture_method',
      'description',
      'receipt_email',
      'statement_descriptor',
      'statement_descriptor_suffix',
      'return_url',
      'expand',
    ]);
    const automatic = p.hash('automatic_payment_methods', ['enabled', 'allow_redirects']);
    const methodTypes = p.stringList('payment_method_types');
    // Manual capture adds a requires_capture step Dispatch does not use; refusing it keeps the fake honest.
    p.oneOf('capture_method', ['automatic']);
    const input = {
      amount: p.requiredInteger('amount', { min: 1, max: MAX_AMOUNT }),
      currency: currency(p.requiredString('currency')),
      customer: p.string('customer'),
      metadata: p.metadata(),
      paymentMethod: p.string('payment_method'),
      paymentMethodTypes: methodTypes.length > 0 ? methodTypes : ['card'],
      automaticPaymentMethods: automatic
        ? {
            enabled: automatic.boolean('enabled') ?? false,
            ...optional('allow_redirects', automatic.oneOf('allow_redirects', ['always', 'never'] as const)),
          }
        : null,
      description: p.string('description'),
      receiptEmail: p.string('receipt_email'),
      statementDescriptor: p.string('statement_descriptor'),
      statementDescriptorSuffix: p.string('statement_descriptor_suffix'),
    };
    const min = minimumCharge(input.currency);
    if (min !== undefined && input.amount < min) {
      throw StripeApiError.invalidRequest(
        `Amount must be at least ${(min / 100).toFixed(2)} ${input.currency}`,
        { code: 'amount_too_small', param: 'amount' },
      );
    }
    if (automatic?.boolean('enabled') && methodTypes.length > 0) {
      throw StripeApiError.invalidRequest(
        'You may only specify one of these parameters: automatic_payment_methods, payment_method_types.',
        { code: 'parameters_exclusive', param: 'automatic_payment_methods' },
      );
    }
    const confirm = p.boolean('confirm') ?? false;
    const expand = this.expansions(p, 'payment_intent');
    return (origin) => {
      let intent: PaymentIntentObject = this.ledger.createPaymentIntent(input);
      if (confirm) intent = this.ledger.confirmPaymentIntent(intent.id, input.paymentMethod, origin);
      return this.ledger.expand(intent, expand);
    };
  }

  private getPaymentIntent(id: string, values: FormObject): Execute {
    const p = StripeParams.of(values, ['expand', 'client_secret']);
    const expand = this.expansions(p, 'payment_intent');
    const clientSecret = p.string('client_secret');
    return () => {
      const intent = this.ledger.paymentIntent(id);
      if (clientSecret !== undefined && clientSecret !== intent.client_secret) {
        throw StripeApiError.invalidRequest(
          'The client_secret provided does not match the client_secret associated with the PaymentIntent.',
          {
            param: 'client_secret',
          },
        );
      }
      return this.ledger.expand(intent, expand);
    };
  }

  private confirmPaymentIntent(id: string, values: FormObject): Execute {
    const p = StripeParams.of(values, ['payment_method', 'return_url', 'off_session', 'expand']);
    const paymentMethod = p.string('payment_method');
    p.boolean('off_session');
    const expand = this.expansions(p, 'payment_intent');
    return (origin) =>
      this.ledger.expand(this.ledger.confirmPaymentIntent(id, paymentMethod, origin), expand);
  }

  private cancelPaymentIntent(id: string, values: FormObject): Execute {
    const p = StripeParams.of(values, ['cancellation_reason', 'expand']);
    const reason = p.oneOf('cancellation_reason', CANCELLATION_REASONS);
    const expand = this.expansions(p, 'payment_intent');
    return (origin) => this.ledger.expand(this.ledger.cancelPaymentIntent(id, reason, origin), expand);
  }

  private createRefund(values: FormObject): Execute {
    const p = StripeParams.of(values, ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'expand']);
    const input = {
      paymentIntent: p.string('payment_intent'),
      charge: p.string('charge'),
      amount: p.integer('amount', { min: 1, max: MAX_AMOUNT }),
      reason: p.oneOf('reason', REFUND_REASONS),
      metadata: p.metadata(),
    };
    if (input.paymentIntent === undefined && input.charge === undefined)
      throw StripeApiError.missingParam('payment_intent');
    const expand = this.expansions(p, 'refund');
    return (origin) => this.ledger.expand(this.ledger.createRefund(input, origin), expand);
  }

  private getRefund(id: string, values: FormObject): Execute {
    const expand = this.expansions(StripeParams.of(values, ['expand']), 'refund');
    return () => this.ledger.expand(this.ledger.refund(id), expand);
  }

  private listRefunds(values: FormObject): Execute {
    const p = StripeParams.of(values, [
      'limit',
      'payment_intent',
      'charge',
      'starting_after',
      'ending_before',
    ]);
    if (p.has('ending_before'))
      throw StripeApiError.invalidRequest('The fake lists refunds forward only (starting_after).', {
        param: 'ending_before',
      });
    const query = {
      limit: p.integer('limit', { min: 1, max: 100 }) ?? 10,
      paymentIntent: p.string('payment_intent'),
      charge: p.string('charge'),
      startingAfter: p.string('starting_after'),
    };
    return () => this.ledger.listRefunds(query);
  }

  private getCharge(id: string, values: FormObject): Execute {
    const expand = this.expansions(StripeParams.of(values, ['expand']), 'charge');
    return () => this.ledger.expand(this.ledger.charge(id), expand);
  }

  private listEvents(values: FormObject): Execute {
    const p = StripeParams.of(values, ['limit', 'starting_after', 'ending_before', 'type']);
    const query = {
      limit: p.integer('limit', { min: 1, max: 100 }) ?? 10,
      startingAfter: p.string('starting_after'),
      endingBefore: p.string('ending_before'),
      type: p.string('type'),
    };
    if (query.startingAfter && query.endingBefore) {
      throw StripeApiError.invalidRequest(
        'You may only specify one of these parameters: ending_before, starting_after.',
        {
          code: 'parameters_exclusive',
          param: 'starting_after',
        },
      );
    }
    return () => this.ledger.listEvents(query);
  }

  private getEvent(id: string, values: FormObject): Execute {
    StripeParams.of(values, []);
    return () => this.ledger.event(id);
  }

  private expansions(p: StripeParams, objectType: 'payment_intent' | 'charge' | 'refund'): string[] {
    const fields = p.stringList('expand');
    for (const field of fields) {
      if (!this.ledger.canExpand(objectType, field)) {
        throw StripeApiError.invalidRequest(`This property cannot be expanded (${field}).`, {
          param: 'expand',
        });
      }
    }
    return fields;
  }

  private noExpansion(p: StripeParams): void {
    const [field] = p.stringList('expand');
    if (field)
      throw StripeApiError.invalidRequest(`This property cannot be expanded (${field}).`, {
        param: 'expand',
      });
  }
}

function currency(value: string): string {
  if (!/^[A-Za-z]{3}$/.test(value)) {
    throw StripeApiError.invalidRequest(`Invalid currency: ${value}.`, { param: 'currency' });
  }
  return value.toLowerCase();
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
