/**
 * Thrown by CircuitBreaker.execute() without calling the protected function. A plain Error, not a
 * DomainError: infra knows nothing of HTTP mapping, so the adapter using the breaker translates it into its
 * module's own "unavailable" error.
 */
export class CircuitOpenError extends Error {
  constructor(
    /** Earliest time from now at which the breaker may let a call through again (a hint, not a promise). */
    readonly retryAfterMs: number,
    readonly circuit = 'circuit',
  ) {
    super(`${circuit} is open; retry in ${retryAfterMs} ms`);
    this.name = 'CircuitOpenError';
  }
}
