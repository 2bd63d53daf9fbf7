import { join } from 'node:path';
import Stripe from 'stripe';
import ts from 'typescript';

import { FakeStripeServer } from './fake-stripe.server';
import { WebhookReceiver } from './test-http';

/**
 * The objects the fake answers with and the events it delivers, checked against the declarations of the
 * installed stripe-node (the API version it pins): every member the declaration does not mark optional is
 * present, every value has a JSON type the declaration allows (closed string literals included), nested
 * objects are checked the same way, and no member is sent that the declaration does not know.
 */
const STRIPE_TYPES = join(require.resolve('stripe'), '..', '..', 'cjs');
const RESOURCES = ['PaymentIntents', 'Charges', 'Refunds', 'Customers', 'Events', 'PaymentMethods'] as const;
type Resource = (typeof RESOURCES)[number];

type JsonKind = 'null' | 'string' | 'number' | 'boolean' | 'array' | 'object';
type Kind = JsonKind | 'unchecked' | 'absent';

/** The type declarations of one stripe-node install, read with the TypeScript compiler API. */
class StripeDeclarations {
  private readonly checker: ts.TypeChecker;

  private constructor(private readonly program: ts.Program) {
    this.checker = program.getTypeChecker();
  }

  /**
   * Only the files named are parsed (noResolve): a reference into another resource (Application, Review, …)
   * stays unresolved and accepts any object. The fake sends those as ids or null anyway, which the union's
   * other members check.
   */
  static load(): StripeDeclarations {
    const files = [...RESOURCES.map((name) => `resources/${name}.d.ts`), 'shared.d.ts', 'lib.d.ts'];
    const program = ts.createProgram(
      files.map((file) => join(STRIPE_TYPES, file)),
      { noEmit: true, noResolve: true, skipLibCheck: true, strict: true, types: [], lib: ['lib.es5.d.ts'] },
    );
    return new StripeDeclarations(program);
  }

  /** An interface or type alias of `resources/<resource>.d.ts`, by its dotted name (`Charge.Outcome`). */
  type(resource: Resource, dottedName: string): ts.Type {
    const source = this.program.getSourceFile(join(STRIPE_TYPES, 'resources', `${resource}.d.ts`));
    if (!source) throw new Error(`stripe-node has no resources/${resource}.d.ts`);
    let statements: readonly ts.Statement[] = source.statements;
    const names = dottedName.split('.');
    for (const [i, name] of names.entries()) {
      const last = i === names.length - 1;
      const found = statements.find((statement) =>
        last
          ? (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) &&
            statement.name.text === name
          : ts.isModuleDeclaration(statement) && statement.name.text === name,
      );
      if (!found) throw new Error(`stripe-node declares no ${dottedName} in ${resource}.d.ts`);
      if (last) return this.checker.getTypeAtLocation(found);
      const body = (found as ts.ModuleDeclaration).body;
      statements = body && ts.isModuleBlock(body) ? body.statements : [];
    }
    throw new Error(`empty name`);
  }

  /** Names of the members a value of `type` must have. */
  requiredMembers(type: ts.Type): string[] {
    return this.checker
      .getPropertiesOfType(type)
      .filter((member) => !(member.flags & ts.SymbolFlags.Optional))
      .map((member) => member.name);
  }

  /** `event.type` → the declared event (`ChargeRefundedEvent`, whose `data.object` is a Charge). */
  eventTypes(): Map<string, ts.Type> {
    const union = this.type('Events', 'Event');
    const byName = new Map<string, ts.Type>();
    for (const member of union.isUnion() ? union.types : [union]) {
      const typeMember = member.getProperty('type');
      const literal = typeMember && this.checker.getTypeOfSymbol(typeMember);
      if (literal?.isStringLiteral()) byName.set(literal.value, member);
    }
    return byName;
  }

  /** Every way `value` (parsed JSON) departs from `type`, as `path: problem` lines; empty when it conforms. */
  problems(value: unknown, type: ts.Type, path: string): string[] {
    return this.check(value, this.members(type), path);
  }

