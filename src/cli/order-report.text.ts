import { centsToDecimal, formatMoney } from '../infra/i18n/money-format';
import { OrderReport } from '../modules/ops/operator/order-report.service';
import { textTable } from './text-table';

const money = (cents: number, currency: string | null) =>
  currency ? formatMoney(cents, currency) : centsToDecimal(cents);

type Row = Record<string, unknown>;
const rows = (list: readonly object[]): Row[] => list as Row[];

/** `dispatch orders:show` for a terminal: the order, then one table per part of its story. */
export function formatOrderReport(report: OrderReport): string {
  const { order, ledger } = report;
  const { facts } = ledger;
  const to = order.shippingAddress;
  const address = [to.name, to.line1, to.line2, `${to.postalCode} ${to.city}`, to.country]
    .filter(Boolean)
    .join(', ');
  return [
    `Order ${order.id}`,
    `  status      ${order.status}`,
    `  customer    ${order.userId}`,
    `  total       ${money(order.totalCents, order.currency)} (refunded ${money(order.refundedCents, order.currency)})`,
    `  payment     ${order.paymentIntentId ?? '-'}`,
    `  ship to     ${address || '-'}`,
    `  shipment    ${order.carrier ? `${order.carrier} ${order.trackingNumber ?? ''}`.trim() : '-'}`,
    `  created     ${order.createdAt}   updated ${order.updatedAt}   payment due ${order.paymentDueAt}`,
    '',
    'Lines',
    textTable(rows(order.items), ['sku', 'name', 'quantity', 'unitPriceCents', 'itemId']),
    '',
    'Payment ledger',
    `  payment     ${facts.paymentStatus ?? 'none'}: amount ${money(facts.amountCents, facts.currency)}, captured ${money(facts.capturedCents, facts.currency)}`,
    `  refunds     refunded ${money(facts.refundedCents, facts.currency)}, pending ${money(facts.pendingCents, facts.currency)}, requested ${money(facts.requestedCents, facts.currency)}, refundable ${money(facts.refundableCents, facts.currency)}, cancellation ${facts.cancellation}`,
    textTable(rows(ledger.refunds), [
      'seq',
      'status',
      'amountCents',
      'purpose',
      'initiator',
      'stripeRefundId',
      'reason',
      'failureReason',
    ]),
    '',
    'History',
    textTable(rows(report.history), ['at', 'fromStatus', 'toStatus', 'actor', 'correlationId', 'reason']),
    '',
    'Jobs',
    textTable(rows(report.jobs), [
      'createdAt',
      'queue',
      'name',
      'jobId',
      'state',
      'attempts',
      'correlationId',
      'lastError',
    ]),
    '',
    'Steps',
    textTable(rows(report.steps), ['updatedAt', 'step', 'state', 'attempts', 'doneAt', 'lastError']),
  ].join('\n');
}
