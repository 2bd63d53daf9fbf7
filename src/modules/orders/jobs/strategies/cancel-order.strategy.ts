import { Injectable } from '@nestjs/common';

import { OrderJobPayloads } from '../../../../infra/queue/job-payloads';
import { OrderJob } from '../../../../infra/queue/queue-names';
import { actorFromLabel, OrderStatus } from '../../order-state';
import { OrdersRepository } from '../../orders.repository';
import { JobOutcome, OrderJobStrategy } from '../order-job.strategy';
import { PaymentIntentCancellation } from '../payment-intent-cancellation.service';

/**
 * An unpaid order's cancellation at Stripe: after a failed payment (the order is still PENDING) or an admin's
 * cancel (already CANCELLED): its PaymentIntent is cancelled, and a payment that won the race is booked.
 * Paid orders are cancelled by refund (REFUND), never here.
 */
@Injectable()
export class CancelOrderStrategy implements OrderJobStrategy<OrderJob.Cancel> {
  readonly job = OrderJob.Cancel;

  constructor(
    private readonly orders: OrdersRepository,
    private readonly cancellation: PaymentIntentCancellation,
  ) {}

  async handle(payload: OrderJobPayloads[OrderJob.Cancel]): Promise<JobOutcome> {
    const order = await this.orders.find(payload.orderId);
    if (!order) return { status: 'skipped', reason: 'order not found' };
    if (order.status !== OrderStatus.Pending && order.status !== OrderStatus.Cancelled)
      return { status: 'skipped', reason: `order is ${order.status}` };
    return this.cancellation.run(order, actorFromLabel(payload.actor), payload.reason ?? 'cancelled');
  }
}
