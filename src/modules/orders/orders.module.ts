import { Module } from '@nestjs/common';

import { CatalogModule } from '../catalog/catalog.module';
import { OutboxModule } from '../outbox/outbox.module';
import { PaymentLedgerModule } from '../payments/ledger/payment-ledger.module';
import { CancelOrderService } from './cancel-order.service';
import { IdempotencyRepository } from './idempotency.repository';
import { IdempotentRequests } from './idempotent-requests.service';
import { OrderFulfilmentService } from './order-fulfilment.service';
import { OrderPaymentsService } from './order-payments.service';
import { OrderQueriesService } from './order-queries.service';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrderStateWriter } from './order-state.writer';
import { OrderStepsRepository } from './order-steps.repository';
import { OrderTransitionsRepository } from './order-transitions.repository';
import { PlaceOrderService } from './place-order.service';
import { RefundOrderService } from './refund-order.service';

@Module({
  imports: [CatalogModule, OutboxModule, PaymentLedgerModule],
  controllers: [OrdersController],
  providers: [
    OrdersRepository,
    // The raw status write: used by OrderStateWriter only, never exported.
    OrderTransitionsRepository,
    OrderStateWriter,
    OrderStepsRepository,
    IdempotencyRepository,
    IdempotentRequests,
    PlaceOrderService,
    OrderQueriesService,
    CancelOrderService,
    RefundOrderService,
    OrderFulfilmentService,
    OrderPaymentsService,
  ],
  exports: [
    OrderStateWriter,
    OrderPaymentsService,
    CancelOrderService,
    OrdersRepository,
    OrderQueriesService,
    OrderStepsRepository,
  ],
})
export class OrdersModule {}
