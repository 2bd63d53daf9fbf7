/** Every email Dispatch sends. The first five go to the customer, the last two to admins. */
export enum EmailKind {
  ORDER_CONFIRMED = 'ORDER_CONFIRMED',
  ORDER_SHIPPED = 'ORDER_SHIPPED',
  ORDER_DELIVERED = 'ORDER_DELIVERED',
  ORDER_CANCELLED = 'ORDER_CANCELLED',
  ORDER_REFUNDED = 'ORDER_REFUNDED',
  ADMIN_ALERT = 'ADMIN_ALERT',
  EXPORT_READY = 'EXPORT_READY',
}
