import { StripeApiError } from './fake-stripe.errors';
import { FakeStripeLedger, RequestOrigin, assertChargeable } from './fake-stripe.ledger';
import { CaptureMethod, PaymentIntentObject, RefundReason } from './fake-stripe.objects';
import { PageQuery } from './list-page';
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
const CAPTURE_METHODS: readonly CaptureMethod[] = ['automatic', 'automatic_async', 'manual'];
const CUSTOMER_PARAMS = ['email', 'name', 'description', 'phone', 'metadata', 'expand'];
const PAGE_PARAMS = ['limit', 'starting_after', 'ending_before', 'created', 'expand'];
const ID = '([A-Za-z0-9_]+)';

/** Maps `/v1` method + path to parameter validation and a ledger call. */
export class FakeStripeRoutes {
  private readonly routes: Route[];

  constructor(private readonly ledger: FakeStripeLedger) {
    this.routes = [
      { method: 'POST', path: /^\/v1\/customers$/, prepare: (_, p) => this.createCustomer(p) },
      { method: 'GET', path: /^\/v1\/customers$/, prepare: (_, p) => this.listCustomers(p) },
      {
        method: 'GET',
        path: new RegExp(`^/v1/customers/${ID}$`),
        prepare: ([id], p) => this.getCustomer(id, p),
      },
      {
        method: 'POST',
        path: new RegExp(`^/v1/customers/${ID}$`),
        prepare: ([id], p) => this.updateCustomer(id, p),
      },
      { method: 'POST', path: /^\/v1\/payment_intents$/, prepare: (_, p) => this.createPaymentIntent(p) },
      { method: 'GET', path: /^\/v1\/payment_intents$/, prepare: (_, p) => this.listPaymentIntents(p) },
      {
        method: 'GET',
        path: new RegExp(`^/v1/payment_intents/${ID}$`),
        prepare: ([id], p) => this.getPaymentIntent(id, p),
      },
      {
        method: 'POST',
        path: new RegExp(`^/v1/payment_intents/${ID}$`),
        prepare: ([id], p) => this.updatePaymentIntent(id, p),
      },
      {
        method: 'POST',
        path: new RegExp(`^/v1/payment_intents/${ID}/confirm$`),
        prepare: ([id], p) => this.confirmPaymentIntent(id, p),
      },
      {
        method: 'POST',
        path: new RegExp(`^/v1/payment_intents/${ID}/capture$`),
        prepare: ([id], p) => this.capturePaymentIntent(id, p),
      },
      {
        method: 'POST',
        path: new RegExp(`^/v1/payment_intents/${ID}/cancel$`),
        prepare: ([id], p) => this.cancelPaymentIntent(id, p),
      },
      { method: 'POST', path: /^\/v1\/refunds$/, prepare: (_, p) => this.createRefund(p) },
      { method: 'GET', path: /^\/v1\/refunds$/, prepare: (_, p) => this.listRefunds(p) },
      { method: 'GET', path: new RegExp(`^/v1/refunds/${ID}$`), prepare: ([id], p) => this.getRefund(id, p) },
      {
        method: 'POST',
        path: new RegExp(`^/v1/refunds/${ID}$`),
        prepare: ([id], p) => this.updateRefund(id, p),
      },
      { method: 'GET', path: /^\/v1\/charges$/, prepare: (_, p) => this.listCharges(p) },
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
    const p = StripeParams.of(values, CUSTOMER_PARAMS);
    const input = { ...customerFields((name) => p.string(name)), metadata: p.metadata() };
    this.noExpansion(p);
    return () => this.ledger.createCustomer(input);
  }

  private getCustomer(id: string, values: FormObject): Execute {
    this.noExpansion(StripeParams.of(values, ['expand']));
    return () => this.ledger.customer(id);
  }

  private updateCustomer(id: string, values: FormObject): Execute {
    const p = StripeParams.of(values, CUSTOMER_PARAMS);
    const changes = { ...customerFields((name) => p.nullableString(name)), metadata: p.metadataUpdate() };
    this.noExpansion(p);
    return () => this.ledger.updateCustomer(id, changes);
  }

  private listCustomers(values: FormObject): Execute {
    const p = StripeParams.of(values, [...PAGE_PARAMS, 'email']);
    const query = { ...this.page(p), email: p.string('email') };
    return () => this.ledger.listCustomers(query);
  }

  private createPaymentIntent(values: FormObject): Execute {
    const p = StripeParams.of(values, [
      'amount',
      'currency',
      'customer',
      'metadata',
      'payment_method',
      'payment_method_types',
      'allowed_payment_method_types',
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
    // `allowed_payment_method_types` is this API version's name; `payment_method_types` is still taken from
    // clients pinned to an older one.
    const allowedTypes = p.stringList('allowed_payment_method_types');
    const methodTypes = allowedTypes.length > 0 ? allowedTypes : p.stringList('payment_method_types');
    const input = {
      amount: p.requiredInteger('amount', { min: 1, max: MAX_AMOUNT }),
      currency: currency(p.requiredString('currency')),
      captureMethod: p.oneOf('capture_method', CAPTURE_METHODS) ?? 'automatic',
      customer: p.string('customer'),
      metadata: p.metadata(),
      paymentMethod: p.string('payment_method'),
      paymentMethodTypes: methodTypes.length > 0 ? methodTypes : ['card'],
      allowedPaymentMethodTypes: allowedTypes.length > 0 ? allowedTypes : null,
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
    assertChargeable(input.amount, input.currency);
    if (automatic?.boolean('enabled') && methodTypes.length > 0) {
      throw StripeApiError.invalidRequest(
        `You may only specify one of these parameters: automatic_payment_methods, ${allowedTypes.length > 0 ? 'allowed_payment_method_types' : 'payment_method_types'}.`,
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

  private updatePaymentIntent(id: string, values: FormObject): Execute {
    const p = StripeParams.of(values, [
      'amount',
      'currency',
      'customer',
      'description',
      'metadata',
      'payment_method',
      'capture_method',
      'receipt_email',
      'statement_descriptor',
      'statement_descriptor_suffix',
      'expand',
    ]);
    const currencyCode = p.string('currency');
    const changes = {
      amount: p.integer('amount', { min: 1, max: MAX_AMOUNT }),
      currency: currencyCode === undefined ? undefined : currency(currencyCode),
      customer: p.string('customer'),
      paymentMethod: p.string('payment_method'),
      captureMethod: p.oneOf('capture_method', CAPTURE_METHODS),
      statementDescriptor: p.nullableString('statement_descriptor'),
      statementDescriptorSuffix: p.nullableString('statement_descriptor_suffix'),
      description: p.nullableString('description'),
      receiptEmail: p.nullableString('receipt_email'),
      metadata: p.metadataUpdate(),
    };
    const expand = this.expansions(p, 'payment_intent');
    return () => this.ledger.expand(this.ledger.updatePaymentIntent(id, changes), expand);
  }

  private listPaymentIntents(values: FormObject): Execute {
    const p = StripeParams.of(values, [...PAGE_PARAMS, 'customer']);
    const query = { ...this.page(p), customer: p.string('customer') };
    return () => this.ledger.listPaymentIntents(query);
  }

  private confirmPaymentIntent(id: string, values: FormObject): Execute {
    const p = StripeParams.of(values, ['payment_method', 'return_url', 'off_session', 'expand']);
    const paymentMethod = p.string('payment_method');
    p.boolean('off_session');
    const expand = this.expansions(p, 'payment_intent');
    return (origin) =>
      this.ledger.expand(this.ledger.confirmPaymentIntent(id, paymentMethod, origin), expand);
  }

  private capturePaymentIntent(id: string, values: FormObject): Execute {
    const p = StripeParams.of(values, [
      'amount_to_capture',
      'metadata',
      'statement_descriptor_suffix',
      'expand',
    ]);
    const input = {
      amountToCapture: p.integer('amount_to_capture', { min: 1, max: MAX_AMOUNT }),
      statementDescriptorSuffix: p.string('statement_descriptor_suffix'),
      metadata: p.metadataUpdate(),
    };
    const expand = this.expansions(p, 'payment_intent');
    return (origin) => this.ledger.expand(this.ledger.capturePaymentIntent(id, input, origin), expand);
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

  private updateRefund(id: string, values: FormObject): Execute {
    const p = StripeParams.of(values, ['metadata', 'expand']);
    const metadata = p.metadataUpdate();
    const expand = this.expansions(p, 'refund');
    return () => this.ledger.expand(this.ledger.updateRefund(id, metadata), expand);
  }

  private listRefunds(values: FormObject): Execute {
    const p = StripeParams.of(values, [...PAGE_PARAMS, 'payment_intent', 'charge']);
    const query = { ...this.page(p), paymentIntent: p.string('payment_intent'), charge: p.string('charge') };
    return () => this.ledger.listRefunds(query);
  }

  private listCharges(values: FormObject): Execute {
    const p = StripeParams.of(values, [...PAGE_PARAMS, 'payment_intent', 'customer']);
    const query = {
      ...this.page(p),
      paymentIntent: p.string('payment_intent'),
      customer: p.string('customer'),
    };
    return () => this.ledger.listCharges(query);
  }

  private getCharge(id: string, values: FormObject): Execute {
    const expand = this.expansions(StripeParams.of(values, ['expand']), 'charge');
    return () => this.ledger.expand(this.ledger.charge(id), expand);
  }

  private listEvents(values: FormObject): Execute {
    const p = StripeParams.of(values, [...PAGE_PARAMS, 'type']);
    const query = { ...this.page(p), type: p.string('type') };
    return () => this.ledger.listEvents(query);
  }

  private getEvent(id: string, values: FormObject): Execute {
    StripeParams.of(values, []);
    return () => this.ledger.event(id);
  }

  /** The paging parameters every list takes; a list's items are not expandable here. */
  private page(p: StripeParams): PageQuery {
    const query = {
      limit: p.integer('limit', { min: 1, max: 100 }) ?? 10,
      startingAfter: p.string('starting_after'),
      endingBefore: p.string('ending_before'),
      created: p.created(),
    };
    if (query.startingAfter !== undefined && query.endingBefore !== undefined) {
      throw StripeApiError.invalidRequest(
        'You may only specify one of these parameters: ending_before, starting_after.',
        { code: 'parameters_exclusive', param: 'starting_after' },
      );
    }
    this.noExpansion(p);
    return query;
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

function customerFields<T>(read: (name: string) => T) {
  return { email: read('email'), name: read('name'), description: read('description'), phone: read('phone') };
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
