import { DomainError } from '../../infra/errors/domain-error';

/**
 * The ERP answered and refused the order (4xx): sending the same order again will not help. Not a circuit
 * breaker failure, since the ERP is evidently up. The ERP's answer is kept on the error for the log of whoever
 * handles it, and deliberately not put in `details`, which the HTTP filter would show to API clients.
 */
export class ErpRejectedError extends DomainError {
  readonly code = 'ERP_REJECTED';
  readonly httpStatus = 502;
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`ERP rejected the order with HTTP ${status}`, { erpStatus: status });
  }
}

/**
 * The ERP could not be reached, timed out, answered 5xx or its circuit is open: nothing is known to have been
 * refused, so another attempt (with the same Idempotency-Key) may succeed.
 */
export class ErpUnavailableError extends DomainError {
  readonly code = 'ERP_UNAVAILABLE';
  readonly httpStatus = 503;
  override readonly retryable = true;
  /** The ERP's HTTP status, when it answered at all. */
  readonly status?: number;
  /** Set when the circuit is open: how long until it lets a call through again. */
  readonly retryAfterMs?: number;

  constructor(reason: string, options: { status?: number; retryAfterMs?: number } = {}) {
    super(`ERP unavailable: ${reason}`);
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}
