import { Module } from '@nestjs/common';

import { CatalogModule } from '../../catalog/catalog.module';
import { OutboxModule } from '../../outbox/outbox.module';
import { PaymentLedgerModule } from '../../payments/ledger/payment-ledger.module';
import { OrdersModule } from '../orders.module';
import { OrdersRepository } from '../orders.repository';
import { OrderStepsRepository } from '../order-steps.repository';
import { OrderJobCompensation } from './order-compensation';
import { ORDER_JOB_STRATEGIES, OrderJobStrategy } from './order-job.strategy';
import { OrderJobsProcessor } from './order-jobs.processor';
import { OrderReconciler } from './order-reconciler.service';
import { PaymentIntentCancellation } from './payment-intent-cancellation.service';
import { CancelOrderStrategy } from './strategies/cancel-order.strategy';
import { CompensateOrderStrategy } from './strategies/compensate-order.strategy';
import { ExpireOrderStrategy } from './strategies/expire-order.strategy';
import { ProcessOrderStrategy } from './strategies/process-order.strategy';
import { RefundOrderStrategy } from './strategies/refund-order.strategy';
import { SyncPaymentStrategy } from './strategies/sync-payment.strategy';

const STRATEGIES = [
  ProcessOrderStrategy,
  CancelOrderStrategy,
  RefundOrderStrategy,
  CompensateOrderStrategy,
  ExpireOrderStrategy,
  SyncPaymentStrategy,
];

/** Worker side of orders: the queue processor, its strategies, the compensation table and the reconciler. */
@Module({
  imports: [OrdersModule, OutboxModule, PaymentLedgerModule, CatalogModule],
  providers: [
    // The orders module's own repositories: this is its worker side (they are not exported to anyone).
    OrdersRepository,
    OrderStepsRepository,
    ...STRATEGIES,
    { provide: ORDER_JOB_STRATEGIES, inject: STRATEGIES, useFactory: (...all: OrderJobStrategy[]) => all },
    PaymentIntentCancellation,
    OrderJobCompensation,
    OrderJobsProcessor,
    OrderReconciler,
  ],
  exports: [OrderReconciler],
})
export class OrderJobsModule {}