  private check(value: unknown, members: readonly ts.Type[], path: string): string[] {
    const actual = jsonKind(value);
    // An unresolved reference names another resource's object: any object fits it, nothing else does.
    const candidates = members.filter((member) => {
      const kind = this.kind(member);
      return kind === actual || (kind === 'unchecked' && actual === 'object');
    });
    if (candidates.length === 0) {
      const allowed = [...new Set(members.map((member) => this.checker.typeToString(member)))];
      return [`${path}: ${actual} where the declaration allows ${allowed.join(' | ')}`];
    }
    if (candidates.some((member) => this.kind(member) === 'unchecked')) return [];
    if (actual === 'string' || actual === 'number' || actual === 'boolean') {
      const literals = candidates.filter(
        (member) => member.isLiteral() || member.flags & ts.TypeFlags.BooleanLiteral,
      );
      if (literals.length < candidates.length) return [];
      const allowed = literals.map((member) => this.checker.typeToString(member));
      return allowed.includes(JSON.stringify(value))
        ? []
        : [`${path}: ${JSON.stringify(value)} is not ${allowed.join(' | ')}`];
    }
    if (actual === 'array') {
      const [element] = this.checker.getTypeArguments(candidates[0] as ts.TypeReference);
      return (value as unknown[]).flatMap((item, i) =>
        this.check(item, this.members(element), `${path}[${i}]`),
      );
    }
    if (actual === 'object') {
      // A union of objects (Customer | DeletedCustomer): the value must fit one of them.
      const attempts = candidates.map((member) =>
        this.objectProblems(value as Record<string, unknown>, member, path),
      );
      return attempts.reduce((best, next) => (next.length < best.length ? next : best));
    }
    return [];
  }

  private objectProblems(value: Record<string, unknown>, type: ts.Type, path: string): string[] {
    const problems: string[] = [];
    const declared = new Set<string>();
    for (const member of this.checker.getPropertiesOfType(type)) {
      declared.add(member.name);
      const at = `${path}.${member.name}`;
      if (!Object.hasOwn(value, member.name)) {
        if (!(member.flags & ts.SymbolFlags.Optional)) problems.push(`${at}: missing`);
        continue;
      }
      problems.push(...this.check(value[member.name], this.memberTypes(member), at));
    }
    const index = this.checker.getIndexTypeOfType(type, ts.IndexKind.String);
    for (const key of Object.keys(value).filter((name) => !declared.has(name))) {
      if (index) problems.push(...this.problems(value[key], index, `${path}.${key}`));
      else problems.push(`${path}.${key}: not declared`);
    }
    return problems;
  }

  /**
   * The alternatives a member's value may take. A union naming an unresolved type (another resource) collapses
   * to `any`; its written members are taken one by one instead, so `string | Application | null` still refuses a
   * number.
   */
  private memberTypes(member: ts.Symbol): ts.Type[] {
    const type = this.checker.getTypeOfSymbol(member);
    const declaration = member.valueDeclaration;
    if (
      type.flags & ts.TypeFlags.Any &&
      declaration &&
      ts.isPropertySignature(declaration) &&
      declaration.type
    ) {
      const written = ts.isUnionTypeNode(declaration.type) ? declaration.type.types : [declaration.type];
      return written.flatMap((node) => this.members(this.checker.getTypeFromTypeNode(node)));
    }
    return this.members(type);
  }

  private members(type: ts.Type): ts.Type[] {
    return type.isUnion() ? type.types : [type];
  }

