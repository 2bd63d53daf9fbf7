import { HttpException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';

import { isTransientTransactionError } from '../database/pg-errors';
import { isDependencyUnavailable } from '../errors/dependency-errors';
import { DomainError } from '../errors/domain-error';

export interface ErrorDescription {
  status: number;
  code: string;
  fallbackMessage: string;
  params: Record<string, string | number>;
  details?: unknown;
  /** True for failures nobody expected: logged with their stack, answered as a generic 500. */
  unexpected: boolean;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

// Errors Fastify raises before a route handler runs (body parsing, content type).
const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'MALFORMED_JSON' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'MALFORMED_JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_REQUEST' },
};

const FASTIFY_JSON_BODY_ERROR = /^Body (is not valid JSON but|cannot be empty when) content-type is set to/;

const describe = (
  status: number,
  code: string,
  fallbackMessage: string,
  details?: unknown,
): ErrorDescription => ({
  status,
  code,
  fallbackMessage,
  params: {},
  details,
  unexpected: false,
});

/** Maps anything thrown while serving a request to the status and stable code the client sees. */
export function describeError(error: unknown): ErrorDescription {
  if (error instanceof DomainError) {
    return {
      status: error.httpStatus,
      code: error.code,
      fallbackMessage: error.message,
      params: error.params,
      details: error.details,
      unexpected: false,
    };
  }
  if (error instanceof ThrottlerException) return describe(429, 'RATE_LIMITED', 'Too many requests');
  if (error instanceof HttpException) {
    const status = error.getStatus();
    // Nest re-throws Fastify's JSON body errors (FST_ERR_CTP_INVALID_JSON_BODY / _EMPTY_JSON_BODY) as a bare
    // HttpException carrying only their message.
    if (status === 400 && FASTIFY_JSON_BODY_ERROR.test(error.message)) {
      return describe(400, 'MALFORMED_JSON', 'Request body is not valid JSON');
    }
    if (status < 500) return describe(status, CODE_BY_STATUS[status] ?? 'BAD_REQUEST', error.message);
  }
  const fastify = error as { code?: string; statusCode?: number; message?: string };
  if (fastify && typeof fastify.code === 'string' && FASTIFY_CODES[fastify.code]) {
    const known = FASTIFY_CODES[fastify.code];
    return describe(known.status, known.code, fastify.message ?? known.code);
  }
  if (error instanceof SyntaxError && fastify.statusCode === 400) {
    return describe(400, 'MALFORMED_JSON', 'Request body is not valid JSON');
  }
  if (typeof fastify?.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return describe(
      fastify.statusCode,
      CODE_BY_STATUS[fastify.statusCode] ?? 'BAD_REQUEST',
      String(fastify.message),
    );
  }
  // A deadlock or serialisation failure outside TransactionRunner (which retries them): the client retries.
  if (isTransientTransactionError(error)) {
    return describe(503, 'TRANSACTION_CONFLICT', 'The database is busy with conflicting changes; try again');
  }
  if (isDependencyUnavailable(error)) {
    return describe(503, 'SERVICE_UNAVAILABLE', 'A dependency is unavailable; retry shortly');
  }
  return { ...describe(500, 'INTERNAL_ERROR', 'Internal server error'), unexpected: true };
}
