import { DocumentJob, FulfilmentJob, JobPriority, OrderJob, QueueName } from '../../infra/queue/queue-names';

/** Every kind of outbox message, and the job each one becomes. */
export enum OutboxType {
  OrderProcess = 'ORDER_PROCESS',
  OrderCancel = 'ORDER_CANCEL',
  OrderRefund = 'ORDER_REFUND',
  OrderCompensate = 'ORDER_COMPENSATE',
  OrderExpire = 'ORDER_EXPIRE',
  OrderSyncPayment = 'ORDER_SYNC_PAYMENT',
  Notify = 'NOTIFY',
  Invoice = 'INVOICE',
  ErpSubmit = 'ERP_SUBMIT',
  OrdersExport = 'ORDERS_EXPORT',
}

export interface OutboxRoute {
  queue: QueueName;
  /** The job name, or how to read it from the payload (notifications are named after their email kind). */
  job: string | ((payload: Record<string, unknown>) => string);
  priority: number;
}

export const jobNameOf = (route: OutboxRoute, payload: Record<string, unknown>): string =>
  typeof route.job === 'string' ? route.job : route.job(payload);

/** A Record over the enum: adding an OutboxType without a route does not compile. */
export const OUTBOX_ROUTES: Record<OutboxType, OutboxRoute> = {
  [OutboxType.OrderProcess]: { queue: QueueName.Orders, job: OrderJob.Process, priority: JobPriority.Orders },
  [OutboxType.OrderCancel]: {
    queue: QueueName.Orders,
    job: OrderJob.Cancel,
    priority: JobPriority.PaymentCritical,
  },
  [OutboxType.OrderRefund]: {
    queue: QueueName.Orders,
    job: OrderJob.Refund,
    priority: JobPriority.PaymentCritical,
  },
  [OutboxType.OrderCompensate]: {
    queue: QueueName.Orders,
    job: OrderJob.Compensate,
    priority: JobPriority.PaymentCritical,
  },
  [OutboxType.OrderExpire]: {
    queue: QueueName.Orders,
    job: OrderJob.Expire,
    priority: JobPriority.Housekeeping,
  },
  [OutboxType.OrderSyncPayment]: {
    queue: QueueName.Orders,
    job: OrderJob.SyncPayment,
    priority: JobPriority.PaymentCritical,
  },
  [OutboxType.Notify]: {
    queue: QueueName.Notifications,
    job: (payload) => String(payload.kind),
    priority: JobPriority.Notifications,
  },
  [OutboxType.Invoice]: {
    queue: QueueName.Documents,
    job: DocumentJob.Invoice,
    priority: JobPriority.Notifications,
  },
  [OutboxType.ErpSubmit]: {
    queue: QueueName.Fulfilment,
    job: FulfilmentJob.ErpSubmit,
    priority: JobPriority.Orders,
  },
  [OutboxType.OrdersExport]: {
    queue: QueueName.Documents,
    job: DocumentJob.OrdersExport,
    priority: JobPriority.Housekeeping,
  },
};

/** An email that must go out once (its dedupe key is also the outbox dedupe key). */
export function notification(
  kind: string,
  aggregateId: string,
  extra: Record<string, unknown> = {},
  dedupeKey = `${kind}:${aggregateId}`,
): OutboxMessage {
  return {
    type: OutboxType.Notify,
    aggregateId,
    payload: { kind, dedupeKey, ...extra },
    dedupeKey: `notify:${dedupeKey}`,
  };
}

export interface OutboxMessage {
  type: OutboxType;
  aggregateId: string;
  payload: Record<string, unknown>;
  /** At most one row per dedupe key ever exists (e.g. one compensation per order). */
  dedupeKey?: string;
  /** The job is delayed until then. */
  deliverAfter?: Date;
}

/** A job id is derived from the outbox id so a re-dispatched row is deduplicated by BullMQ. */
export const jobIdFor = (outboxId: string | number): string => `ob-${outboxId}`;
export const outboxIdOf = (jobId: string): string | null => (jobId.startsWith('ob-') ? jobId.slice(3) : null);