  private kind(type: ts.Type): Kind {
    const flags = type.flags;
    if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return 'unchecked';
    if (flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void | ts.TypeFlags.Never)) return 'absent';
    if (flags & ts.TypeFlags.Null) return 'null';
    if (flags & ts.TypeFlags.StringLike) return 'string';
    if (flags & ts.TypeFlags.NumberLike) return 'number';
    if (flags & ts.TypeFlags.BooleanLike) return 'boolean';
    // Stripe's OtherString (`string & Record<never, never>`) keeps enums open.
    if (type.isIntersection())
      return type.types.some((part) => this.kind(part) === 'string') ? 'string' : 'object';
    return this.checker.isArrayType(type) ? 'array' : 'object';
  }
}

function jsonKind(value: unknown): JsonKind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const kind = typeof value;
  if (kind === 'string' || kind === 'number' || kind === 'boolean' || kind === 'object') return kind;
  throw new Error(`not JSON: ${kind}`);
}

/** What the SDK answered, as the JSON it was parsed from. */
function json(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

const API_KEY = 'sk_test_conformance';
const WEBHOOK_SECRET = 'whsec_conformance';

describe('fake Stripe objects against the declarations of the pinned API version', () => {
  let declarations: StripeDeclarations;
  let sut: FakeStripeServer;
  let receiver: WebhookReceiver;
  let stripe: Stripe;
  const samples: Array<{
    kind: 'PaymentIntent' | 'Charge' | 'Refund' | 'Customer';
    label: string;
    value: unknown;
  }> = [];

  const sample = (kind: (typeof samples)[number]['kind'], label: string, value: unknown) =>
    samples.push({ kind, label, value: json(value) });
  const declaredType = (kind: (typeof samples)[number]['kind']) =>
    declarations.type(`${kind}s` as Resource, kind);

  beforeAll(async () => {
    declarations = StripeDeclarations.load();
    receiver = await WebhookReceiver.start();
    sut = await FakeStripeServer.start({ webhookRetryDelaysMs: [20] });
    sut.configureWebhook({ url: receiver.url, secret: WEBHOOK_SECRET });
    stripe = new Stripe(API_KEY, { ...sut.sdkOptions(), maxNetworkRetries: 0, telemetry: false });
    await exercise();
    await sut.idle();
  }, 60_000);

  afterAll(async () => {
    await sut.stop();
    await receiver.stop();
  });

  /** Every state the fake can put its objects in, reached through the real SDK. */
  async function exercise(): Promise<void> {
    const customer = await stripe.customers.create({
      email: 'ada@example.com',
      name: 'Ada',
      metadata: { a: '1' },
    });
    sample('Customer', 'created', customer);
    sample('Customer', 'retrieved', await stripe.customers.retrieve(customer.id));

    const open = await stripe.paymentIntents.create({
      amount: 1500,
      currency: 'eur',
      customer: customer.id,
      automatic_payment_methods: { enabled: true },
      metadata: { orderId: 'o-1' },
    });
    sample('PaymentIntent', 'requires_payment_method', open);
    const withMethod = await stripe.paymentIntents.create({
      amount: 2000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      allowed_payment_method_types: ['card'],
      description: 'two',
      statement_descriptor_suffix: 'ORDER 2',
      receipt_email: 'ada@example.com',
    });
    sample('PaymentIntent', 'requires_confirmation', withMethod);
    const paid = await stripe.paymentIntents.confirm(withMethod.id);
    sample('PaymentIntent', 'succeeded', paid);
    const expanded = await stripe.paymentIntents.retrieve(paid.id, { expand: ['latest_charge'] });
    sample('PaymentIntent', 'succeeded, latest_charge expanded', expanded);
    sample('Charge', 'succeeded', expanded.latest_charge);

    try {
      await stripe.paymentIntents.confirm(open.id, { payment_method: 'pm_card_chargeDeclined' });
    } catch (error) {
      sample(
        'PaymentIntent',
        'declined (error.payment_intent)',
        (error as Stripe.errors.StripeCardError).payment_intent,
      );
    }
    const declined = await stripe.paymentIntents.retrieve(open.id, { expand: ['latest_charge', 'customer'] });
    sample('PaymentIntent', 'declined, latest_charge and customer expanded', declined);
    sample('Charge', 'failed', declined.latest_charge);
    sample('PaymentIntent', 'canceled', await stripe.paymentIntents.cancel(open.id));

    const refund = await stripe.refunds.create({
      payment_intent: paid.id,
      amount: 500,
      metadata: { r: '1' },
    });
    sample('Refund', 'succeeded', refund);
    sample(
      'Refund',
      'expanded',
      await stripe.refunds.retrieve(refund.id, { expand: ['charge', 'payment_intent'] }),
    );
    sut.holdRefunds(true);
    const pending = await stripe.refunds.create({ payment_intent: paid.id, amount: 300 });
    const failing = await stripe.refunds.create({ payment_intent: paid.id, amount: 200 });
    sut.holdRefunds(false);
    sample('Refund', 'pending', pending);
    sample('Refund', 'failed', await sut.settleRefund(failing.id, 'failed', 'expired_or_canceled_card'));
    sample('Refund', 'settled', await sut.settleRefund(pending.id, 'succeeded'));
    for (const listed of (await stripe.refunds.list({ payment_intent: paid.id })).data)
      sample('Refund', 'listed', listed);
    sample('Charge', 'partly refunded', await stripe.charges.retrieve(String(paid.latest_charge)));
    sample(
      'Refund',
      'metadata updated',
      await stripe.refunds.update(refund.id, { metadata: { r: '', s: '2' } }),
    );

    const manual = { amount: 1000, currency: 'eur', capture_method: 'manual' as const, confirm: true };
    const authorized = await stripe.paymentIntents.create({ ...manual, payment_method: 'pm_card_visa' });
    sample('PaymentIntent', 'requires_capture', authorized);
    sample('Charge', 'authorized', await stripe.charges.retrieve(String(authorized.latest_charge)));
    sample(
      'PaymentIntent',
      'partly captured',
      await stripe.paymentIntents.capture(authorized.id, { amount_to_capture: 600 }),
    );
    sample('Charge', 'partly captured', await stripe.charges.retrieve(String(authorized.latest_charge)));
    const released = await stripe.paymentIntents.create({ ...manual, payment_method: 'pm_card_mastercard' });
    sample('PaymentIntent', 'authorization canceled', await stripe.paymentIntents.cancel(released.id));
    sample('Charge', 'authorization released', await stripe.charges.retrieve(String(released.latest_charge)));

    for (const card of [
      'pm_card_visa_chargeDeclinedInsufficientFunds',
      'pm_card_visa_chargeDeclinedLostCard',
      'pm_card_visa_chargeDeclinedStolenCard',
      'pm_card_chargeDeclinedExpiredCard',
      'pm_card_chargeDeclinedIncorrectCvc',
      'pm_card_chargeDeclinedProcessingError',
      'pm_card_chargeDeclinedFraudulent',
    ]) {
      const intent = await stripe.paymentIntents.create({
        amount: 700,
        currency: 'eur',
        customer: customer.id,
      });
      const error = (await stripe.paymentIntents
        .confirm(intent.id, { payment_method: card })
        .catch((caught: unknown) => caught)) as Stripe.errors.StripeCardError;
      sample('PaymentIntent', `declined by ${card}`, error.payment_intent);
      sample('Charge', `declined by ${card}`, await stripe.charges.retrieve(error.charge!));
    }

    const updated = await stripe.paymentIntents.update(withMethod.id, {
      metadata: { late: 'yes' },
      description: '',
    });
    sample('PaymentIntent', 'updated after payment', updated);
    sample(
      'PaymentIntent',
      'payment_method expanded',
      await stripe.paymentIntents.retrieve(withMethod.id, { expand: ['payment_method'] }),
    );
    for (const listed of (await stripe.paymentIntents.list({ limit: 100 })).data)
      sample('PaymentIntent', 'listed', listed);
    for (const listed of (await stripe.charges.list({ limit: 100 })).data) sample('Charge', 'listed', listed);
    sample('Customer', 'updated', await stripe.customers.update(customer.id, { name: '', phone: '+1 555' }));
    for (const listed of (await stripe.customers.list({ email: 'ada@example.com' })).data)
      sample('Customer', 'listed', listed);
  }

  it('reads the required members from the installed declarations', () => {
    const required = (kind: (typeof samples)[number]['kind']) =>
      declarations.requiredMembers(declaredType(kind));
    expect(required('PaymentIntent')).toEqual(
      expect.arrayContaining(['id', 'amount', 'payment_method_options']),
    );
    expect(required('PaymentIntent').length).toBeGreaterThanOrEqual(40);
    expect(required('Charge')).toEqual(expect.arrayContaining(['billing_details', 'outcome', 'receipt_url']));
    expect(required('Refund')).toEqual(expect.arrayContaining(['balance_transaction', 'payment_method']));
    expect(required('Refund')).not.toContain('failure_reason');
    expect(declarations.requiredMembers(declarations.type('Events', 'EventBase'))).toEqual(
      expect.arrayContaining(['api_version', 'data', 'pending_webhooks', 'request']),
    );
  });

  it.each(['PaymentIntent', 'Charge', 'Refund', 'Customer'] as const)(
    'answers with %s objects as declared',
    (kind) => {
      const ofKind = samples.filter((candidate) => candidate.kind === kind);
      expect(ofKind.length).toBeGreaterThan(0);
      const type = declaredType(kind);
      expect(ofKind.flatMap((s) => declarations.problems(s.value, type, `${kind} (${s.label})`))).toEqual([]);
    },
  );

  it('delivers every event as the declared event of its type, data.object included', () => {
    const declared = declarations.eventTypes();
    const delivered = receiver.received.map((delivery) => JSON.parse(delivery.raw) as { type: string });
    const types = new Set(delivered.map((event) => event.type));
    expect([...types].sort()).toEqual(
      expect.arrayContaining([
        'charge.refund.updated',
        'charge.refunded',
        'payment_intent.amount_capturable_updated',
        'payment_intent.canceled',
        'payment_intent.payment_failed',
        'payment_intent.succeeded',
        'refund.created',
        'refund.failed',
        'refund.updated',
      ]),
    );
    const problems = delivered.flatMap((event) => {
      const type = declared.get(event.type);
      return type
        ? declarations.problems(event, type, `event ${event.type}`)
        : [`${event.type}: no such event type`];
    });
    expect(problems).toEqual([]);
  });

  it('notices a required member that is missing or of the wrong type (the check bites)', () => {
    const charge = samples.find((s) => s.kind === 'Charge')!.value as Record<string, unknown>;
    const type = declaredType('Charge');
    expect(declarations.problems(charge, type, 'charge')).toEqual([]);
    const { outcome: _dropped, ...withoutOutcome } = charge;
    expect(declarations.problems(withoutOutcome, type, 'charge')).toEqual(['charge.outcome: missing']);
    expect(declarations.problems({ ...charge, paid: null }, type, 'charge')).toEqual([
      'charge.paid: null where the declaration allows false | true',
    ]);
    expect(declarations.problems({ ...charge, object: 'refund' }, type, 'charge')).toEqual([
      `charge.object: "refund" is not "charge"`,
    ]);
    expect(declarations.problems({ ...charge, colour: 'red' }, type, 'charge')).toEqual([
      'charge.colour: not declared',
    ]);
    const outcome = charge.outcome as Record<string, unknown>;
    expect(declarations.problems({ ...charge, outcome: { ...outcome, type: 1 } }, type, 'charge')).toEqual([
      'charge.outcome.type: number where the declaration allows string',
    ]);
    // `string | Application | null`: Application is not parsed, its neighbours still count.
    expect(declarations.problems({ ...charge, application: 5 }, type, 'charge')).toEqual([
      expect.stringMatching(/^charge\.application: number where the declaration allows /),
    ]);
  });
});
