import Stripe from 'stripe';

import { FakeStripeServer } from './fake-stripe.server';
import { WebhookReceiver, rawRequest } from './test-http';

const API_KEY = 'sk_test_fake';
const WEBHOOK_SECRET = 'whsec_test_fake';
const TOLERANCE_SECONDS = 300;

describe(FakeStripeServer.name, () => {
  let sut: FakeStripeServer;
  let receiver: WebhookReceiver;
  let stripe: Stripe;
  let orderSeq = 0;

  const sdk = (maxNetworkRetries: number) =>
    new Stripe(API_KEY, { ...sut.sdkOptions(), maxNetworkRetries, telemetry: false });
  const nextOrderId = () => `order-${++orderSeq}`;
  const createIntent = (orderId = nextOrderId(), amount = 1000, client = stripe) =>
    client.paymentIntents.create({
      amount,
      currency: 'eur',
      automatic_payment_methods: { enabled: true },
      metadata: { orderId },
    });
  const catchError = async (work: () => Promise<unknown>): Promise<Stripe.errors.StripeError> => {
    try {
      await work();
    } catch (error) {
      return error as Stripe.errors.StripeError;
    }
    throw new Error('expected the call to fail');
  };
  const deliveredEvent = async (type: string, objectId: string) => {
    await sut.waitForDeliveries((attempts) =>
      attempts.some(
        (a) => a.ok && a.eventType === type && receiver.about(objectId).some((r) => r.eventId === a.eventId),
      ),
    );
    const delivery = receiver.about(objectId).find((r) => r.type === type && r.status === 200);
    if (!delivery) throw new Error(`no ${type} delivered for ${objectId}`);
    return delivery;
  };

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    sut = await FakeStripeServer.start({ port: 0, webhookRetryDelaysMs: [20, 50, 100] });
    sut.configureWebhook({ url: receiver.url, secret: WEBHOOK_SECRET });
    stripe = sdk(0);
  });

  afterEach(async () => {
    sut.clearFaults();
    sut.setDown(false);
    await sut.idle();
  });

  afterAll(async () => {
    await sut.stop();
    await receiver.stop();
  });

  describe('customers and PaymentIntents', () => {
    it('creates and retrieves them with Stripe shapes through the real SDK', async () => {
      const customer = await stripe.customers.create({
        email: 'ada@example.com',
        name: 'Ada',
        metadata: { userId: 'u-1' },
      });
      expect(customer).toMatchObject({
        object: 'customer',
        email: 'ada@example.com',
        metadata: { userId: 'u-1' },
      });
      expect(customer.id).toMatch(/^cus_/);
      await expect(stripe.customers.retrieve(customer.id)).resolves.toMatchObject({
        id: customer.id,
        name: 'Ada',
      });

      const orderId = nextOrderId();
      const intent = await stripe.paymentIntents.create({
        amount: 2599,
        currency: 'EUR',
        customer: customer.id,
        automatic_payment_methods: { enabled: true },
        metadata: { orderId },
      });
      expect(intent).toMatchObject({
        object: 'payment_intent',
        amount: 2599,
        amount_received: 0,
        currency: 'eur',
        status: 'requires_payment_method',
        customer: customer.id,
        latest_charge: null,
        livemode: false,
        metadata: { orderId },
        automatic_payment_methods: { enabled: true },
      });
      expect(intent.id).toMatch(/^pi_/);
      expect(intent.client_secret).toMatch(new RegExp(`^${intent.id}_secret_\\w+$`));
      expect(typeof intent.created).toBe('number');

      const retrieved = await stripe.paymentIntents.retrieve(intent.id);
      expect(retrieved.id).toBe(intent.id);
      expect(sut.createdPaymentIntentsFor(orderId)).toHaveLength(1);
    });

    it('answers invalid requests with the errors and statuses Stripe uses', async () => {
      const missing = await catchError(() =>
        stripe.paymentIntents.create({ currency: 'eur' } as Stripe.PaymentIntentCreateParams),
      );
      expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(missing).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'amount' });

      const zero = await catchError(() => stripe.paymentIntents.create({ amount: 0, currency: 'eur' }));
      expect(zero).toMatchObject({ statusCode: 400, code: 'amount_too_small', param: 'amount' });

      const unknown = await catchError(() =>
        stripe.paymentIntents.create({
          amount: 100,
          currency: 'eur',
          colour: 'red',
        } as Stripe.PaymentIntentCreateParams),
      );
      expect(unknown).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'colour' });

      const notFound = await catchError(() => stripe.paymentIntents.retrieve('pi_missing'));
      expect(notFound).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(notFound).toMatchObject({ statusCode: 404, code: 'resource_missing' });

      const noKey = await rawRequest(`${sut.url}/v1/payment_intents/pi_x`, 'GET');
      expect(noKey.status).toBe(401);
      expect(JSON.parse(noKey.body)).toMatchObject({ error: { type: 'invalid_request_error' } });

      const badKey = await catchError(() =>
        new Stripe('rk_nope', sut.sdkOptions()).paymentIntents.retrieve('pi_x'),
      );
      expect(badKey).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    });

    it('expands latest_charge', async () => {
      const intent = await createIntent();
      await sut.succeedPayment(intent.id);
      const expanded = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
      expect(expanded.latest_charge).toMatchObject({
        object: 'charge',
        payment_intent: intent.id,
        paid: true,
      });
    });
  });

  describe('confirm, decline and cancel', () => {
    it('confirms with pm_card_visa and delivers a payment_intent.succeeded that constructEvent verifies', async () => {
      const orderId = nextOrderId();
      const intent = await createIntent(orderId, 4200);

      const paid = await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
      expect(paid).toMatchObject({ status: 'succeeded', amount_received: 4200 });
      expect(paid.latest_charge).toMatch(/^ch_/);

      const delivery = await deliveredEvent('payment_intent.succeeded', intent.id);
      const event = stripe.webhooks.constructEvent(
        delivery.raw,
        delivery.signature,
        WEBHOOK_SECRET,
        TOLERANCE_SECONDS,
      );
      expect(event).toMatchObject({
        object: 'event',
        type: 'payment_intent.succeeded',
        livemode: false,
        data: { object: { id: intent.id, status: 'succeeded', metadata: { orderId } } },
      });
      expect(event.id).toMatch(/^evt_/);

      await expect(stripe.events.retrieve(event.id)).resolves.toMatchObject({ id: event.id });
      const listed = await stripe.events.list({ limit: 1 });
      expect(listed).toMatchObject({ object: 'list', has_more: true });
      expect(listed.data[0].id).toBe(sut.events().at(-1)?.id);
    });

    it('declines pm_card_chargeDeclined with a 402 card_error and sends payment_intent.payment_failed', async () => {
      const intent = await createIntent();

      const declined = await catchError(() =>
        stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_chargeDeclined' }),
      );
      expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect(declined).toMatchObject({
        statusCode: 402,
        code: 'card_declined',
        decline_code: 'generic_decline',
      });
      expect(sut.paymentIntent(intent.id)).toMatchObject({
        status: 'requires_payment_method',
        last_payment_error: { code: 'card_declined' },
      });
      const delivery = await deliveredEvent('payment_intent.payment_failed', intent.id);
      expect(JSON.parse(delivery.raw)).toMatchObject({
        data: { object: { status: 'requires_payment_method' } },
      });

      // The customer may try again with another card.
      await expect(
        stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' }),
      ).resolves.toMatchObject({
        status: 'succeeded',
      });
    });

    it('cancels an unpaid PaymentIntent and refuses to cancel a succeeded one', async () => {
      const unpaid = await createIntent();
      await expect(stripe.paymentIntents.cancel(unpaid.id)).resolves.toMatchObject({ status: 'canceled' });
      await deliveredEvent('payment_intent.canceled', unpaid.id);

      const paid = await createIntent();
      await sut.succeedPayment(paid.id);
      const refused = await catchError(() => stripe.paymentIntents.cancel(paid.id));
      expect(refused).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
    });

    it('offers succeedPayment/failPayment helpers that act like a client confirming', async () => {
      const failing = await createIntent();
      await expect(sut.failPayment(failing.id)).resolves.toMatchObject({ status: 'requires_payment_method' });
      const paying = await createIntent();
      await expect(sut.succeedPayment(paying.id)).resolves.toMatchObject({ status: 'succeeded' });
      await sut.idle();
      expect(receiver.about(failing.id).map((r) => r.type)).toEqual(['payment_intent.payment_failed']);
      expect(receiver.about(paying.id).map((r) => r.type)).toEqual(['payment_intent.succeeded']);
    });
  });

  describe('refunds', () => {
    it('refunds partially, then the rest, then refuses; charge.refunded carries the order', async () => {
      const orderId = nextOrderId();
      const intent = await createIntent(orderId, 1000);
      await sut.succeedPayment(intent.id);

      const partial = await stripe.refunds.create({ payment_intent: intent.id, amount: 400 });
      expect(partial).toMatchObject({
        object: 'refund',
        amount: 400,
        status: 'succeeded',
        payment_intent: intent.id,
      });
      const rest = await stripe.refunds.create({ payment_intent: intent.id });
      expect(rest.amount).toBe(600);
      await expect(stripe.refunds.retrieve(rest.id)).resolves.toMatchObject({ id: rest.id, amount: 600 });

      const again = await catchError(() => stripe.refunds.create({ payment_intent: intent.id, amount: 1 }));
      expect(again).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });
      expect(sut.refundsFor(intent.id)).toHaveLength(2);

      await sut.idle();
      const refunded = receiver.about(intent.id).filter((r) => r.type === 'charge.refunded');
      expect(refunded.map((r) => JSON.parse(r.raw).data.object)).toEqual([
        expect.objectContaining({
          object: 'charge',
          payment_intent: intent.id,
          amount_refunded: 400,
          refunded: false,
          metadata: { orderId },
        }),
        expect.objectContaining({
          payment_intent: intent.id,
          amount_refunded: 1000,
          refunded: true,
          metadata: { orderId },
        }),
      ]);
    });

    it('keeps refunds pending while held, then settles them with refund.updated and refund.failed', async () => {
      const intent = await createIntent(nextOrderId(), 1000);
      await sut.succeedPayment(intent.id);
      sut.holdRefunds(true);
      try {
        const held = await stripe.refunds.create({ payment_intent: intent.id, amount: 300 });
        const other = await stripe.refunds.create({ payment_intent: intent.id, amount: 200 });
        expect([held.status, other.status]).toEqual(['pending', 'pending']);
        // Pending refunds count against the charge: only 500 is left.
        const tooMuch = await catchError(() =>
          stripe.refunds.create({ payment_intent: intent.id, amount: 501 }),
        );
        expect(tooMuch).toMatchObject({ code: 'amount_too_large' });

        await sut.settleRefund(held.id, 'succeeded');
        await sut.settleRefund(other.id, 'failed', 'expired_or_canceled_card');
        await expect(stripe.refunds.retrieve(other.id)).resolves.toMatchObject({
          status: 'failed',
          failure_reason: 'expired_or_canceled_card',
        });
        // The failed amount went back to the charge.
        const charge = await stripe.charges.retrieve(
          String(intent.latest_charge ?? (await stripe.paymentIntents.retrieve(intent.id)).latest_charge),
        );
        expect(charge.amount_refunded).toBe(300);
        await expect(sut.settleRefund(held.id, 'failed')).rejects.toMatchObject({ status: 400 });

        await sut.idle();
        const types = (id: string) => receiver.about(id).map((r) => r.type);
        expect(types(held.id)).toEqual(['refund.created', 'refund.updated', 'charge.refund.updated']);
        expect(types(other.id)).toEqual([
          'refund.created',
          'refund.updated',
          'charge.refund.updated',
          'refund.failed',
        ]);
      } finally {
        sut.holdRefunds(false);
      }
    });

    it('lists the refunds of a PaymentIntent newest first, across pages', async () => {
      const intent = await createIntent(nextOrderId(), 1000);
      await sut.succeedPayment(intent.id);
      const made = [];
      for (const amount of [100, 200, 300])
        made.push(await stripe.refunds.create({ payment_intent: intent.id, amount }));
      const page = await stripe.refunds.list({ payment_intent: intent.id, limit: 2 });
      expect(page.data.map((r) => r.amount)).toEqual([300, 200]);
      expect(page.has_more).toBe(true);
      const all = [];
      for await (const refund of stripe.refunds.list({ payment_intent: intent.id, limit: 2 }))
        all.push(refund.id);
      expect(all).toEqual(made.map((r) => r.id).reverse());
    });

    it('makes a dashboard refund over the control surface, with no Dispatch metadata', async () => {
      const intent = await createIntent(nextOrderId(), 1000);
      await sut.succeedPayment(intent.id);
      const answer = await rawRequest(`${sut.url}/__fake/payment_intents/${intent.id}/refund`, 'POST', {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ amount: 600 }),
      });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ amount: 600, status: 'succeeded', metadata: {} });
      const held = await rawRequest(`${sut.url}/__fake/refunds/hold`, 'PUT', {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ hold: true }),
      });
      expect(held.status).toBe(200);
      const pending = await stripe.refunds.create({ payment_intent: intent.id, amount: 100 });
      expect(pending.status).toBe('pending');
      const settled = await rawRequest(`${sut.url}/__fake/refunds/${pending.id}/fail`, 'POST');
      expect(JSON.parse(settled.body)).toMatchObject({ status: 'failed', failure_reason: 'declined' });
      sut.holdRefunds(false);
      expect(sut.refundsFor(intent.id).map((r) => [r.amount, r.status])).toEqual([
        [600, 'succeeded'],
        [100, 'failed'],
      ]);
    });

    it('refuses a PaymentIntent below the minimum charge of its currency, as Stripe does', async () => {
      const small = await catchError(() => createIntent(nextOrderId(), 49));
      expect(small).toMatchObject({ statusCode: 400, code: 'amount_too_small', param: 'amount' });
      await expect(createIntent(nextOrderId(), 50)).resolves.toMatchObject({ amount: 50 });
      const gbp = await stripe.paymentIntents.create({ amount: 30, currency: 'gbp' });
      expect(gbp.amount).toBe(30);
    });

    it('refuses more than the remaining amount and refunds of unpaid PaymentIntents', async () => {
      const intent = await createIntent(nextOrderId(), 1000);
      const unpaid = await catchError(() => stripe.refunds.create({ payment_intent: intent.id }));
      expect(unpaid).toMatchObject({ statusCode: 400 });

      await sut.succeedPayment(intent.id);
      const tooMuch = await catchError(() =>
        stripe.refunds.create({ payment_intent: intent.id, amount: 1001 }),
      );
      expect(tooMuch).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount' });
      expect(sut.refundsFor(intent.id)).toHaveLength(0);
    });
  });

  describe('idempotency', () => {
    it('replays the first answer for the same key and body, creating one PaymentIntent', async () => {
      const orderId = nextOrderId();
      const params = { amount: 700, currency: 'eur', metadata: { orderId } };
      const first = await stripe.paymentIntents.create(params, { idempotencyKey: `pi:${orderId}` });
      const second = await stripe.paymentIntents.create(params, { idempotencyKey: `pi:${orderId}` });

      expect(second.id).toBe(first.id);
      expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
      expect(sut.createdPaymentIntentsFor(orderId)).toHaveLength(1);
    });

    it('rejects the same key with a different body as an idempotency error', async () => {
      const orderId = nextOrderId();
      await stripe.paymentIntents.create(
        { amount: 700, currency: 'eur' },
        { idempotencyKey: `pi:${orderId}` },
      );
      const mismatch = await catchError(() =>
        stripe.paymentIntents.create({ amount: 701, currency: 'eur' }, { idempotencyKey: `pi:${orderId}` }),
      );
      expect(mismatch).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
      expect(mismatch.statusCode).toBe(400);
    });

    it('answers 409 idempotency_key_in_use while the first request with the key is still running', async () => {
      const orderId = nextOrderId();
      sut.injectFaults({ latencyMs: 300, match: { method: 'POST', path: /^\/v1\/payment_intents$/ } });
      const key = { idempotencyKey: `pi:${orderId}` };
      const params = { amount: 700, currency: 'eur', metadata: { orderId } };
      const [first, second] = await Promise.allSettled([
        stripe.paymentIntents.create(params, key),
        stripe.paymentIntents.create(params, key),
      ]);
      expect(first.status).toBe('fulfilled');
      expect(second).toMatchObject({
        status: 'rejected',
        reason: { statusCode: 409, type: 'StripeAPIError', code: 'idempotency_key_in_use' },
      });
      expect(sut.createdPaymentIntentsFor(orderId)).toHaveLength(1);
    });

    it('scopes keys per API key', async () => {
      const orderId = nextOrderId();
      const other = new Stripe('sk_test_other', { ...sut.sdkOptions(), maxNetworkRetries: 0 });
      const key = { idempotencyKey: `pi:${orderId}` };
      const mine = await createIntent(orderId, 500, stripe);
      const a = await stripe.paymentIntents.create({ amount: 501, currency: 'eur' }, key);
      const b = await other.paymentIntents.create({ amount: 502, currency: 'eur' }, key);
      expect(new Set([mine.id, a.id, b.id]).size).toBe(3);
    });
  });

  describe('fault injection', () => {
    const createPath = { method: 'POST', path: /^\/v1\/payment_intents$/ };

    it('answers injected 500s before any effect, so SDK retries end with exactly one PaymentIntent', async () => {
      const orderId = nextOrderId();
      sut.injectFaults({ status5xx: 2, match: createPath });
      const before = sut.requestCount('POST', '/v1/payment_intents');

      const intent = await createIntent(orderId, 1000, sdk(2));

      expect(intent.status).toBe('requires_payment_method');
      expect(sut.requestCount('POST', '/v1/payment_intents') - before).toBe(3);
      expect(
        sut
          .requests()
          .slice(-3)
          .map((r) => r.status),
      ).toEqual([500, 500, 200]);
      expect(sut.createdPaymentIntentsFor(orderId)).toHaveLength(1);
    });

    it('surfaces a 500 as StripeAPIError when retries run out, with nothing created', async () => {
      const orderId = nextOrderId();
      sut.injectFaults({ status5xx: 1, match: createPath });
      const error = await catchError(() => createIntent(orderId));
      expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
      expect(error).toMatchObject({ statusCode: 500, type: 'StripeAPIError' });
      expect(sut.createdPaymentIntentsFor(orderId)).toHaveLength(0);
    });

    it('resets connections; the SDK retries one reset by itself, two fail with StripeConnectionError', async () => {
      const once = nextOrderId();
      sut.injectFaults({ resets: 1, match: createPath });
      await createIntent(once);
      expect(sut.createdPaymentIntentsFor(once)).toHaveLength(1);

      const twice = nextOrderId();
      sut.injectFaults({ resets: 2, match: createPath });
      const error = await catchError(() => createIntent(twice));
      expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
      expect(sut.createdPaymentIntentsFor(twice)).toHaveLength(0);
    });

    it('adds latency to matching requests until cleared', async () => {
      const intent = await createIntent();
      sut.injectFaults({ latencyMs: 250, match: { method: 'GET' } });
      const started = Date.now();
      await stripe.paymentIntents.retrieve(intent.id);
      expect(Date.now() - started).toBeGreaterThanOrEqual(240);
      sut.clearFaults();
      const fast = Date.now();
      await stripe.paymentIntents.retrieve(intent.id);
      expect(Date.now() - fast).toBeLessThan(200);
    });

    it('refuses everything while down', async () => {
      sut.setDown(true);
      const error = await catchError(() => createIntent());
      expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
      expect(sut.requests().at(-1)).toMatchObject({ fault: 'down', status: null });
      sut.setDown(false);
      await expect(createIntent()).resolves.toMatchObject({ object: 'payment_intent' });
    });

    it('with afterEffect, commits the change but loses the answer; a retry with the same key replays it', async () => {
      const orderId = nextOrderId();
      const key = { idempotencyKey: `pi:${orderId}` };
      // Two resets: the SDK's own retry of a reset connection is lost too, so the caller sees a failure.
      sut.injectFaults({ resets: 2, afterEffect: true, match: createPath });
      const params = { amount: 900, currency: 'eur', metadata: { orderId } };

      const lost = await catchError(() => stripe.paymentIntents.create(params, key));
      expect(lost).toBeInstanceOf(Stripe.errors.StripeConnectionError);
      expect(sut.createdPaymentIntentsFor(orderId)).toHaveLength(1);

      const retried = await stripe.paymentIntents.create(params, key);
      expect(retried.id).toBe(sut.createdPaymentIntentsFor(orderId)[0].id);
      expect(retried.lastResponse.headers['idempotent-replayed']).toBe('true');
      expect(sut.createdPaymentIntentsFor(orderId)).toHaveLength(1);
    });
  });

  describe('webhook delivery', () => {
    it('retries a failing endpoint with backoff and keeps events of one PaymentIntent in order', async () => {
      const intent = await createIntent();
      receiver.answerNext(500, 503);
      await sut.succeedPayment(intent.id);
      await stripe.refunds.create({ payment_intent: intent.id, amount: 100 });
      await sut.idle();

      const attempts = sut
        .deliveries()
        .filter((a) => receiver.about(intent.id).some((r) => r.eventId === a.eventId));
      expect(attempts.map((a) => [a.eventType, a.attempt, a.status])).toEqual([
        ['payment_intent.succeeded', 1, 500],
        ['payment_intent.succeeded', 2, 503],
        ['payment_intent.succeeded', 3, 200],
        ['refund.created', 1, 200],
        ['charge.refunded', 1, 200],
      ]);
    });

    it('redelivers an event as concurrent duplicates, each one verifiable', async () => {
      const intent = await createIntent();
      await sut.succeedPayment(intent.id);
      const original = await deliveredEvent('payment_intent.succeeded', intent.id);

      const attempts = await sut.redeliver(original.eventId, { times: 3, concurrent: true });

      expect(attempts).toHaveLength(3);
      expect(attempts.every((a) => a.ok && a.redelivery)).toBe(true);
      const copies = receiver.received.filter((r) => r.eventId === original.eventId);
      expect(copies).toHaveLength(4);
      for (const copy of copies) {
        expect(copy.raw).toBe(original.raw);
        expect(() =>
          stripe.webhooks.constructEvent(copy.raw, copy.signature, WEBHOOK_SECRET, TOLERANCE_SECONDS),
        ).not.toThrow();
      }
    });

    it('signs exactly the raw bytes: tampered payloads, wrong secrets and stale timestamps fail constructEvent', async () => {
      const intent = await createIntent();
      await sut.succeedPayment(intent.id);
      const { raw, signature } = await deliveredEvent('payment_intent.succeeded', intent.id);
      const verify =
        (payload: string, header: string, secret = WEBHOOK_SECRET) =>
        () =>
          stripe.webhooks.constructEvent(payload, header, secret, TOLERANCE_SECONDS);

      expect(verify(raw.replace('"amount": 1000', '"amount": 1'), signature)).toThrow(
        Stripe.errors.StripeSignatureVerificationError,
      );
      // Re-serializing the parsed body changes the bytes (Stripe pretty-prints), so it must not verify either.
      expect(verify(JSON.stringify(JSON.parse(raw)), signature)).toThrow(
        Stripe.errors.StripeSignatureVerificationError,
      );
      expect(verify(raw, signature, 'whsec_other')).toThrow(Stripe.errors.StripeSignatureVerificationError);

      const stale = sut.signPayload(raw, Math.floor(Date.now() / 1000) - TOLERANCE_SECONDS - 60);
      expect(verify(raw, stale)).toThrow('Timestamp outside the tolerance zone');
      expect(verify(raw, sut.signPayload(raw))).not.toThrow();
    });
  });

  describe('control surface', () => {
    it('pays, injects faults and reports state over HTTP', async () => {
      const intent = await createIntent();
      const paid = await rawRequest(`${sut.url}/__fake/payment_intents/${intent.id}/succeed`, 'POST');
      expect(paid.status).toBe(200);
      expect(JSON.parse(paid.body)).toMatchObject({ id: intent.id, status: 'succeeded' });

      const injected = await rawRequest(`${sut.url}/__fake/faults`, 'POST', {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ status5xx: 1, match: { method: 'POST', path: '^/v1/customers$' } }),
      });
      expect(injected.status).toBe(201);
      await expect(stripe.customers.create({ email: 'x@example.com' })).rejects.toMatchObject({
        statusCode: 500,
      });
      await expect(stripe.customers.create({ email: 'x@example.com' })).resolves.toMatchObject({
        object: 'customer',
      });

      const state = JSON.parse((await rawRequest(`${sut.url}/__fake/state`, 'GET')).body);
      expect(state).toMatchObject({
        paymentIntents: { total: sut.paymentIntents().length },
        webhook: { url: receiver.url },
        faults: { rules: 0, down: false },
      });
      expect((await rawRequest(`${sut.url}/__fake/faults`, 'DELETE')).status).toBe(204);
    });
  });

  describe('stop', () => {
    it('abandons pending webhook retries and closes connections promptly', async () => {
      const slow = await FakeStripeServer.start({ webhookRetryDelaysMs: [60_000] });
      slow.configureWebhook({ url: receiver.url, secret: WEBHOOK_SECRET });
      const client = new Stripe(API_KEY, { ...slow.sdkOptions(), maxNetworkRetries: 0 });
      const intent = await client.paymentIntents.create({ amount: 100, currency: 'eur' });
      receiver.answerNext(500);
      await slow.succeedPayment(intent.id);
      await slow.waitForDeliveries((attempts) => attempts.length === 1);
      const waiting = slow.idle(70_000);

      const started = Date.now();
      await slow.stop();

      expect(Date.now() - started).toBeLessThan(1000);
      await expect(waiting).rejects.toThrow('stopped');
      await expect(client.paymentIntents.retrieve(intent.id)).rejects.toBeInstanceOf(
        Stripe.errors.StripeConnectionError,
      );
    });
  });
});
