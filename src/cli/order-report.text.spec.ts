import { OrderReport } from '../modules/ops/operator/order-report.service';
import { OrderStatus } from '../modules/orders/order-state';
import { formatOrderReport } from './order-report.text';

const at = '2026-12-01T10:00:00.000Z';

const report = (currency: string, totalCents: number): OrderReport => ({
  order: {
    id: 'o-1',
    userId: 'u-1',
    status: OrderStatus.Paid,
    totalCents,
    refundedCents: 0,
    currency,
    paymentIntentId: 'pi_1',
    items: [{ itemId: 'i-1', sku: 'MUG-1', name: 'Mug', quantity: 1, unitPriceCents: totalCents }],
    shippingAddress: {
      name: 'Ana',
      line1: 'Rua A, 1',
      city: 'São Paulo',
      postalCode: '01000-000',
      country: 'BR',
    },
    carrier: null,
    trackingNumber: null,
    paymentDueAt: at,
    createdAt: at,
    updatedAt: at,
  },
  ledger: {
    facts: {
      paymentIntentId: 'pi_1',
      amountCents: totalCents,
      currency,
      paymentStatus: 'succeeded',
      capturedCents: totalCents,
      refundedCents: 0,
      pendingCents: 0,
      requestedCents: 0,
      refundableCents: totalCents,
      cancellation: 'none',
    },
    payment: null,
    refunds: [],
  },
  history: [
    {
      fromStatus: null,
      toStatus: OrderStatus.Pending,
      actor: 'customer:u-1',
      reason: null,
      correlationId: 'c-1',
      at,
    },
  ],
  jobs: [],
  steps: [],
});

describe(formatOrderReport.name, () => {
  it('prints money with the currency in minor-unit arithmetic, and each part of the story', () => {
    const sut = formatOrderReport(report('EUR', 123456));
    expect(sut).toContain('total       EUR 1,234.56');
    expect(sut).toContain('captured EUR 1,234.56');
    expect(sut).toContain('ship to     Ana, Rua A, 1, 01000-000 São Paulo, BR');
    for (const heading of ['Lines', 'Payment ledger', 'History', 'Jobs', 'Steps'])
      expect(sut).toContain(heading);
  });

  it('has no minor part for a zero-decimal currency', () => {
    expect(formatOrderReport(report('JPY', 5000))).toContain('total       JPY 5,000');
  });
});
