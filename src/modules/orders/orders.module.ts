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
import { OrderRecordsService } from './order-records.service';
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
    OrderRecordsService,
  ],
  // Services only: other modules read orders, record what they did to one, and hand in payment facts.
  exports: [
    OrderQueriesService,
    OrderRecordsService,
    OrderPaymentsService,
    OrderStateWriter,
    CancelOrderService,
  ],
})
export class OrdersModule {}
