import { Injectable, Logger } from '@nestjs/common';

import { TransactionRunner } from '../../../../infra/database/transaction-runner';
import { OrderJobPayloads } from '../../../../infra/queue/job-payloads';
import { OrderJob } from '../../../../infra/queue/queue-names';
import { CatalogService } from '../../../catalog/catalog.service';
import { adminAlert } from '../../../outbox/outbox-message';
import { OutboxWriter } from '../../../outbox/outbox.writer';
import { CancelOrderService } from '../../cancel-order.service';
import { OrderStatus } from '../../order-state';
import { OrderCancellationPendingError, OrderRefundInProgressError } from '../../orders.errors';
import { OrdersRepository } from '../../orders.repository';
import { JobOutcome, OrderJobStrategy } from '../order-job.strategy';

const COMPENSABLE: readonly OrderStatus[] = [OrderStatus.Pending, OrderStatus.Paid, OrderStatus.Processed];

/**
 * Runs when the order's PROCESS job failed for good (see order-compensation.ts): the order is cancelled, unpaid
 * at once (stock released) or paid by refunding what is still refundable, and the admins are alerted. Written
 * once per order (outbox dedupe key), and idempotent like every strategy.
 */
@Injectable()
export class CompensateOrderStrategy implements OrderJobStrategy<OrderJob.Compensate> {
  readonly job = OrderJob.Compensate;
  private readonly logger = new Logger(CompensateOrderStrategy.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly orders: OrdersRepository,
    private readonly cancellation: CancelOrderService,
    private readonly outbox: OutboxWriter,
    private readonly catalog: CatalogService,
  ) {}

  async handle(payload: OrderJobPayloads[OrderJob.Compensate]): Promise<JobOutcome> {
    const outcome = await this.tx.run(async (em) => {
      const order = await this.orders.lock(em, payload.orderId);
      if (!order) return { skipped: 'order not found' };
      if (!COMPENSABLE.includes(order.status)) return { skipped: `order is ${order.status}` };
      let requested;
      try {
        requested = await this.cancellation.request(
          em,
          order,
          { kind: 'compensation' },
          `compensation after ${payload.failedJob} failed: ${payload.error}`,
        );
      } catch (error) {
        if (error instanceof OrderCancellationPendingError || error instanceof OrderRefundInProgressError)
          return { skipped: error.message };
        throw error;
      }
      const paid = order.status !== OrderStatus.Pending;
      await this.outbox.append(
        em,
        adminAlert(
          order.id,
          {
            title: `Order ${order.id} compensated`,
            detail:
              `${payload.failedJob} failed for good (${payload.error}); the order was ${order.status} and ` +
              (paid ? 'is being refunded in full and cancelled.' : 'is now cancelled.'),
            correlationId: payload.correlationId,
          },
          `compensated:${order.id}`,
        ),
      );
      return { released: requested.releasedItems, previous: order.status };
    });
    if ('skipped' in outcome) return { status: 'skipped', reason: outcome.skipped ?? 'nothing to do' };
    await this.catalog.invalidate(...outcome.released);
    this.logger.error(
      {
        orderId: payload.orderId,
        failedJob: payload.failedJob,
        error: payload.error,
        previousStatus: outcome.previous,
      },
      'order compensated',
    );
    return { status: 'done' };
  }
}
