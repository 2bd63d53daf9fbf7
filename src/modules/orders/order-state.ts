import { IllegalOrderTransitionError } from './orders.errors';

export enum OrderStatus {
  Pending = 'PENDING',
  Paid = 'PAID',
  Processed = 'PROCESSED',
  Shipped = 'SHIPPED',
  Delivered = 'DELIVERED',
  Cancelled = 'CANCELLED',
  Refunded = 'REFUNDED',
}

/**
 * The one transition table (ARCHITECTURE.md §3). Every status write asks it first; anything not listed
 * is illegal. Partial refunds keep the status and are not transitions.
 */
const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  [OrderStatus.Pending]: [OrderStatus.Paid, OrderStatus.Cancelled],
  [OrderStatus.Paid]: [OrderStatus.Processed, OrderStatus.Cancelled, OrderStatus.Refunded],
  [OrderStatus.Processed]: [OrderStatus.Shipped, OrderStatus.Cancelled, OrderStatus.Refunded],
  [OrderStatus.Shipped]: [OrderStatus.Delivered, OrderStatus.Refunded],
  [OrderStatus.Delivered]: [OrderStatus.Refunded],
  [OrderStatus.Cancelled]: [],
  [OrderStatus.Refunded]: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) throw new IllegalOrderTransitionError(from, to);
}

/** Statuses in which a captured payment exists (refunds are possible). */
export const PAID_STATUSES: readonly OrderStatus[] = [
  OrderStatus.Paid,
  OrderStatus.Processed,
  OrderStatus.Shipped,
  OrderStatus.Delivered,
];

/** Statuses with background work still owed to them (the reconciler watches these). */
export const OPEN_STATUSES: readonly OrderStatus[] = [OrderStatus.Pending, OrderStatus.Paid];
