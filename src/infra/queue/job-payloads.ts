import { DocumentJob, FulfilmentJob, OrderJob } from './queue-names';

/** Fields every job carries: which order, which outbox row enqueued it, and the originating request. */
export interface JobEnvelope {
  orderId: string;
  outboxId: string;
  correlationId?: string;
}

/** Payload type of each orders job, so `queue.add(OrderJob.Refund, payload)` is checked by the compiler. */
export interface OrderJobPayloads {
  [OrderJob.Process]: JobEnvelope;
  [OrderJob.Cancel]: JobEnvelope & { reason: string; actor: string };
  [OrderJob.Refund]: JobEnvelope & { refundId: string };
  [OrderJob.Compensate]: JobEnvelope & { failedJob: string; error: string };
  [OrderJob.Expire]: JobEnvelope;
  [OrderJob.SyncPayment]: JobEnvelope & { reason: string };
}

export type OrderJobPayload<N extends OrderJob = OrderJob> = OrderJobPayloads[N];

/** Payload of every notifications job (the job name is the notice's event, e.g. `order.shipped`). */
export interface NotificationJobPayload extends JobEnvelope {
  event: string;
  /** Unique per notice, e.g. "order.shipped:<orderId>" or "ADMIN_ALERT:<jobId>". */
  dedupeKey: string;
  exportId?: string;
  rowCount?: number;
  requestedBy?: string;
  alert?: { title: string; detail: string; correlationId?: string };
}

export interface DocumentJobPayloads {
  [DocumentJob.Invoice]: JobEnvelope;
  [DocumentJob.OrdersExport]: JobEnvelope & { exportId: string };
}

export interface FulfilmentJobPayloads {
  [FulfilmentJob.ErpSubmit]: JobEnvelope;
}
