import { DomainError } from '../../infra/errors/domain-error';

export class EmailTakenError extends DomainError {
  readonly code = 'EMAIL_TAKEN';
  readonly httpStatus = 409;
  constructor() {
    super('Email is already registered');
  }
}

export class UserNotFoundError extends DomainError {
  readonly code = 'USER_NOT_FOUND';
  readonly httpStatus = 404;
  constructor() {
    super('User not found');
  }
}

export class WrongCurrentPasswordError extends DomainError {
  readonly code = 'WRONG_CURRENT_PASSWORD';
  readonly httpStatus = 400;
  constructor() {
    super('Current password is incorrect');
  }
}
