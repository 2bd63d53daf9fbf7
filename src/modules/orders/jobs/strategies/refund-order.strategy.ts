import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { Failpoint, Failpoints } from '../../../../infra/failpoints/failpoints';
import { TransactionRunner } from '../../../../infra/database/transaction-runner';
import { OrderJobPayloads } from '../../../../infra/queue/job-payloads';
import { OrderJob } from '../../../../infra/queue/queue-names';
import { CatalogService } from '../../../catalog/catalog.service';
import { LedgerRefund } from '../../../payments/ledger/ledger';
import { PaymentLedgerService } from '../../../payments/ledger/payment-ledger.service';
import { Actor } from '../../order-state';
import { OrderPaymentsService } from '../../order-payments.service';
import { OrdersRepository } from '../../orders.repository';
import { JobOutcome, OrderJobStrategy } from '../order-job.strategy';
import { PAYMENT_GATEWAY, PaymentGateway } from '../../../payments/stripe/payment-gateway';

const WORKER: Actor = { kind: 'worker' };

type Prepared =
  | { send: true; refund: LedgerRefund; paymentIntentId: string }
  | { send: false; reason: string; released: string[] };

/**
 * Sends one refund the ledger reserved to Stripe, with the refund's own idempotency key, then books Stripe's
 * answer (succeeded, pending or failed) and lets the order follow its ledger (REFUNDED, or CANCELLED for a
 * cancellation). Before asking, it checks under the order's lock that the ledger still covers the refund (a
 * refund made in the dashboard may have taken the money meanwhile): then the request is withdrawn instead.
 */
@Injectable()
export class RefundOrderStrategy implements OrderJobStrategy<OrderJob.Refund> {
  readonly job = OrderJob.Refund;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly orders: OrdersRepository,
    private readonly ledger: PaymentLedgerService,
    private readonly payments: OrderPaymentsService,
    @Inject(PAYMENT_GATEWAY) private readonly stripe: PaymentGateway,
    private readonly catalog: CatalogService,
    private readonly failpoints: Failpoints,
  ) {}

  async handle(payload: OrderJobPayloads[OrderJob.Refund]): Promise<JobOutcome> {
    const prepared = await this.tx.run((em) => this.prepare(em, payload.orderId, payload.refundId));
    if (!prepared.send) {
      await this.catalog.invalidate(...prepared.released);
      return { status: 'skipped', reason: prepared.reason };
    }
    const { refund, paymentIntentId } = prepared;
    const report = await this.stripe.createRefund({
      paymentIntentId,
      orderId: payload.orderId,
      refundId: refund.id,
      amountCents: refund.amountCents,
      idempotencyKey: refund.stripeIdempotencyKey,
    });
    this.failpoints.hit(Failpoint.RefundAtStripe);
    const released = await this.tx.run(async (em) => {
      const order = await this.orders.lock(em, payload.orderId);
      if (!order) return [];
      const { changed } = await this.ledger.bookStripeRefund(em, order.id, {
        ...report,
        refundId: refund.id,
      });
      return changed ? this.payments.settle(em, order, WORKER) : [];
    });
    await this.catalog.invalidate(...released);
    return { status: 'done' };
  }

  private async prepare(em: EntityManager, orderId: string, refundId: string): Promise<Prepared> {
    const order = await this.orders.lock(em, orderId);
    if (!order) return { send: false, reason: 'order not found', released: [] };
    let refund = await this.ledger.lockRefund(em, orderId, refundId);
    if (!refund) return { send: false, reason: 'refund not found', released: [] };
    if (refund.status === 'failed' && refund.stripeRefundId === null) {
      // Given up earlier (e.g. Stripe unreachable) and retried by an operator: ask again with the same key.
      if (refund.amountCents > (await this.ledger.facts(em, orderId)).refundableCents)
        return { send: false, reason: 'refund no longer covered by the ledger', released: [] };
      ({ refund } = await this.ledger.settleRefund(em, refund, 'requested', null));
    }
    if (refund.status !== 'requested')
      return { send: false, reason: `refund is ${refund.status}`, released: [] };
    const facts = await this.ledger.facts(em, orderId);
    const reserved = facts.refundedCents + facts.pendingCents + facts.requestedCents;
    if (!facts.paymentIntentId || reserved > facts.capturedCents) {
      await this.ledger.settleRefund(em, refund, 'canceled', 'the captured amount was refunded elsewhere');
      return {
        send: false,
        reason: 'refund withdrawn: the ledger no longer covers it',
        released: await this.payments.settle(em, order, WORKER),
      };
    }
    return { send: true, refund, paymentIntentId: facts.paymentIntentId };
  }
}
