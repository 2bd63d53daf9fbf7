/**
 * The payment ledger's vocabulary and its pure rules: what a refund's status may become, and what the rows of
 * one order add up to. Dispatch's books are these rows; they mirror Stripe's, whoever moved the money.
 */

/** requested: written by Dispatch, not yet acknowledged by Stripe. The rest are Stripe's own statuses. */
export type RefundStatus = 'requested' | 'pending' | 'succeeded' | 'failed' | 'canceled';
/** Why the money goes back: an admin refund, a paid order's cancellation, a payment after cancellation, or
 * a refund Dispatch did not ask for (the Stripe dashboard, another integration). */
export type RefundPurpose = 'refund' | 'cancellation' | 'late_payment' | 'external';
export type RefundInitiator = 'dispatch' | 'dashboard';

export interface LedgerPayment {
  orderId: string;
  paymentIntentId: string;
  amountCents: number;
  currency: string;
  /** Stripe's PaymentIntent status (requires_payment_method, processing, succeeded, canceled, …). */
  status: string;
  capturedCents: number;
}

export interface LedgerRefund {
  id: string;
  orderId: string;
  seq: number;
  amountCents: number;
  reason: string;
  status: RefundStatus;
  purpose: RefundPurpose;
  initiator: RefundInitiator;
  stripeRefundId: string | null;
  /** Derived from the request that asked for it, so a retried request can never create a second refund. */
  stripeIdempotencyKey: string;
  failureReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What one order's ledger says, read under the order's row lock by every money decision. */
export interface LedgerFacts {
  paymentIntentId: string | null;
  amountCents: number;
  currency: string | null;
  paymentStatus: string | null;
  capturedCents: number;
  refundedCents: number;
  pendingCents: number;
  requestedCents: number;
  /** captured − (succeeded + pending + requested): what a new refund request may still reserve. */
  refundableCents: number;
  /** A cancellation of the paid order: asked for and not yet settled (open), or its refund succeeded. */
  cancellation: 'none' | 'open' | 'refunded';
}

export const OPEN_REFUND_STATUSES: readonly RefundStatus[] = ['requested', 'pending'];

export function ledgerFacts(payment: LedgerPayment | null, refunds: readonly LedgerRefund[]): LedgerFacts {
  const sum = (status: RefundStatus) =>
    refunds.filter((r) => r.status === status).reduce((total, r) => total + r.amountCents, 0);
  const captured = payment?.capturedCents ?? 0;
  const refunded = sum('succeeded');
  const pending = sum('pending');
  const requested = sum('requested');
  const cancellations = refunds.filter((r) => r.purpose === 'cancellation');
  return {
    paymentIntentId: payment?.paymentIntentId ?? null,
    amountCents: payment?.amountCents ?? 0,
    currency: payment?.currency ?? null,
    paymentStatus: payment?.status ?? null,
    capturedCents: captured,
    refundedCents: refunded,
    pendingCents: pending,
    requestedCents: requested,
    refundableCents: Math.max(0, captured - refunded - pending - requested),
    cancellation: cancellations.some((r) => OPEN_REFUND_STATUSES.includes(r.status))
      ? 'open'
      : cancellations.some((r) => r.status === 'succeeded')
        ? 'refunded'
        : 'none',
  };
}

const TERMINAL: readonly RefundStatus[] = ['failed', 'canceled'];

/**
 * Whether a refund row may move from `from` to `to`. Statuses only move forward (requested → pending →
 * succeeded | failed | canceled), so a replayed or reordered event never moves the books backwards. Two
 * exceptions follow Stripe, whose books are the truth: a succeeded refund may still fail (Stripe reports it
 * with refund.failed), and a refund Dispatch gave up on before Stripe ever answered (`knownToStripe` false)
 * takes whatever Stripe later says about it.
 */
export function mayMoveRefund(
  from: RefundStatus,
  to: RefundStatus,
  { reportedByStripe, knownToStripe }: { reportedByStripe: boolean; knownToStripe: boolean },
): boolean {
  if (from === to) return false;
  if (reportedByStripe && !knownToStripe && TERMINAL.includes(from)) return to !== 'requested';
  switch (from) {
    case 'requested':
      return true;
    case 'pending':
      return to !== 'requested';
    case 'succeeded':
      return reportedByStripe && to === 'failed';
    default:
      return false;
  }
}

/** Stripe's refund statuses, as the ledger stores them (requires_action is still pending money). */
export function refundStatusFromStripe(status: string | null | undefined): RefundStatus {
  switch (status) {
    case 'succeeded':
      return 'succeeded';
    case 'failed':
      return 'failed';
    case 'canceled':
      return 'canceled';
    default:
      return 'pending';
  }
}

const PAYMENT_TERMINAL = new Set(['succeeded', 'canceled']);

/** A PaymentIntent's status never moves out of succeeded or canceled (stale events are ignored). */
export function mayMovePayment(from: string, to: string): boolean {
  return from !== to && !PAYMENT_TERMINAL.has(from);
}
