import { DomainError } from '../infra/errors/domain-error';

/** The fake Stripe refused to pay or decline the intent: it is already paid, declined for good or canceled. */
export class PaymentNotPayableError extends DomainError {
  readonly code = 'PAYMENT_NOT_PAYABLE';
  readonly httpStatus = 409;
  constructor(paymentIntentId: string, reason: string) {
    super(`PaymentIntent ${paymentIntentId} cannot be paid or declined now: ${reason}`, { paymentIntentId });
  }
}
