import { assertTransition, canTransition, OrderStatus } from './order-state';
import { IllegalOrderTransitionError } from './orders.errors';

const S = OrderStatus;

describe('order state machine', () => {
  const legal: [OrderStatus, OrderStatus][] = [
    [S.Pending, S.Paid],
    [S.Pending, S.Cancelled],
    [S.Paid, S.Processed],
    [S.Paid, S.Cancelled],
    [S.Paid, S.Refunded],
    [S.Processed, S.Shipped],
    [S.Processed, S.Cancelled],
    [S.Processed, S.Refunded],
    [S.Shipped, S.Delivered],
    [S.Shipped, S.Refunded],
    [S.Delivered, S.Refunded],
  ];

  it.each(legal)('%s → %s is legal', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  const all = Object.values(OrderStatus);
  const illegal = all
    .flatMap((from) => all.map((to) => [from, to] as [OrderStatus, OrderStatus]))
    .filter(([from, to]) => !legal.some(([f, t]) => f === from && t === to));

  it.each(illegal)('%s → %s is illegal (409 ILLEGAL_ORDER_TRANSITION)', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    expect(() => assertTransition(from, to)).toThrow(IllegalOrderTransitionError);
  });

  it('never moves an order backwards or out of a terminal state', () => {
    for (const to of all) {
      expect(canTransition(S.Cancelled, to)).toBe(false);
      expect(canTransition(S.Refunded, to)).toBe(false);
      expect(canTransition(to, S.Pending)).toBe(false);
    }
    expect(canTransition(S.Shipped, S.Cancelled)).toBe(false);
  });

  it('carries a stable code and 409', () => {
    const error = new IllegalOrderTransitionError(S.Delivered, S.Shipped);
    expect(error).toMatchObject({
      code: 'ILLEGAL_ORDER_TRANSITION',
      httpStatus: 409,
      details: { from: 'DELIVERED', to: 'SHIPPED' },
    });
  });
});
