import { DomainError } from '../../infra/errors/domain-error';

export class OrderNotFoundError extends DomainError {
  readonly code = 'ORDER_NOT_FOUND';
  readonly httpStatus = 404;
  constructor(id: string) {
    super(`Order ${id} not found`, undefined, { id });
  }
}

export class IllegalOrderTransitionError extends DomainError {
  readonly code = 'ILLEGAL_ORDER_TRANSITION';
  readonly httpStatus = 409;
  constructor(from: string, to: string) {
    super(`An order cannot go from ${from} to ${to}`, { from, to }, { from, to });
  }
}

/** The row changed since it was read (another worker or an expired lock): the write is refused. */
export class OrderVersionConflictError extends DomainError {
  readonly code = 'ORDER_VERSION_CONFLICT';
  readonly httpStatus = 409;
  override readonly retryable = true;
  constructor(id: string, expectedVersion: number) {
    super(`Order ${id} changed concurrently (expected version ${expectedVersion})`, { expectedVersion });
  }
}

export class MixedCurrencyError extends DomainError {
  readonly code = 'MIXED_CURRENCY';
  readonly httpStatus = 422;
  constructor() {
    super('All items of an order must share one currency');
  }
}

/** More than the payment provider can charge in one payment (and, unchecked, more than total_cents holds). */
export class OrderTotalTooLargeError extends DomainError {
  readonly code = 'ORDER_TOTAL_TOO_LARGE';
  readonly httpStatus = 422;
  constructor(totalCents: number, maxCents: number) {
    super(
      `The order total ${totalCents} exceeds the maximum of ${maxCents}`,
      { totalCents, maxCents },
      {
        totalCents,
        maxCents,
      },
    );
  }
}

export class IdempotencyKeyRequiredError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_REQUIRED';
  readonly httpStatus = 400;
  constructor() {
    super('The Idempotency-Key header is required (1-255 printable characters)');
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  readonly httpStatus = 422;
  constructor() {
    super('This Idempotency-Key was already used with a different request body');
  }
}

export class IdempotencyRequestInFlightError extends DomainError {
  readonly code = 'IDEMPOTENCY_REQUEST_IN_FLIGHT';
  readonly httpStatus = 409;
  constructor() {
    super('A request with this Idempotency-Key is still being processed');
  }
}

/** A transition the table knows, refused for this actor or these payment facts. */
export class OrderTransitionRefusedError extends DomainError {
  readonly code = 'ORDER_TRANSITION_REFUSED';
  readonly httpStatus = 409;
  constructor(from: string, to: string, reason: string) {
    super(
      `An order cannot go from ${from} to ${to} now: ${reason}`,
      { from, to, reason },
      { from, to, reason },
    );
  }
}

/** The paid order's cancellation is already under way (its refund is requested or pending at Stripe). */
export class OrderCancellationPendingError extends DomainError {
  readonly code = 'ORDER_CANCELLATION_PENDING';
  readonly httpStatus = 409;
  constructor(id: string) {
    super(`Order ${id} is already being cancelled`, undefined, { id });
  }
}

/** Every captured cent is already refunded or reserved by refunds still in progress. */
export class OrderRefundInProgressError extends DomainError {
  readonly code = 'ORDER_REFUND_IN_PROGRESS';
  readonly httpStatus = 409;
  constructor(id: string) {
    super(`Order ${id} has nothing left to refund until its refunds in progress settle`, undefined, { id });
  }
}

/** Below the payment provider's minimum charge for the currency: Stripe would refuse the payment. */
export class OrderTotalTooSmallError extends DomainError {
  readonly code = 'ORDER_TOTAL_TOO_SMALL';
  readonly httpStatus = 422;
  constructor(totalCents: number, minCents: number, currency: string) {
    super(
      `The order total ${totalCents} is below the minimum charge of ${minCents} for ${currency}`,
      { totalCents, minCents, currency },
      { totalCents, minCents, currency },
    );
  }
}

export class CurrencyNotSupportedError extends DomainError {
  readonly code = 'CURRENCY_NOT_SUPPORTED';
  readonly httpStatus = 422;
  constructor(currency: string) {
    super(`Payments in ${currency} are not supported`, { currency }, { currency });
  }
}
