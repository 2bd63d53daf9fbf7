import { Inject, Injectable } from '@nestjs/common';

import { TransactionRunner } from '../../../infra/database/transaction-runner';
import { JobOutcome } from '../../../infra/queue/job-outcome';
import { CatalogService } from '../../catalog/catalog.service';
import { PAYMENT_GATEWAY, PaymentGateway, PaymentIntentState } from '../../payments/stripe/payment-gateway';
import { Order } from '../order';
import { Actor, OrderStatus } from '../order-state';
import { OrderPaymentsService } from '../order-payments.service';
import { OrderStateWriter } from '../order-state.writer';
import { OrdersRepository } from '../orders.repository';

const WORKER: Actor = { kind: 'worker' };

/**
 * The end of an unpaid order (CANCEL and EXPIRE jobs): cancel its PaymentIntent at Stripe first, so it can no
 * longer be paid, then book Stripe's answer. An intent that succeeded meanwhile is a payment like any other
 * (a PENDING order becomes PAID; a cancelled one is refunded); otherwise a PENDING order is cancelled.
 */
@Injectable()
export class PaymentIntentCancellation {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly orders: OrdersRepository,
    private readonly state: OrderStateWriter,
    private readonly payments: OrderPaymentsService,
    @Inject(PAYMENT_GATEWAY) private readonly stripe: PaymentGateway,
    private readonly catalog: CatalogService,
  ) {}

  async run(order: Order, actor: Actor, reason: string): Promise<JobOutcome> {
    const intent: PaymentIntentState | null = order.paymentIntentId
      ? await this.stripe.cancelPaymentIntent(order.paymentIntentId, order.id, `cancel-pi:${order.id}`)
      : null;
    const released = await this.tx.run(async (em) => {
      if (intent?.status === 'succeeded')
        return (await this.payments.paymentSucceeded(em, intent, { actor: WORKER })).releasedItems;
      if (intent) await this.payments.paymentUpdated(em, intent, { actor: WORKER });
      const current = await this.orders.lock(em, order.id);
      if (current?.status !== OrderStatus.Pending) return [];
      return (await this.state.apply(em, current, OrderStatus.Cancelled, { actor, reason })).releasedItems;
    });
    await this.catalog.invalidate(...released);
    return { status: 'done' };
  }
}
