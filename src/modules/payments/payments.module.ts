import { Module } from '@nestjs/common';

import { OrdersModule } from '../orders/orders.module';
import { DevPaymentsController } from './dev-payments.controller';
import { PaymentsWebhookService } from './payments-webhook.service';
import { StripeWebhookController } from './stripe/stripe-webhook.controller';

@Module({
  imports: [OrdersModule],
  controllers: [StripeWebhookController, DevPaymentsController],
  providers: [PaymentsWebhookService],
})
export class PaymentsModule {}
