import { Module } from '@nestjs/common';

import { CatalogModule } from '../catalog/catalog.module';
import { OutboxModule } from '../outbox/outbox.module';
import { IdempotencyRepository } from './idempotency.repository';
import { OrderFulfilmentService } from './order-fulfilment.service';
import { OrderPaymentsService } from './order-payments.service';
import { OrderQueriesService } from './order-queries.service';
import { OrderSettlementService } from './order-settlement.service';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrderStateWriter } from './order-state.writer';
import { OrderStepsRepository } from './order-steps.repository';
import { PlaceOrderService } from './place-order.service';
import { RefundsRepository } from './refunds.repository';

@Module({
  imports: [CatalogModule, OutboxModule],
  controllers: [OrdersController],
  providers: [
    OrdersRepository,
    OrderStateWriter,
    OrderStepsRepository,
    RefundsRepository,
    IdempotencyRepository,
    PlaceOrderService,
    OrderQueriesService,
    OrderFulfilmentService,
    OrderPaymentsService,
    OrderSettlementService,
  ],
  exports: [
    OrderPaymentsService,
    OrderSettlementService,
    OrdersRepository,
    OrderQueriesService,
    OrderStepsRepository,
  ],
})
export class OrdersModule {}
