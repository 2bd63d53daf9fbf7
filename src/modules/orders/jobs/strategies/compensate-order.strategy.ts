import { Injectable, Logger } from '@nestjs/common';

import { OrderJobPayloads } from '../../../../infra/queue/job-payloads';
import { OrderJob } from '../../../../infra/queue/queue-names';
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

  constructor(private readonly settlement: OrderSettlementService) {}

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
    // Admin alert: issue #4 turns this into an email; until then it is an error-level log line.
    this.logger.error(
      { orderId: order.id, failedJob: payload.failedJob, error: payload.error, previousStatus: order.status },
      'order compensated',
    );
    return outcome;
  }
}
