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

export class InsufficientStockError extends DomainError {
  readonly code = 'INSUFFICIENT_STOCK';
  readonly httpStatus = 409;
  constructor(itemId: string) {
    super(`Not enough stock for item ${itemId}`, { itemId }, { itemId });
  }
}

export class OrderItemNotFoundError extends DomainError {
  readonly code = 'ORDER_ITEM_NOT_FOUND';
  readonly httpStatus = 422;
  constructor(itemId: string) {
    super(`Item ${itemId} does not exist`, { itemId }, { itemId });
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
