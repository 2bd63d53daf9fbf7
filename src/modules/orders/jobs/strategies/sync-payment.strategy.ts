import { Inject, Injectable } from '@nestjs/common';

import { TransactionRunner } from '../../../../infra/database/transaction-runner';
import { OrderJobPayloads } from '../../../../infra/queue/job-payloads';
import { OrderJob } from '../../../../infra/queue/queue-names';
import { CatalogService } from '../../../catalog/catalog.service';
import { PaymentLedgerService } from '../../../payments/ledger/payment-ledger.service';
import { Actor } from '../../order-state';
import { OrderPaymentsService } from '../../order-payments.service';
import { JobOutcome, OrderJobStrategy } from '../order-job.strategy';
import { PAYMENT_GATEWAY, PaymentGateway } from '../../../payments/stripe/payment-gateway';

const WORKER: Actor = { kind: 'worker' };

/**
 * Reads the order's PaymentIntent and every refund of it from Stripe and books them: refunds made in the
 * dashboard (announced only by charge.refunded), refunds left pending, and refunds Dispatch gave up on before
 * Stripe answered. Run after charge.refunded and by the reconciler.
 */
@Injectable()
export class SyncPaymentStrategy implements OrderJobStrategy<OrderJob.SyncPayment> {
  readonly job = OrderJob.SyncPayment;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly ledger: PaymentLedgerService,
    private readonly payments: OrderPaymentsService,
    @Inject(PAYMENT_GATEWAY) private readonly stripe: PaymentGateway,
    private readonly catalog: CatalogService,
  ) {}

  async handle(payload: OrderJobPayloads[OrderJob.SyncPayment]): Promise<JobOutcome> {
    const payment = await this.tx.run((em) => this.ledger.payment(em, payload.orderId));
    if (!payment) return { status: 'skipped', reason: 'order has no payment' };
    const intent = await this.stripe.retrievePaymentIntent(payment.paymentIntentId, payload.orderId);
    // Oldest first, the order they happened in.
    const refunds = (await this.stripe.listRefunds(payment.paymentIntentId, payload.orderId)).reverse();
    const released = await this.tx.run(async (em) => {
      const items: string[] = [];
      const booked =
        intent.status === 'succeeded'
          ? await this.payments.paymentSucceeded(em, intent, { actor: WORKER })
          : await this.payments.paymentUpdated(em, intent, { actor: WORKER });
      items.push(...booked.releasedItems);
      for (const refund of refunds)
        items.push(...(await this.payments.refundReported(em, refund, { actor: WORKER })).releasedItems);
      return items;
    });
    await this.catalog.invalidate(...released);
    return { status: 'done' };
  }
}
