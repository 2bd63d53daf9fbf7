import { notification, OutboxMessage, OutboxType } from '../outbox/outbox-message';
import { OrderStatus } from './order-state';

/** Typed factories for every outbox message the orders module writes. */
export const orderEvents = {
  paid: (orderId: string): OutboxMessage => ({
    type: OutboxType.OrderProcess,
    aggregateId: orderId,
    payload: {},
    dedupeKey: `process:${orderId}`,
  }),
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
};

/**
 * The background work every transition owes (same transaction as the transition). Email kinds are the
 * notifications module's job names; each goes out once per order (outbox and sent-record dedupe keys).
 */
export function transitionEffects(orderId: string, to: OrderStatus): OutboxMessage[] {
  switch (to) {
    case OrderStatus.Paid:
      return [
        notification('ORDER_CONFIRMED', orderId),
        { type: OutboxType.Invoice, aggregateId: orderId, payload: {}, dedupeKey: `invoice:${orderId}` },
      ];
    case OrderStatus.Processed:
      return [{ type: OutboxType.ErpSubmit, aggregateId: orderId, payload: {}, dedupeKey: `erp:${orderId}` }];
    case OrderStatus.Shipped:
      return [notification('ORDER_SHIPPED', orderId)];
    case OrderStatus.Delivered:
      return [notification('ORDER_DELIVERED', orderId)];
    case OrderStatus.Cancelled:
      return [notification('ORDER_CANCELLED', orderId)];
    case OrderStatus.Refunded:
      return [notification('ORDER_REFUNDED', orderId)];
    default:
      return [];
  }
}

/** A partial refund keeps the status but still tells the customer (once per order, like every email). */
export const partialRefundEffects = (orderId: string): OutboxMessage[] => [
  notification('ORDER_REFUNDED', orderId),
];
