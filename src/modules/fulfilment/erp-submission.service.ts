import { Inject, Injectable, Logger } from '@nestjs/common';

import { CorrelationContext } from '../../infra/logging/correlation-context';
import { Metrics } from '../../infra/metrics/metrics.service';
import { centsToDecimal } from '../../infra/i18n/money-format';
import { JobOutcome } from '../../infra/queue/job-outcome';
import { OrderStatus } from '../orders/order-state';
import { OrderQueriesService } from '../orders/order-queries.service';
import { OrderRecordsService } from '../orders/order-records.service';
import { UsersService } from '../users/users.service';
import { ErpClient } from './erp.client';
import { toErpOrder } from './erp-order.transform';
import { ErpRejectedError } from './fulfilment.errors';

export const ERP_CLIENT = Symbol('ERP_CLIENT');

const SUBMITTABLE: readonly OrderStatus[] = [
  OrderStatus.Processed,
  OrderStatus.Shipped,
  OrderStatus.Delivered,
];

/**
 * Submits a processed order to the ERP once: the ERP's reference and answer are stored on the order, and a
 * resubmission (retry, duplicate job) uses the same Idempotency-Key `erp:<orderId>`, so the ERP never books
 * it twice. An ERP 4xx is permanent: the job fails for good and the admins are alerted (no money moves).
 */
@Injectable()
export class ErpSubmissionService {
  private readonly logger = new Logger(ErpSubmissionService.name);

  constructor(
    private readonly orders: OrderQueriesService,
    private readonly records: OrderRecordsService,
    private readonly users: UsersService,
    @Inject(ERP_CLIENT) private readonly erp: ErpClient,
    private readonly metrics: Metrics,
  ) {}

  async submit(orderId: string): Promise<JobOutcome> {
    const order = await this.orders.find(orderId);
    if (!order) return { status: 'skipped', reason: 'order not found' };
    if (order.erpReference)
      return { status: 'skipped', reason: `already submitted as ${order.erpReference}` };
    if (!SUBMITTABLE.includes(order.status)) return { status: 'skipped', reason: `order is ${order.status}` };
    const customer = await this.users.get(order.userId);
    const payload = toErpOrder({
      orderId: order.id,
      createdAt: order.createdAt,
      customer: {
        name: order.shippingAddress.name,
        email: customer.email,
        salutation: order.shippingAddress.salutation,
      },
      shippingAddress: order.shippingAddress,
      currency: order.currency,
      // X-API takes EUR decimals; our cents become an exact two-decimal string.
      lines: order.lines.map((l) => ({
        sku: l.sku,
        name: l.name,
        quantity: l.quantity,
        unitPrice: centsToDecimal(l.unitPriceCents, order.currency),
      })),
    });
    try {
      const result = await this.metrics.timeExternal('erp', 'submit', () =>
        this.erp.submit(payload, {
          idempotencyKey: `erp:${order.id}`,
          correlationId: CorrelationContext.current(),
        }),
      );
      await this.records.recordErpSubmission(order.id, { reference: result.reference, body: result.body });
      this.logger.log({ orderId: order.id, reference: result.reference }, 'order submitted to ERP');
      return { status: 'done' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.records.markStep(
        order.id,
        'erp_submission',
        error instanceof ErpRejectedError ? 'failed' : 'pending',
        message,
      );
      throw error;
    }
  }
}
