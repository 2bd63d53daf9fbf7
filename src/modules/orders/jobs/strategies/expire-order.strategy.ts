import { Injectable } from '@nestjs/common';

import { OrderJobPayloads } from '../../../../infra/queue/job-payloads';
import { OrderJob } from '../../../../infra/queue/queue-names';
import { OrderStatus } from '../../order-state';
import { OrdersRepository } from '../../orders.repository';
import { JobOutcome, OrderJobStrategy } from '../order-job.strategy';
import { PaymentIntentCancellation } from '../payment-intent-cancellation.service';

/** The payment window closed: cancel the intent at Stripe, then book the payment that came or cancel. */
@Injectable()
export class ExpireOrderStrategy implements OrderJobStrategy<OrderJob.Expire> {
  readonly job = OrderJob.Expire;

  constructor(
    private readonly orders: OrdersRepository,
    private readonly cancellation: PaymentIntentCancellation,
  ) {}

  async handle(payload: OrderJobPayloads[OrderJob.Expire]): Promise<JobOutcome> {
    const order = await this.orders.find(payload.orderId);
    if (!order) return { status: 'skipped', reason: 'order not found' };
    if (order.status !== OrderStatus.Pending)
      return { status: 'skipped', reason: `order is ${order.status}` };
    if (order.paymentDueAt.getTime() > Date.now())
      return { status: 'retry', reason: 'payment window still open' };
    return this.cancellation.run(order, { kind: 'system' }, 'payment window expired');
  }
}
