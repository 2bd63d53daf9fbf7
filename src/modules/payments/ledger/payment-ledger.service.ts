import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { StripeRefundReport } from '../stripe/payment-gateway';
import {
  LedgerFacts,
  ledgerFacts,
  LedgerPayment,
  LedgerRefund,
  mayMovePayment,
  mayMoveRefund,
  RefundPurpose,
  RefundStatus,
  refundStatusFromStripe,
} from './ledger';
import { RefundExceedsCapturedError } from './payment-ledger.errors';
import { PaymentsRepository } from './payments.repository';
import { RefundsRepository } from './refunds.repository';
import { UnmatchedPayment, UnmatchedPaymentsRepository } from './unmatched-payments.repository';

/** The outcome of booking something Stripe reported: the row as it is now, and whether it moved. */
export interface Booked {
  refund: LedgerRefund;
  changed: boolean;
}

/**
 * Dispatch's books of each order's money, kept equal to Stripe's: the order's PaymentIntent and every refund,
 * whoever asked for it. Every method runs in the caller's transaction, and every method that decides about
 * money expects the caller to hold the order's row lock, which serialises all money moves of one order.
 */
@Injectable()
export class PaymentLedgerService {
  constructor(
    private readonly payments: PaymentsRepository,
    private readonly refunds: RefundsRepository,
    private readonly unmatched: UnmatchedPaymentsRepository,
  ) {}

  /** What the order's ledger adds up to. */
  async facts(em: EntityManager, orderId: string): Promise<LedgerFacts> {
    const [payment, refunds] = [
      await this.payments.forOrder(em, orderId),
      await this.refunds.forOrder(em, orderId),
    ];
    return ledgerFacts(payment, refunds);
  }

  payment(em: EntityManager, orderId: string): Promise<LedgerPayment | null> {
    return this.payments.forOrder(em, orderId);
  }

  /** The payment row of a PaymentIntent: the only way a payment fact finds its order. */
  paymentByIntent(em: EntityManager, paymentIntentId: string): Promise<LedgerPayment | null> {
    return this.payments.byIntent(em, paymentIntentId);
  }

  /** Records the PaymentIntent's status; never moves out of succeeded or canceled. True when it changed. */
  async recordPaymentStatus(
    em: EntityManager,
    payment: LedgerPayment,
    status: string,
    capturedCents: number,
  ): Promise<boolean> {
    if (!mayMovePayment(payment.status, status)) return false;
    await this.payments.setStatus(em, payment.orderId, status, Math.min(capturedCents, payment.amountCents));
    return true;
  }

  refundsOf(em: EntityManager, orderId: string): Promise<LedgerRefund[]> {
    return this.refunds.forOrder(em, orderId);
  }

  /**
   * Reserves `amountCents` of what is still refundable for a refund Dispatch will ask Stripe for (status
   * `requested`). Throws RefundExceedsCapturedError when the ledger cannot cover it, so no race of requests
   * ever asks Stripe for more than was captured.
   */
  async reserveRefund(
    em: EntityManager,
    orderId: string,
    request: { amountCents: number; purpose: RefundPurpose; reason: string; stripeIdempotencyKey?: string },
  ): Promise<LedgerRefund> {
    const { refundableCents } = await this.facts(em, orderId);
    if (request.amountCents <= 0 || request.amountCents > refundableCents)
      throw new RefundExceedsCapturedError(request.amountCents, refundableCents);
    return this.refunds.insert(em, {
      orderId,
      amountCents: request.amountCents,
      reason: request.reason,
      purpose: request.purpose,
      status: 'requested',
      initiator: 'dispatch',
      stripeIdempotencyKey: request.stripeIdempotencyKey,
    });
  }

  /** Locks one refund row of the order (null when it is not the order's). */
  async lockRefund(em: EntityManager, orderId: string, refundId: string): Promise<LedgerRefund | null> {
    const refund = await this.refunds.lock(em, refundId);
    return refund?.orderId === orderId ? refund : null;
  }

  /** Moves a refund Dispatch decided about (given up on, or withdrawn before Stripe saw it). */
  async settleRefund(
    em: EntityManager,
    refund: LedgerRefund,
    status: Extract<RefundStatus, 'failed' | 'canceled' | 'requested'>,
    failureReason: string | null,
  ): Promise<Booked> {
    const knownToStripe = refund.stripeRefundId !== null;
    const revive = status === 'requested' && refund.status === 'failed' && !knownToStripe;
    if (!revive && !mayMoveRefund(refund.status, status, { reportedByStripe: false, knownToStripe }))
      return { refund, changed: false };
    return {
      refund: await this.refunds.update(em, refund.id, { status, failureReason }),
      changed: true,
    };
  }

  /**
   * Books what Stripe says about one of the order's refunds: found by its Stripe id, else by the refund id
   * Dispatch put in its metadata, else it is a refund made outside Dispatch (the dashboard) and is added.
   * Statuses only move forward (see mayMoveRefund), so replays and reordered events change nothing.
   */
  async bookStripeRefund(em: EntityManager, orderId: string, report: StripeRefundReport): Promise<Booked> {
    const status = refundStatusFromStripe(report.status);
    const rows = await this.refunds.forOrder(em, orderId);
    const existing =
      rows.find((r) => r.stripeRefundId === report.id) ??
      (report.refundId ? rows.find((r) => r.id === report.refundId && r.stripeRefundId === null) : undefined);
    if (!existing) {
      const refund = await this.refunds.insert(em, {
        orderId,
        amountCents: report.amountCents,
        reason: report.reason ? `outside Dispatch: ${report.reason}` : 'refunded outside Dispatch',
        purpose: 'external',
        status,
        initiator: 'dashboard',
        stripeIdempotencyKey: `stripe:${report.id}`,
        stripeRefundId: report.id,
        failureReason: report.failureReason,
      });
      return { refund, changed: true };
    }
    const knownToStripe = existing.stripeRefundId !== null;
    const moves = mayMoveRefund(existing.status, status, { reportedByStripe: true, knownToStripe });
    // Same status, but Stripe's id was never stored (its answer was lost): attach it.
    const attachesId = !knownToStripe && existing.status === status;
    if (!moves && !attachesId) return { refund: existing, changed: false };
    const refund = await this.refunds.update(em, existing.id, {
      status,
      stripeRefundId: report.id,
      failureReason: report.failureReason,
    });
    return { refund, changed: true };
  }

  /** Records a payment event that is not the order's own; null when that event was recorded before. */
  recordUnmatched(
    em: EntityManager,
    entry: Omit<UnmatchedPayment, 'id' | 'createdAt'>,
  ): Promise<string | null> {
    return this.unmatched.record(em, entry);
  }

  unmatchedPayments(limit: number): Promise<UnmatchedPayment[]> {
    return this.unmatched.list(limit);
  }

  /** Orders with refunds Stripe should be asked about (pending too long, or given up before it answered). */
  refundsDueForCheck(olderThanSeconds: number, limit: number): Promise<string[]> {
    return this.refunds.dueForCheck(olderThanSeconds, limit);
  }
}
