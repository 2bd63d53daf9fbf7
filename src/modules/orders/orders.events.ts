import { notice, OutboxMessage, OutboxType } from '../outbox/outbox-message';

/**
 * What happened to an order, for whoever tells people about it (the notifications module maps each to an
 * email in its own routing table; orders never names an email).
 */
export enum OrderNotice {
  Paid = 'order.paid',
  Shipped = 'order.shipped',
  Delivered = 'order.delivered',
  Cancelled = 'order.cancelled',
  Refunded = 'order.refunded',
  PartiallyRefunded = 'order.partially_refunded',
}

/**
 * Typed factories for the outbox messages the orders module writes outside the transition table (the work a
 * transition owes is in order-state.ts).
 */
export const orderEvents = {
  /** Cancel the unpaid order's PaymentIntent at Stripe (and book what Stripe answers). */
  cancelRequested: (orderId: string, actor: string, reason: string): OutboxMessage => ({
    type: OutboxType.OrderCancel,
    aggregateId: orderId,
    // No dedupe key: a later request (e.g. an admin's after a failed payment) must still run.
    payload: { actor, reason },
  }),
  refundRequested: (orderId: string, refundId: string): OutboxMessage => ({
    type: OutboxType.OrderRefund,
    aggregateId: orderId,
    payload: { refundId },
    dedupeKey: `refund:${refundId}`,
  }),
  /** At most one compensation per order, whatever fails and however often. */
  compensationNeeded: (orderId: string, failedJob: string, error: string): OutboxMessage => ({
    type: OutboxType.OrderCompensate,
    aggregateId: orderId,
    payload: { failedJob, error: error.slice(0, 500) },
    dedupeKey: `compensate:${orderId}`,
  }),
  paymentWindowCloses: (orderId: string, at: Date): OutboxMessage => ({
    type: OutboxType.OrderExpire,
    aggregateId: orderId,
    payload: {},
    dedupeKey: `expire:${orderId}`,
    deliverAfter: at,
  }),
  /** Ask Stripe for the PaymentIntent and every refund of the order, and book what it says. */
  paymentSyncRequested: (orderId: string, reason: string): OutboxMessage => ({
    type: OutboxType.OrderSyncPayment,
    aggregateId: orderId,
    payload: { reason },
  }),
  /** A partial refund keeps the status but is still news (at most one row per order). */
  partiallyRefunded: (orderId: string): OutboxMessage => notice(OrderNotice.PartiallyRefunded, orderId),
};
