import { OutboxType } from '../outbox/outbox-message';
import { LedgerFacts } from '../payments/ledger/ledger';
import {
  ActorKind,
  actorFromLabel,
  assertTransition,
  canTransition,
  OrderStatus,
  planTransition,
} from './order-state';
import { IllegalOrderTransitionError, OrderTransitionRefusedError } from './orders.errors';

const S = OrderStatus;
const order = (status: OrderStatus) => ({ id: 'o1', status, totalCents: 1000 });

const ledger = (overrides: Partial<LedgerFacts> = {}): LedgerFacts => ({
  paymentIntentId: 'pi_1',
  amountCents: 1000,
  currency: 'EUR',
  paymentStatus: 'requires_payment_method',
  capturedCents: 0,
  refundedCents: 0,
  pendingCents: 0,
  requestedCents: 0,
  refundableCents: 0,
  cancellation: 'none',
  ...overrides,
});
const paid = (overrides: Partial<LedgerFacts> = {}) =>
  ledger({ paymentStatus: 'succeeded', capturedCents: 1000, refundableCents: 1000, ...overrides });
const refundedInFull = (cancellation: LedgerFacts['cancellation'] = 'none') =>
  paid({ refundedCents: 1000, refundableCents: 0, cancellation });

/** Effects as "TYPE" or "NOTIFY:<event>", in order. */
const effectsOf = (from: OrderStatus, to: OrderStatus, actor: ActorKind, facts: LedgerFacts) =>
  planTransition(order(from), to, { actor: { kind: actor }, ledger: facts }).effects.map((m) =>
    m.type === OutboxType.Notify ? `NOTIFY:${String(m.payload.event)}` : m.type,
  );

