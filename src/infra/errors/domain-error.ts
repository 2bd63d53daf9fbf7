/**
 * Base class of every expected failure. `code` is stable and part of the API; `httpStatus` is how the
 * global filter maps it; `params` fill the localised message `errors.<code>`.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly httpStatus: number;
  /** Inside a job: true when another attempt may succeed (busy, conflict, dependency down). */
  readonly retryable: boolean = false;

  constructor(
    message: string,
    readonly details?: unknown,
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}
