import { Inject, Injectable, Logger } from '@nestjs/common';

import { TransactionRunner } from '../../infra/database/transaction-runner';
import { CorrelationContext } from '../../infra/logging/correlation-context';
import { Metrics } from '../../infra/metrics/metrics.service';
import { JobOutcome } from '../../infra/queue/job-outcome';
import { OrderStatus } from '../orders/order-state';
import { OrderStepsRepository } from '../orders/order-steps.repository';
import { OrdersRepository } from '../orders/orders.repository';
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
    private readonly tx: TransactionRunner,
    private readonly orders: OrdersRepository,
    private readonly steps: OrderStepsRepository,
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
        unitPrice: `${Math.trunc(l.unitPriceCents / 100)}.${String(l.unitPriceCents % 100).padStart(2, '0')}`,
      })),
    });
    try {
      const result = await this.metrics.timeExternal('erp', 'submit', () =>
        this.erp.submit(payload, {
          idempotencyKey: `erp:${order.id}`,
          correlationId: CorrelationContext.current(),
        }),
      );
      await this.tx.run(async (em) => {
        const current = await this.orders.lock(em, order.id);
        if (current && !current.erpReference) {
          await this.orders.update(em, current, {
            erp_reference: result.reference,
            erp_response: JSON.stringify(result.body),
            erp_submitted_at: new Date(),
          });
        }
        await this.steps.mark(order.id, 'erp_submission', 'done', undefined, em);
      });
      this.logger.log({ orderId: order.id, reference: result.reference }, 'order submitted to ERP');
      return { status: 'done' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.steps.mark(
        order.id,
        'erp_submission',
        error instanceof ErpRejectedError ? 'failed' : 'pending',
        message,
      );
      throw error;
    }
  }
}
