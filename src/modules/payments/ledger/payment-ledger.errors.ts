import { DomainError } from '../../../infra/errors/domain-error';

/** A refund request for more than the ledger says is still refundable (captured − refunded − reserved). */
export class RefundExceedsCapturedError extends DomainError {
  readonly code = 'REFUND_EXCEEDS_CAPTURED';
  readonly httpStatus = 422;
  constructor(requested: number, refundable: number) {
    super(
      `Cannot refund ${requested}; at most ${refundable} is refundable`,
      { requested, refundable },
      { requested, refundable },
    );
  }
}
