import { Injectable } from '@nestjs/common';

import { OrderJobPayloads } from '../../../../infra/queue/job-payloads';
import { OrderJob } from '../../../../infra/queue/queue-names';
import { OrderSettlementService } from '../../order-settlement.service';
import { JobOutcome, OrderJobStrategy } from '../order-job.strategy';

/** The payment window closed: ask Stripe, then record the payment or cancel the order. */
@Injectable()
export class ExpireOrderStrategy implements OrderJobStrategy<OrderJob.Expire> {
  readonly job = OrderJob.Expire;

  constructor(private readonly settlement: OrderSettlementService) {}

  handle(payload: OrderJobPayloads[OrderJob.Expire]): Promise<JobOutcome> {
    return this.settlement.expire(payload.orderId);
  }
}
