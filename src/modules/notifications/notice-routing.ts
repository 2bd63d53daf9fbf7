import { OrderNotice } from '../orders/orders.events';
import { SystemNotice } from '../outbox/outbox-message';
import { EmailKind } from './email-kind';

/**
 * Which email each notice becomes: the notifications module's own routing table (the producers name what
 * happened, never an email). A partial and a full refund are the same email, sent once per order.
 */
export const NOTICE_EMAILS: Readonly<Record<string, EmailKind>> = {
  [OrderNotice.Paid]: EmailKind.ORDER_CONFIRMED,
  [OrderNotice.Shipped]: EmailKind.ORDER_SHIPPED,
  [OrderNotice.Delivered]: EmailKind.ORDER_DELIVERED,
  [OrderNotice.Cancelled]: EmailKind.ORDER_CANCELLED,
  [OrderNotice.Refunded]: EmailKind.ORDER_REFUNDED,
  [OrderNotice.PartiallyRefunded]: EmailKind.ORDER_REFUNDED,
  [SystemNotice.AdminAlert]: EmailKind.ADMIN_ALERT,
  [SystemNotice.ExportReady]: EmailKind.EXPORT_READY,
};

/** The email of a notice, or undefined for an event nobody is told about. */
export function emailFor(event: string): EmailKind | undefined {
  return Object.hasOwn(NOTICE_EMAILS, event) ? NOTICE_EMAILS[event] : undefined;
}
