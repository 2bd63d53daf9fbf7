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
    // The notifications queue's jobs are named after the event; its routing table picks the email.
    job: (payload) => String(payload.event),
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

/**
 * Something to tell people about (an order was paid, shipped, …; an admin alert; an export is ready). The
 * producer names the event; the notifications module decides who hears of it and how (its routing table).
 * At most one row per (event, aggregate) unless `dedupeKey` says otherwise.
 */
export function notice(
  event: string,
  aggregateId: string,
  extra: Record<string, unknown> = {},
  dedupeKey = `${event}:${aggregateId}`,
): OutboxMessage {
  return {
    type: OutboxType.Notify,
    aggregateId,
    payload: { event, dedupeKey, ...extra },
    dedupeKey: `notify:${dedupeKey}`,
  };
}

/** Notice events that are not about orders. */
export enum SystemNotice {
  /** Something failed for good or needs an operator; `alert: { title, detail, correlationId? }`. */
  AdminAlert = 'admin.alert',
  /** A CSV export finished; `exportId`, `rowCount`, `requestedBy`. */
  ExportReady = 'export.ready',
}

/** An alert for the admins, sent once per `dedupeKey`. */
export function adminAlert(
  aggregateId: string,
  alert: { title: string; detail: string; correlationId?: string },
  dedupeKey: string,
): OutboxMessage {
  return notice(SystemNotice.AdminAlert, aggregateId, { alert }, `ADMIN_ALERT:${dedupeKey}`);
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
