import { Injectable } from '@nestjs/common';

import { OrderJobPayloads } from '../../../../infra/queue/job-payloads';
import { OrderJob } from '../../../../infra/queue/queue-names';
import { OrderSettlementService } from '../../order-settlement.service';
import { JobOutcome, OrderJobStrategy } from '../order-job.strategy';

/** Executes one recorded refund request (full → REFUNDED, partial → amount recorded). */
@Injectable()
export class RefundOrderStrategy implements OrderJobStrategy<OrderJob.Refund> {
  readonly job = OrderJob.Refund;

  constructor(private readonly settlement: OrderSettlementService) {}

  handle(payload: OrderJobPayloads[OrderJob.Refund]): Promise<JobOutcome> {
    return this.settlement.refund(payload.orderId, payload.refundId);
  }
}
