import { Module } from '@nestjs/common';

import { OutboxModule } from '../../outbox/outbox.module';
import { OrdersModule } from '../orders.module';
import { ORDER_JOB_STRATEGIES, OrderJobStrategy } from './order-job.strategy';
import { OrderJobsProcessor } from './order-jobs.processor';
import { OrderReconciler } from './order-reconciler.service';
import { CancelOrderStrategy } from './strategies/cancel-order.strategy';
import { CompensateOrderStrategy } from './strategies/compensate-order.strategy';
import { ExpireOrderStrategy } from './strategies/expire-order.strategy';
import { ProcessOrderStrategy } from './strategies/process-order.strategy';
import { RefundOrderStrategy } from './strategies/refund-order.strategy';

const STRATEGIES = [
  ProcessOrderStrategy,
  CancelOrderStrategy,
  RefundOrderStrategy,
  CompensateOrderStrategy,
  ExpireOrderStrategy,
];

/** Worker side of orders: the queue processor, its strategies and the reconciler. */
@Module({
  imports: [OrdersModule, OutboxModule],
  providers: [
    ...STRATEGIES,
    { provide: ORDER_JOB_STRATEGIES, inject: STRATEGIES, useFactory: (...all: OrderJobStrategy[]) => all },
    OrderJobsProcessor,
    OrderReconciler,
  ],
  exports: [OrderReconciler],
})
export class OrderJobsModule {}
