import { Injectable, Logger } from '@nestjs/common';

import { TransactionRunner } from '../../../../infra/database/transaction-runner';
import { OrderJobPayloads } from '../../../../infra/queue/job-payloads';
import { OrderJob } from '../../../../infra/queue/queue-names';
import { notification } from '../../../outbox/outbox-message';
import { OutboxWriter } from '../../../outbox/outbox.writer';
import { OrderStatus } from '../../order-state';
import { OrderSettlementService } from '../../order-settlement.service';
import { JobOutcome, OrderJobStrategy } from '../order-job.strategy';

/**
 * Runs when another job of the order failed for good: cancel (unpaid, stock released) or refund and cancel
 * (paid). Written once per order (outbox dedupe key), and idempotent like every strategy.
 */
@Injectable()
export class CompensateOrderStrategy implements OrderJobStrategy<OrderJob.Compensate> {
  readonly job = OrderJob.Compensate;
  private readonly logger = new Logger(CompensateOrderStrategy.name);

  constructor(
    private readonly settlement: OrderSettlementService,
    private readonly outbox: OutboxWriter,
    private readonly tx: TransactionRunner,
  ) {}

  async handle(payload: OrderJobPayloads[OrderJob.Compensate]): Promise<JobOutcome> {
    const order = await this.settlement.get(payload.orderId);
    if (!order) return { status: 'skipped', reason: 'order not found' };
    if (![OrderStatus.Pending, OrderStatus.Paid, OrderStatus.Processed].includes(order.status)) {
      return { status: 'skipped', reason: `order is ${order.status}` };
    }
    const outcome = await this.settlement.cancel(
      order.id,
      'compensation',
      `compensation after ${payload.failedJob} failed: ${payload.error}`,
    );
    await this.tx.run((em) =>
      this.outbox.append(
        em,
        notification(
          'ADMIN_ALERT',
          order.id,
          {
            alert: {
              title: `Order ${order.id} compensated`,
              detail: `${payload.failedJob} failed for good (${payload.error}); the order was ${order.status} and is now cancelled${order.status === OrderStatus.Pending ? '' : ' and refunded'}.`,
              correlationId: payload.correlationId,
            },
          },
          `ADMIN_ALERT:compensated:${order.id}`,
        ),
      ),
    );
    this.logger.error(
      { orderId: order.id, failedJob: payload.failedJob, error: payload.error, previousStatus: order.status },
      'order compensated',
    );
    return outcome;
  }
}
