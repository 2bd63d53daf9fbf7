import { DomainError } from '../../infra/errors/domain-error';

export class InvoiceNotReadyError extends DomainError {
  readonly code = 'INVOICE_NOT_READY';
  readonly httpStatus = 404;
  constructor(orderId: string) {
    super(`No invoice for order ${orderId} yet (it is issued once the order is paid)`, undefined, {
      orderId,
    });
  }
}

export class ExportNotFoundError extends DomainError {
  readonly code = 'EXPORT_NOT_FOUND';
  readonly httpStatus = 404;
  constructor(id: string) {
    super(`Export ${id} not found`, undefined, { id });
  }
}

export class ExportNotReadyError extends DomainError {
  readonly code = 'EXPORT_NOT_READY';
  readonly httpStatus = 409;
  constructor(id: string, status: string) {
    super(`Export ${id} is ${status}, not completed`, { status }, { id, status });
  }
}
