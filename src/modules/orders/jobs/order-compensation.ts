import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { Metrics } from '../../../infra/metrics/metrics.service';
import { JobEnvelope } from '../../../infra/queue/job-payloads';
import { OrderJob } from '../../../infra/queue/queue-names';
import { OutboxMessage } from '../../outbox/outbox-message';
import { PaymentLedgerService } from '../../payments/ledger/payment-ledger.service';
import { orderEvents } from '../orders.events';
import { OrdersRepository } from '../orders.repository';

/**
 * What happens when an orders job fails for good, by failure type (README "Compensation"). The job executor
 * alerts the admins in every case; this adds what the failure means for the order and its money:
 *
 * | job | failed for good means | compensation |
 * |---|---|---|
 * | PROCESS | the order cannot be fulfilled | COMPENSATE: cancel it (unpaid: now, stock released; paid: refund what is refundable, then CANCELLED) |
 * | REFUND | Stripe refused the refund or could not be reached through every retry | that refund is marked failed; the order and its other money are untouched (never a cancellation, never a larger refund); the reconciler later asks Stripe about it once |
 * | CANCEL, EXPIRE | the unpaid order's intent could not be cancelled at Stripe | none: the reconciler settles overdue PENDING orders from Stripe |
 * | COMPENSATE, SYNC_PAYMENT | the repair itself failed | none: the alert asks an operator |
 *
 * Jobs of the other queues (ERP submission, emails, documents) never move money: they only alert.
 */
export const ORDER_JOB_COMPENSATION: Record<OrderJob, 'cancel-order' | 'fail-refund' | 'alert-only'> = {
  [OrderJob.Process]: 'cancel-order',
  [OrderJob.Refund]: 'fail-refund',
  [OrderJob.Cancel]: 'alert-only',
  [OrderJob.Expire]: 'alert-only',
  [OrderJob.Compensate]: 'alert-only',
  [OrderJob.SyncPayment]: 'alert-only',
};

/** Applies ORDER_JOB_COMPENSATION in the transaction that records the final failure. */
@Injectable()
export class OrderJobCompensation {
  private readonly logger = new Logger(OrderJobCompensation.name);

  constructor(
    private readonly orders: OrdersRepository,
    private readonly ledger: PaymentLedgerService,
    private readonly metrics: Metrics,
  ) {}

  async onFinalFailure(
    em: EntityManager,
    job: { name: string; data: JobEnvelope & { refundId?: string } },
    message: string,
  ): Promise<OutboxMessage[]> {
    switch (ORDER_JOB_COMPENSATION[job.name as OrderJob] ?? 'alert-only') {
      case 'cancel-order':
        return [orderEvents.compensationNeeded(job.data.orderId, job.name, message)];
      case 'fail-refund':
        await this.failRefund(em, job.data.orderId, job.data.refundId, message);
        return [];
      default:
        return [];
    }
  }

  private async failRefund(
    em: EntityManager,
    orderId: string,
    refundId: string | undefined,
    message: string,
  ): Promise<void> {
    // Order first, then its refund: the lock order every money move uses.
    if (!refundId || !(await this.orders.lock(em, orderId))) return;
    const refund = await this.ledger.lockRefund(em, orderId, refundId);
    if (!refund || refund.status !== 'requested') return;
    await this.ledger.settleRefund(em, refund, 'failed', message.slice(0, 500));
    this.metrics.refundsFailed.inc();
    this.logger.error(
      { orderId, refundId, amountCents: refund.amountCents, purpose: refund.purpose, error: message },
      'refund failed for good; the order is left as it is',
    );
  }
}
