import { Injectable } from '@nestjs/common';

import { OrderJobPayloads } from '../../../../infra/queue/job-payloads';
import { OrderJob } from '../../../../infra/queue/queue-names';
import { OrderSettlementService } from '../../order-settlement.service';
import { JobOutcome, OrderJobStrategy } from '../order-job.strategy';

/** PAID → PROCESSED (fulfilment side effects hook in here). */
@Injectable()
export class ProcessOrderStrategy implements OrderJobStrategy<OrderJob.Process> {
  readonly job = OrderJob.Process;

  constructor(private readonly settlement: OrderSettlementService) {}

  handle(payload: OrderJobPayloads[OrderJob.Process]): Promise<JobOutcome> {
    return this.settlement.process(payload.orderId);
  }
}
