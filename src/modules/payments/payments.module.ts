import { Module } from '@nestjs/common';

import { CatalogModule } from '../catalog/catalog.module';
import { OrdersModule } from '../orders/orders.module';
import { PaymentLedgerModule } from './ledger/payment-ledger.module';
import { PaymentsWebhookService } from './payments-webhook.service';
import { StripeWebhookController } from './stripe/stripe-webhook.controller';
import { WebhookEventsRepository } from './webhook-events.repository';

@Module({
  imports: [OrdersModule, PaymentLedgerModule, CatalogModule],
  controllers: [StripeWebhookController],
  providers: [WebhookEventsRepository, PaymentsWebhookService],
})
export class PaymentsModule {}
