import { Injectable } from '@nestjs/common';

import { OrderJobPayloads } from '../../../../infra/queue/job-payloads';
import { OrderJob } from '../../../../infra/queue/queue-names';
import { OrderSettlementService } from '../../order-settlement.service';
import { JobOutcome, OrderJobStrategy } from '../order-job.strategy';

/** Unpaid: cancel the PaymentIntent and release stock. Paid: refund in full, then cancel. */
@Injectable()
export class CancelOrderStrategy implements OrderJobStrategy<OrderJob.Cancel> {
  readonly job = OrderJob.Cancel;

  constructor(private readonly settlement: OrderSettlementService) {}

  handle(payload: OrderJobPayloads[OrderJob.Cancel]): Promise<JobOutcome> {
    return this.settlement.cancel(payload.orderId, payload.actor ?? 'system', payload.reason ?? 'cancelled');
  }
}
