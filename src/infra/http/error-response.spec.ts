import { QueryFailedError } from 'typeorm';
import {
  BadRequestException,
  HttpException,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';

import { ValidationFailedError } from '../errors/common.errors';
import { describeError } from './error-response';

describe(describeError.name, () => {
  it('keeps a domain error’s status, code, details and params', () => {
    const sut = describeError(
      new ValidationFailedError([{ field: 'x', code: 'isInt', message: 'x must be an integer' }]),
    );
    expect(sut).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', unexpected: false });
    expect(sut.details).toEqual([{ field: 'x', code: 'isInt', message: 'x must be an integer' }]);
  });

  it.each([
    [new NotFoundException(), 404, 'NOT_FOUND'],
    [new BadRequestException(), 400, 'BAD_REQUEST'],
    [new PayloadTooLargeException(), 413, 'PAYLOAD_TOO_LARGE'],
    [new ThrottlerException(), 429, 'RATE_LIMITED'],
    [
      Object.assign(new Error('too big'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      Object.assign(new Error('bad type'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      new HttpException("Body is not valid JSON but content-type is set to 'application/json'", 400),
      400,
      'MALFORMED_JSON',
    ],
    [
      new HttpException("Body cannot be empty when content-type is set to 'application/json'", 400),
      400,
      'MALFORMED_JSON',
    ],
    [
      Object.assign(new SyntaxError('Unexpected end of JSON input'), { statusCode: 400 }),
      400,
      'MALFORMED_JSON',
    ],
  ])('maps %p to %i %s', (error, status, code) => {
    expect(describeError(error)).toMatchObject({ status, code, unexpected: false });
  });

  it.each([new Error('boom'), new TypeError('x is undefined'), 'a string', undefined, { statusCode: 500 }])(
    'treats %p as an unexpected 500 without leaking its message',
    (error) => {
      expect(describeError(error)).toMatchObject({
        status: 500,
        code: 'INTERNAL_ERROR',
        fallbackMessage: 'Internal server error',
        unexpected: true,
      });
    },
  );

  it.each([
    [
      'Postgres shutting down (57P01)',
      new QueryFailedError(
        'SELECT 1',
        [],
        Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      ),
    ],
    [
      'Postgres starting up (57P03)',
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
    ],
    [
      'a connection cut mid-query',
      new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly')),
    ],
    ['the pool unable to connect', new Error('timeout exceeded when trying to connect')],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['Redis gone (ioredis)', new Error('Connection is closed.')],
    [
      'Redis retries exhausted',
      Object.assign(new Error('Reached the max retries per request limit'), {
        name: 'MaxRetriesPerRequestError',
      }),
    ],
  ])('answers %s with 503 SERVICE_UNAVAILABLE, not 500', (_what, error) => {
    expect(describeError(error)).toMatchObject({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      unexpected: false,
    });
  });
});