describe('order process table', () => {
  /** Every legal transition, with an actor and payment facts that allow it, and the work it owes. */
  const legal: [OrderStatus, OrderStatus, ActorKind, LedgerFacts, string[], boolean][] = [
    [S.Pending, S.Paid, 'stripe', paid(), ['ORDER_PROCESS', 'NOTIFY:order.paid', 'INVOICE'], false],
    [S.Pending, S.Cancelled, 'admin', ledger(), ['NOTIFY:order.cancelled'], true],
    [S.Paid, S.Processed, 'worker', paid(), ['ERP_SUBMIT'], false],
    [S.Paid, S.Cancelled, 'worker', refundedInFull('refunded'), ['NOTIFY:order.cancelled'], true],
    [S.Paid, S.Refunded, 'worker', refundedInFull(), ['NOTIFY:order.refunded'], false],
    [S.Processed, S.Shipped, 'admin', paid(), ['NOTIFY:order.shipped'], false],
    [S.Processed, S.Cancelled, 'stripe', refundedInFull('refunded'), ['NOTIFY:order.cancelled'], true],
    [S.Processed, S.Refunded, 'stripe', refundedInFull(), ['NOTIFY:order.refunded'], false],
    [S.Shipped, S.Delivered, 'admin', paid(), ['NOTIFY:order.delivered'], false],
    [S.Shipped, S.Refunded, 'reconciler', refundedInFull(), ['NOTIFY:order.refunded'], false],
    [S.Delivered, S.Refunded, 'worker', refundedInFull(), ['NOTIFY:order.refunded'], false],
  ];

  it.each(legal)(
    '%s → %s (by %s) is legal, with its effects',
    (from, to, actor, facts, effects, releases) => {
      expect(canTransition(from, to)).toBe(true);
      expect(() => assertTransition(from, to)).not.toThrow();
      expect(effectsOf(from, to, actor, facts)).toEqual(effects);
      expect(planTransition(order(from), to, { actor: { kind: actor }, ledger: facts }).releasesStock).toBe(
        releases,
      );
    },
  );

  const all = Object.values(OrderStatus);
  const illegal = all
    .flatMap((from) => all.map((to) => [from, to] as [OrderStatus, OrderStatus]))
    .filter(([from, to]) => !legal.some(([f, t]) => f === from && t === to));

  it.each(illegal)('%s → %s is illegal (409 ILLEGAL_ORDER_TRANSITION)', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    expect(() => assertTransition(from, to)).toThrow(IllegalOrderTransitionError);
    expect(() => planTransition(order(from), to, { actor: { kind: 'worker' }, ledger: paid() })).toThrow(
      IllegalOrderTransitionError,
    );
  });

  it('never moves an order backwards or out of a terminal state', () => {
    for (const to of all) {
      expect(canTransition(S.Cancelled, to)).toBe(false);
      expect(canTransition(S.Refunded, to)).toBe(false);
      expect(canTransition(to, S.Pending)).toBe(false);
    }
    expect(canTransition(S.Shipped, S.Cancelled)).toBe(false);
  });

  describe('guards: who may, and with which payment facts', () => {
    const refused = (from: OrderStatus, to: OrderStatus, actor: ActorKind, facts: LedgerFacts) =>
      expect(() => planTransition(order(from), to, { actor: { kind: actor }, ledger: facts })).toThrow(
        OrderTransitionRefusedError,
      );

    it('pays an order only for its own payment captured in full', () => {
      refused(S.Pending, S.Paid, 'stripe', ledger());
      refused(S.Pending, S.Paid, 'stripe', paid({ capturedCents: 1 }));
      refused(S.Pending, S.Paid, 'stripe', ledger({ capturedCents: 1000, paymentStatus: 'processing' }));
    });

    it('lets only Stripe facts, workers and the reconciler pay or refund an order, and only admins ship', () => {
      refused(S.Pending, S.Paid, 'admin', paid());
      refused(S.Pending, S.Paid, 'customer', paid());
      refused(S.Paid, S.Refunded, 'admin', refundedInFull());
      refused(S.Processed, S.Shipped, 'worker', paid());
      refused(S.Paid, S.Processed, 'admin', paid());
    });

    it('cancels an unpaid order at once but a paid one only once its cancellation refund succeeded', () => {
      refused(S.Pending, S.Cancelled, 'admin', paid());
      refused(S.Paid, S.Cancelled, 'admin', refundedInFull('refunded'));
      refused(S.Paid, S.Cancelled, 'worker', paid({ cancellation: 'open' }));
      refused(S.Processed, S.Cancelled, 'worker', refundedInFull());
    });

    it('neither processes nor ships an order whose cancellation is under way', () => {
      refused(S.Paid, S.Processed, 'worker', paid({ cancellation: 'open' }));
      refused(S.Processed, S.Shipped, 'admin', paid({ cancellation: 'open' }));
    });

    it('refunds an order only when the ledger shows the captured amount refunded', () => {
      refused(S.Paid, S.Refunded, 'worker', paid({ refundedCents: 999 }));
      refused(S.Delivered, S.Refunded, 'worker', paid({ pendingCents: 1000, refundableCents: 0 }));
      refused(S.Paid, S.Refunded, 'worker', refundedInFull('refunded'));
    });

    it('says why, with a stable code and 409', () => {
      let error: unknown;
      try {
        planTransition(order(S.Paid), S.Processed, {
          actor: { kind: 'worker' },
          ledger: paid({ cancellation: 'open' }),
        });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({
        code: 'ORDER_TRANSITION_REFUSED',
        httpStatus: 409,
        details: { from: 'PAID', to: 'PROCESSED', reason: 'a cancellation of the order is in progress' },
      });
    });
  });

  it('illegal transitions carry a stable code and 409', () => {
    const error = new IllegalOrderTransitionError(S.Delivered, S.Shipped);
    expect(error).toMatchObject({
      code: 'ILLEGAL_ORDER_TRANSITION',
      httpStatus: 409,
      details: { from: 'DELIVERED', to: 'SHIPPED' },
    });
  });

  it('reads actors back from their history labels', () => {
    expect(actorFromLabel('admin:42')).toEqual({ kind: 'admin', id: '42' });
    expect(actorFromLabel('stripe')).toEqual({ kind: 'stripe' });
    expect(actorFromLabel('nobody')).toEqual({ kind: 'system' });
    expect(actorFromLabel(undefined)).toEqual({ kind: 'system' });
  });
});
