import { DomainError } from './domain-error';

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

export class ValidationFailedError extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  readonly httpStatus = 400;
  constructor(readonly fields: FieldError[]) {
    super('Request validation failed', fields);
  }
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  readonly httpStatus = 401;
  constructor(reason = 'Authentication required') {
    super(reason);
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  readonly httpStatus = 403;
  constructor(reason = 'Not allowed') {
    super(reason);
  }
}

export class ServiceUnavailableError extends DomainError {
  readonly code = 'SERVICE_UNAVAILABLE';
  readonly httpStatus = 503;
  constructor(details?: unknown) {
    super('A dependency is unavailable', details);
  }
}

export class NotFoundRouteError extends DomainError {
  readonly code = 'NOT_FOUND';
  readonly httpStatus = 404;
  constructor() {
    super('The requested resource does not exist');
  }
}

/** A transaction kept failing with a deadlock or serialisation failure after its retries: try again later. */
export class TransactionConflictError extends DomainError {
  readonly code = 'TRANSACTION_CONFLICT';
  readonly httpStatus = 503;
  override readonly retryable = true;
  constructor() {
    super('The database is busy with conflicting changes; try again shortly');
  }
}
