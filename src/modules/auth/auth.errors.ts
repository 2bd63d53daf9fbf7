import { DomainError } from '../../infra/errors/domain-error';

export class InvalidCredentialsError extends DomainError {
  readonly code = 'INVALID_CREDENTIALS';
  readonly httpStatus = 401;
  constructor() {
    super('Email or password is incorrect');
  }
}

export class InvalidRefreshTokenError extends DomainError {
  readonly code = 'INVALID_REFRESH_TOKEN';
  readonly httpStatus = 401;
  constructor() {
    super('Refresh token is invalid or expired');
  }
}

export class RefreshTokenReusedError extends DomainError {
  readonly code = 'REFRESH_TOKEN_REUSED';
  readonly httpStatus = 401;
  constructor() {
    super('Refresh token was already used; the session has been revoked');
  }
}

export class InvalidAccessTokenError extends DomainError {
  readonly code = 'INVALID_ACCESS_TOKEN';
  readonly httpStatus = 401;
  constructor() {
    super('Access token is missing, invalid, expired or revoked');
  }
}
