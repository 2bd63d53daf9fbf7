import {
  LedgerPayment,
  ledgerFacts,
  LedgerRefund,
  mayMovePayment,
  mayMoveRefund,
  RefundStatus,
} from './ledger';

const payment = (capturedCents: number): LedgerPayment => ({
  orderId: 'o1',
  paymentIntentId: 'pi_1',
  amountCents: 1000,
  currency: 'EUR',
  status: capturedCents ? 'succeeded' : 'requires_payment_method',
  capturedCents,
});

let seq = 0;
const refund = (
  amountCents: number,
  status: RefundStatus,
  purpose: LedgerRefund['purpose'] = 'refund',
): LedgerRefund => ({
  id: `r${++seq}`,
  orderId: 'o1',
  seq,
  amountCents,
  reason: 'x',
  status,
  purpose,
  initiator: 'dispatch',
  stripeRefundId: null,
  stripeIdempotencyKey: `k${seq}`,
  failureReason: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

describe(ledgerFacts.name, () => {
  it('reserves requested and pending refunds against what was captured', () => {
    const sut = ledgerFacts(payment(1000), [
      refund(100, 'succeeded'),
      refund(200, 'pending'),
      refund(300, 'requested'),
      refund(999, 'failed'),
      refund(999, 'canceled'),
    ]);
    expect(sut).toMatchObject({
      capturedCents: 1000,
      refundedCents: 100,
      pendingCents: 200,
      requestedCents: 300,
      refundableCents: 400,
      cancellation: 'none',
    });
  });

  it('has nothing refundable before the payment is captured, and never a negative amount', () => {
    expect(ledgerFacts(null, []).refundableCents).toBe(0);
    expect(ledgerFacts(payment(0), []).refundableCents).toBe(0);
    // A dashboard refund booked after Dispatch reserved the rest: over-reserved, still 0.
    expect(
      ledgerFacts(payment(1000), [refund(600, 'succeeded'), refund(1000, 'requested')]).refundableCents,
    ).toBe(0);
  });

  it('tracks a cancellation from asked for to refunded; a failed one is no cancellation', () => {
    expect(ledgerFacts(payment(1000), [refund(1000, 'requested', 'cancellation')]).cancellation).toBe('open');
    expect(ledgerFacts(payment(1000), [refund(1000, 'pending', 'cancellation')]).cancellation).toBe('open');
    expect(ledgerFacts(payment(1000), [refund(1000, 'succeeded', 'cancellation')]).cancellation).toBe(
      'refunded',
    );
    expect(ledgerFacts(payment(1000), [refund(1000, 'failed', 'cancellation')]).cancellation).toBe('none');
  });
});

describe(mayMoveRefund.name, () => {
  const byStripe = { reportedByStripe: true, knownToStripe: true };
  const byDispatch = { reportedByStripe: false, knownToStripe: false };

  it.each<[RefundStatus, RefundStatus]>([
    ['requested', 'pending'],
    ['requested', 'succeeded'],
    ['requested', 'failed'],
    ['requested', 'canceled'],
    ['pending', 'succeeded'],
    ['pending', 'failed'],
    ['pending', 'canceled'],
    ['succeeded', 'failed'],
  ])('Stripe may move %s → %s', (from, to) => expect(mayMoveRefund(from, to, byStripe)).toBe(true));

  it.each<[RefundStatus, RefundStatus]>([
    ['pending', 'requested'],
    ['succeeded', 'pending'],
    ['succeeded', 'requested'],
    ['failed', 'succeeded'],
    ['failed', 'pending'],
    ['canceled', 'succeeded'],
    ['succeeded', 'succeeded'],
  ])('a replayed or reordered report never moves %s back to %s', (from, to) =>
    expect(mayMoveRefund(from, to, byStripe)).toBe(false),
  );

  it('lets Stripe correct a refund Dispatch gave up on before Stripe answered', () => {
    const givenUp = { reportedByStripe: true, knownToStripe: false };
    expect(mayMoveRefund('failed', 'succeeded', givenUp)).toBe(true);
    expect(mayMoveRefund('failed', 'pending', givenUp)).toBe(true);
    expect(mayMoveRefund('failed', 'requested', givenUp)).toBe(false);
  });

  it('lets Dispatch give up on or withdraw a request, but not undo what Stripe did', () => {
    expect(mayMoveRefund('requested', 'failed', byDispatch)).toBe(true);
    expect(mayMoveRefund('requested', 'canceled', byDispatch)).toBe(true);
    expect(mayMoveRefund('succeeded', 'failed', { reportedByStripe: false, knownToStripe: true })).toBe(
      false,
    );
  });
});

describe(mayMovePayment.name, () => {
  it('never moves a PaymentIntent out of succeeded or canceled', () => {
    expect(mayMovePayment('requires_payment_method', 'succeeded')).toBe(true);
    expect(mayMovePayment('requires_payment_method', 'processing')).toBe(true);
    expect(mayMovePayment('succeeded', 'requires_payment_method')).toBe(false);
    expect(mayMovePayment('succeeded', 'canceled')).toBe(false);
    expect(mayMovePayment('canceled', 'succeeded')).toBe(false);
    expect(mayMovePayment('processing', 'processing')).toBe(false);
  });
});
