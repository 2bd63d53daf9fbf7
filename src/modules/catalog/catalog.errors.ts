import { DomainError } from '../../infra/errors/domain-error';

export class ItemNotFoundError extends DomainError {
  readonly code = 'ITEM_NOT_FOUND';
  readonly httpStatus = 404;
  constructor(id: string) {
    super(`Item ${id} not found`, undefined, { id });
  }
}

export class SkuTakenError extends DomainError {
  readonly code = 'SKU_TAKEN';
  readonly httpStatus = 409;
  constructor(sku: string) {
    super(`SKU ${sku} is already in use`, undefined, { sku });
  }
}
