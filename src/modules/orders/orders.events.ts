import { OutboxMessage, OutboxType } from '../outbox/outbox-message';

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
