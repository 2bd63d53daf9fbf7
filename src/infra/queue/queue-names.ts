/** Every BullMQ queue Dispatch runs. */
export enum QueueName {
  Orders = 'orders',
  Notifications = 'notifications',
  Documents = 'documents',
  Fulfilment = 'fulfilment',
}

/** Jobs of the `orders` queue; each has exactly one strategy (checked at boot). */
export enum OrderJob {
  Process = 'PROCESS',
  Cancel = 'CANCEL',
  Refund = 'REFUND',
  Compensate = 'COMPENSATE',
  Expire = 'EXPIRE',
  SyncPayment = 'SYNC_PAYMENT',
}

/** Jobs of the `documents` queue. */
export enum DocumentJob {
  Invoice = 'INVOICE',
  OrdersExport = 'ORDERS_EXPORT',
}

/** Jobs of the `fulfilment` queue. */
export enum FulfilmentJob {
  ErpSubmit = 'ERP_SUBMIT',
}

/** ARCHITECTURE.md §5: lower runs first. */
export const JobPriority = {
  PaymentCritical: 1,
  Orders: 5,
  Notifications: 10,
  Housekeeping: 20,
} as const;
