import Stripe from 'stripe';

import { FakeStripeServer } from './fake-stripe.server';
import { WebhookReceiver } from './test-http';

const WEBHOOK_SECRET = 'whsec_api_spec';

/** Manual capture, the list and update endpoints and the declining test cards, through the real SDK. */
describe(`${FakeStripeServer.name} API`, () => {
  let sut: FakeStripeServer;
  let receiver: WebhookReceiver;
  let stripe: Stripe;

  const paidIntent = (params: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
    stripe.paymentIntents.create({
      amount: 1000,
      currency: 'eur',
      payment_method: 'pm_card_visa',
      confirm: true,
      ...params,
    });
  const manualIntent = (amount = 1000) => paidIntent({ amount, capture_method: 'manual' });
  const chargeOf = async (intent: Stripe.PaymentIntent) =>
    stripe.charges.retrieve(String((await stripe.paymentIntents.retrieve(intent.id)).latest_charge));
  /** Event types delivered about `objectId`, in delivery order. */
  const deliveredTypes = async (objectId: string) => {
    await sut.idle();
    return receiver.about(objectId).map((delivery) => delivery.type);
  };

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    sut = await FakeStripeServer.start({ webhookRetryDelaysMs: [20] });
    sut.configureWebhook({ url: receiver.url, secret: WEBHOOK_SECRET });
    stripe = new Stripe('sk_test_api_spec', { ...sut.sdkOptions(), maxNetworkRetries: 0, telemetry: false });
  });

  afterAll(async () => {
    await sut.stop();
    await receiver.stop();
  });

  describe('manual capture', () => {
    it('authorizes, then captures part: the rest is released and payment_intent.succeeded follows', async () => {
      const authorized = await manualIntent(1000);
      expect(authorized).toMatchObject({
        status: 'requires_capture',
        capture_method: 'manual',
        amount_capturable: 1000,
        amount_received: 0,
      });
      const held = await chargeOf(authorized);
      expect(held).toMatchObject({
        paid: true,
        status: 'succeeded',
        captured: false,
        amount_captured: 0,
        balance_transaction: null,
        payment_method_details: { card: { amount_authorized: 1000 } },
      });
      expect(held.payment_method_details?.card?.capture_before).toBeGreaterThan(held.created);
      expect(await deliveredTypes(authorized.id)).toEqual(['payment_intent.amount_capturable_updated']);

      const captured = await stripe.paymentIntents.capture(authorized.id, {
        amount_to_capture: 700,
        metadata: { captured: 'partly' },
      });
      expect(captured).toMatchObject({
        status: 'succeeded',
        amount_received: 700,
        amount_capturable: 0,
        metadata: { captured: 'partly' },
      });
      const charge = await chargeOf(authorized);
      expect(charge).toMatchObject({
        captured: true,
        amount_captured: 700,
        amount_refunded: 300,
        refunded: false,
      });
      expect(charge.balance_transaction).toMatch(/^txn_/);
      expect(charge.payment_method_details?.card).not.toHaveProperty('capture_before');
      expect(await deliveredTypes(authorized.id)).toEqual([
        'payment_intent.amount_capturable_updated',
        'payment_intent.succeeded',
      ]);
      const [, succeeded] = receiver.about(authorized.id);
      expect(JSON.parse(succeeded.raw)).toMatchObject({ data: { object: { amount_received: 700 } } });

      // Only what was captured can be refunded.
      await expect(stripe.refunds.create({ payment_intent: authorized.id })).resolves.toMatchObject({
        amount: 700,
      });
      await expect(chargeOf(authorized)).resolves.toMatchObject({ amount_refunded: 1000, refunded: true });
    });

    it('captures everything capturable by default, and refuses a second capture or too much', async () => {
      const tooMuch = await manualIntent(1000);
      await expect(
        stripe.paymentIntents.capture(tooMuch.id, { amount_to_capture: 1001 }),
      ).rejects.toMatchObject({
        statusCode: 400,
        code: 'amount_too_large',
        param: 'amount_to_capture',
      });
      await expect(stripe.paymentIntents.retrieve(tooMuch.id)).resolves.toMatchObject({
        status: 'requires_capture',
        amount_capturable: 1000,
      });

      await expect(stripe.paymentIntents.capture(tooMuch.id)).resolves.toMatchObject({
        status: 'succeeded',
        amount_received: 1000,
      });
      await expect(chargeOf(tooMuch)).resolves.toMatchObject({ amount_captured: 1000, amount_refunded: 0 });
      await expect(stripe.paymentIntents.capture(tooMuch.id)).rejects.toMatchObject({
        statusCode: 400,
        code: 'payment_intent_unexpected_state',
      });

      const automatic = await stripe.paymentIntents.create({ amount: 500, currency: 'eur' });
      await expect(stripe.paymentIntents.capture(automatic.id)).rejects.toMatchObject({
        code: 'payment_intent_unexpected_state',
        message: expect.stringContaining('status of requires_payment_method'),
      });
    });

    it('cancels an authorization: released in full, nothing to refund', async () => {
      const authorized = await manualIntent(1200);
      const refused = stripe.refunds.create({ payment_intent: authorized.id });
      await expect(refused).rejects.toMatchObject({ statusCode: 400, code: undefined, param: undefined });
      await expect(refused).rejects.toThrow('has not been captured');

      const canceled = await stripe.paymentIntents.cancel(authorized.id, {
        cancellation_reason: 'abandoned',
      });
      expect(canceled).toMatchObject({
        status: 'canceled',
        amount_capturable: 0,
        amount_received: 0,
        cancellation_reason: 'abandoned',
      });
      await expect(chargeOf(authorized)).resolves.toMatchObject({
        captured: false,
        amount_refunded: 1200,
        refunded: true,
      });
      expect(await deliveredTypes(authorized.id)).toEqual([
        'payment_intent.amount_capturable_updated',
        'payment_intent.canceled',
      ]);
      await expect(stripe.refunds.create({ payment_intent: authorized.id })).rejects.toMatchObject({
        statusCode: 400,
      });
      await expect(stripe.paymentIntents.capture(authorized.id)).rejects.toMatchObject({
        code: 'payment_intent_unexpected_state',
      });
    });
  });

  describe('PaymentIntents: list and update', () => {
    it('lists newest first, by customer, across pages both ways', async () => {
      const customer = await stripe.customers.create({ email: 'pages@example.com' });
      const made: string[] = [];
      for (const amount of [100, 200, 300, 400, 500])
        made.push(
          (await stripe.paymentIntents.create({ amount, currency: 'gbp', customer: customer.id })).id,
        );
      await stripe.paymentIntents.create({ amount: 600, currency: 'gbp' });
      const newest = [...made].reverse();

      const first = await stripe.paymentIntents.list({ customer: customer.id, limit: 2 });
      expect(first).toMatchObject({ object: 'list', url: '/v1/payment_intents', has_more: true });
      expect(first.data.map((intent) => intent.id)).toEqual(newest.slice(0, 2));
      const next = await stripe.paymentIntents.list({
        customer: customer.id,
        limit: 2,
        starting_after: newest[1],
      });
      expect(next.data.map((intent) => intent.id)).toEqual(newest.slice(2, 4));
      const back = await stripe.paymentIntents.list({
        customer: customer.id,
        limit: 2,
        ending_before: newest[3],
      });
      expect(back.data.map((intent) => intent.id)).toEqual(newest.slice(1, 3));
      expect(back.has_more).toBe(true);

      const all: string[] = [];
      for await (const intent of stripe.paymentIntents.list({ customer: customer.id, limit: 2 }))
        all.push(intent.id);
      expect(all).toEqual(newest);

      const created = first.data[0].created;
      const later = await stripe.paymentIntents.list({ customer: customer.id, created: { gt: created } });
      expect(later.data).toEqual([]);
      const upTo = await stripe.paymentIntents.list({ customer: customer.id, created: { lte: created } });
      expect(upTo.data.map((intent) => intent.id)).toEqual(newest);

      await expect(stripe.paymentIntents.list({ starting_after: 'pi_missing' })).rejects.toMatchObject({
        statusCode: 400,
        code: 'resource_missing',
        param: 'starting_after',
      });
      await expect(
        stripe.paymentIntents.list({ starting_after: newest[0], ending_before: newest[1] }),
      ).rejects.toMatchObject({ code: 'parameters_exclusive' });
    });

    it('updates amount, currency, description and metadata while waiting for a payment', async () => {
      const intent = await stripe.paymentIntents.create({
        amount: 1000,
        currency: 'eur',
        metadata: { orderId: 'o-1', stale: 'x' },
      });
      const updated = await stripe.paymentIntents.update(intent.id, {
        amount: 1500,
        currency: 'USD',
        description: 'order o-1',
        metadata: { stale: '', note: 'bigger' },
      });
      expect(updated).toMatchObject({
        amount: 1500,
        currency: 'usd',
        description: 'order o-1',
        status: 'requires_payment_method',
        metadata: { orderId: 'o-1', note: 'bigger' },
      });
      expect(updated.metadata).not.toHaveProperty('stale');

      await expect(stripe.paymentIntents.update(intent.id, { amount: 10 })).rejects.toMatchObject({
        code: 'amount_too_small',
        param: 'amount',
      });
      const withCard = await stripe.paymentIntents.update(intent.id, { payment_method: 'pm_card_visa' });
      expect(withCard).toMatchObject({ status: 'requires_confirmation', payment_method: 'pm_card_visa' });
      await expect(
        stripe.paymentIntents.update(intent.id, { payment_method: 'pm_nope' }),
      ).rejects.toMatchObject({
        code: 'resource_missing',
        param: 'payment_method',
      });
      await expect(stripe.paymentIntents.confirm(intent.id)).resolves.toMatchObject({
        status: 'succeeded',
        amount_received: 1500,
      });
    });

    it('refuses to change the money of a paid PaymentIntent, as Stripe does, but takes its metadata', async () => {
      const intent = await paidIntent();
      const refused = stripe.paymentIntents.update(intent.id, { amount: 2000 });
      await expect(refused).rejects.toMatchObject({
        statusCode: 400,
        code: 'payment_intent_unexpected_state',
        param: 'amount',
      });
      await expect(refused).rejects.toThrow(
        "This PaymentIntent's amount could not be updated because it has a status of succeeded.",
      );
      await expect(stripe.paymentIntents.update(intent.id, { currency: 'usd' })).rejects.toMatchObject({
        param: 'currency',
      });
      await expect(
        stripe.paymentIntents.update(intent.id, { metadata: { shipped: 'yes' }, description: 'paid' }),
      ).resolves.toMatchObject({ amount: 1000, description: 'paid', metadata: { shipped: 'yes' } });
      await expect(stripe.paymentIntents.update('pi_missing', { description: 'x' })).rejects.toMatchObject({
        statusCode: 404,
      });
    });
  });

  describe('charges, refunds and customers', () => {
    it('lists the charges of a PaymentIntent, the declined attempt included', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 800, currency: 'eur' });
      await expect(
        stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa_chargeDeclined' }),
      ).rejects.toMatchObject({ statusCode: 402 });
      await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_mastercard' });
      await stripe.paymentIntents.create({
        amount: 900,
        currency: 'eur',
        payment_method: 'pm_card_visa',
        confirm: true,
      });

      const charges = await stripe.charges.list({ payment_intent: intent.id });
      expect(charges).toMatchObject({ object: 'list', url: '/v1/charges', has_more: false });
      expect(
        charges.data.map((charge) => [charge.status, charge.payment_method_details?.card?.brand]),
      ).toEqual([
        ['succeeded', 'mastercard'],
        ['failed', 'visa'],
      ]);
      const page = await stripe.charges.list({ payment_intent: intent.id, limit: 1 });
      expect(page.has_more).toBe(true);
      expect((await stripe.charges.list({ limit: 100 })).data.length).toBeGreaterThanOrEqual(3);
    });

    it("updates a refund's metadata, and nothing else", async () => {
      const intent = await paidIntent();
      const refund = await stripe.refunds.create({
        payment_intent: intent.id,
        amount: 100,
        metadata: { a: '1' },
      });
      await expect(stripe.refunds.update(refund.id, { metadata: { b: '2' } })).resolves.toMatchObject({
        id: refund.id,
        amount: 100,
        metadata: { a: '1', b: '2' },
      });
      await expect(stripe.refunds.update(refund.id, { metadata: '' })).resolves.toMatchObject({
        metadata: {},
      });
      await expect(
        stripe.refunds.update(refund.id, { amount: 5 } as Stripe.RefundUpdateParams),
      ).rejects.toMatchObject({ code: 'parameter_unknown', param: 'amount' });
      await expect(stripe.refunds.update('re_missing', { metadata: { b: '2' } })).rejects.toMatchObject({
        statusCode: 404,
      });
      const newer = await stripe.refunds.create({ payment_intent: intent.id, amount: 50 });
      const back = await stripe.refunds.list({ payment_intent: intent.id, ending_before: newer.id });
      expect(back.data).toEqual([]);
      const before = await stripe.refunds.list({ payment_intent: intent.id, ending_before: refund.id });
      expect(before.data.map((r) => r.id)).toEqual([newer.id]);
    });

    it('lists customers by email and updates them', async () => {
      const ada = await stripe.customers.create({
        email: 'ada@lovelace.example',
        name: 'Ada',
        phone: '+44 1',
      });
      await stripe.customers.create({ email: 'other@lovelace.example' });
      const again = await stripe.customers.create({ email: 'ada@lovelace.example' });

      const found = await stripe.customers.list({ email: 'ada@lovelace.example' });
      expect(found).toMatchObject({ object: 'list', url: '/v1/customers', has_more: false });
      expect(found.data.map((customer) => customer.id)).toEqual([again.id, ada.id]);
      expect((await stripe.customers.list({ email: 'ADA@lovelace.example' })).data).toEqual([]);

      const updated = await stripe.customers.update(ada.id, {
        email: 'countess@lovelace.example',
        name: '',
        metadata: { userId: 'u-1' },
      });
      expect(updated).toMatchObject({
        id: ada.id,
        email: 'countess@lovelace.example',
        name: null,
        phone: '+44 1',
        metadata: { userId: 'u-1' },
      });
      await expect(stripe.customers.retrieve(ada.id)).resolves.toMatchObject({
        email: 'countess@lovelace.example',
      });
      await expect(stripe.customers.update('cus_missing', { name: 'x' })).rejects.toMatchObject({
        statusCode: 404,
        code: 'resource_missing',
      });
    });
  });

  describe("Stripe's declining test cards", () => {
    // docs.stripe.com/testing, "Declined payments"; the two names without `visa_` are the older aliases.
    it.each([
      [
        'pm_card_visa_chargeDeclined',
        'card_declined',
        'generic_decline',
        'Your card was declined.',
        undefined,
      ],
      ['pm_card_chargeDeclined', 'card_declined', 'generic_decline', 'Your card was declined.', undefined],
      [
        'pm_card_visa_chargeDeclinedInsufficientFunds',
        'card_declined',
        'insufficient_funds',
        'Your card has insufficient funds.',
        undefined,
      ],
      [
        'pm_card_chargeDeclinedInsufficientFunds',
        'card_declined',
        'insufficient_funds',
        'Your card has insufficient funds.',
        undefined,
      ],
      [
        'pm_card_visa_chargeDeclinedLostCard',
        'card_declined',
        'lost_card',
        'Your card was declined.',
        undefined,
      ],
      [
        'pm_card_visa_chargeDeclinedStolenCard',
        'card_declined',
        'stolen_card',
        'Your card was declined.',
        undefined,
      ],
      [
        'pm_card_chargeDeclinedExpiredCard',
        'expired_card',
        'expired_card',
        'Your card has expired.',
        'exp_month',
      ],
      [
        'pm_card_chargeDeclinedIncorrectCvc',
        'incorrect_cvc',
        'incorrect_cvc',
        "Your card's security code is incorrect.",
        'cvc',
      ],
      [
        'pm_card_chargeDeclinedProcessingError',
        'processing_error',
        'processing_error',
        'An error occurred while processing your card. Try again in a little bit.',
        undefined,
      ],
      [
        'pm_card_chargeDeclinedFraudulent',
        'card_declined',
        'fraudulent',
        'Your card was declined.',
        undefined,
      ],
    ])('%s: 402 card_error %s / %s', async (paymentMethod, code, declineCode, message, param) => {
      const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'eur' });
      const declined = stripe.paymentIntents.confirm(intent.id, { payment_method: paymentMethod });
      await expect(declined).rejects.toBeInstanceOf(Stripe.errors.StripeCardError);
      const error = (await declined.catch((caught: unknown) => caught)) as Stripe.errors.StripeCardError;
      expect(error).toMatchObject({
        statusCode: 402,
        type: 'StripeCardError',
        code,
        decline_code: declineCode,
        message,
      });
      expect(error.param).toBe(param);
      expect(error.doc_url).toBe(`https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`);
      expect(error.charge).toMatch(/^ch_/);
      expect(error.payment_intent).toMatchObject({
        id: intent.id,
        status: 'requires_payment_method',
        payment_method: null,
        last_payment_error: {
          type: 'card_error',
          code,
          decline_code: declineCode,
          message,
          charge: error.charge,
          payment_method: { id: paymentMethod, object: 'payment_method', type: 'card' },
        },
      });
      await expect(stripe.charges.retrieve(error.charge!)).resolves.toMatchObject({
        status: 'failed',
        paid: false,
        captured: false,
        failure_code: code,
        failure_message: message,
        outcome: { reason: declineCode === 'fraudulent' ? 'highest_risk_level' : declineCode },
      });
      expect(await deliveredTypes(intent.id)).toEqual(['payment_intent.payment_failed']);
      // The customer may try again with a working card.
      await expect(
        stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' }),
      ).resolves.toMatchObject({ status: 'succeeded' });
    });

    it('answers an unknown PaymentMethod with the list of the test cards it knows', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'eur' });
      const unknown = stripe.paymentIntents.confirm(intent.id, {
        payment_method: 'pm_card_visa_chargeDeclinedNope',
      });
      await expect(unknown).rejects.toMatchObject({
        statusCode: 400,
        code: 'resource_missing',
        param: 'payment_method',
      });
      await expect(unknown).rejects.toThrow('pm_card_chargeDeclinedFraudulent');
    });

    it('expands payment_method into the test PaymentMethod object', async () => {
      const intent = await paidIntent({ payment_method: 'pm_card_mastercard', expand: ['payment_method'] });
      expect(intent.payment_method).toMatchObject({
        id: 'pm_card_mastercard',
        object: 'payment_method',
        card: { brand: 'mastercard', last4: '4444' },
      });
    });
  });
});
