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

export class InsufficientStockError extends DomainError {
  readonly code = 'INSUFFICIENT_STOCK';
  readonly httpStatus = 409;
  constructor(itemId: string) {
    super(`Not enough stock for item ${itemId}`, { itemId }, { itemId });
  }
}

/** An order line names an item that does not exist (or was deleted). */
export class OrderItemNotFoundError extends DomainError {
  readonly code = 'ORDER_ITEM_NOT_FOUND';
  readonly httpStatus = 422;
  constructor(itemId: string) {
    super(`Item ${itemId} does not exist`, { itemId }, { itemId });
  }
}
