import { Injectable } from '@nestjs/common';

import { TransactionRunner } from '../../../../infra/database/transaction-runner';
import { OrderJobPayloads } from '../../../../infra/queue/job-payloads';
import { OrderJob } from '../../../../infra/queue/queue-names';
import { OrderStatus } from '../../order-state';
import { OrderTransitionRefusedError } from '../../orders.errors';
import { OrderStateWriter } from '../../order-state.writer';
import { OrderStepsRepository } from '../../order-steps.repository';
import { OrdersRepository } from '../../orders.repository';
import { JobOutcome, OrderJobStrategy } from '../order-job.strategy';

/** PAID → PROCESSED: the reserved stock is committed to the order; the ERP submission follows (table). */
@Injectable()
export class ProcessOrderStrategy implements OrderJobStrategy<OrderJob.Process> {
  readonly job = OrderJob.Process;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly orders: OrdersRepository,
    private readonly state: OrderStateWriter,
    private readonly steps: OrderStepsRepository,
  ) {}

  handle(payload: OrderJobPayloads[OrderJob.Process]): Promise<JobOutcome> {
    return this.tx.run(async (em): Promise<JobOutcome> => {
      const order = await this.orders.lock(em, payload.orderId);
      if (!order) return { status: 'skipped', reason: 'order not found' };
      if (order.status === OrderStatus.Pending) return { status: 'retry', reason: 'order not paid yet' };
      if (order.status !== OrderStatus.Paid) return { status: 'skipped', reason: `order is ${order.status}` };
      try {
        await this.state.apply(em, order, OrderStatus.Processed, {
          actor: { kind: 'worker' },
          reason: 'processed',
        });
      } catch (error) {
        // E.g. a cancellation is under way: nothing to process (refused before anything was written).
        if (error instanceof OrderTransitionRefusedError) return { status: 'skipped', reason: error.message };
        throw error;
      }
      await this.steps.mark(em, order.id, 'inventory_committed', 'done');
      return { status: 'done' };
    });
  }
}
