import type { OpenAPIObject } from '@nestjs/swagger';

import { completeContract } from './api-contract';

interface Response {
  description: string;
  headers?: Record<string, { required?: boolean }>;
  content?: Record<string, { schema: unknown }>;
}
interface Operation {
  responses: Record<string, Response>;
  security?: unknown[];
  parameters?: { name: string; in: string; required: boolean }[];
  [extension: string]: unknown;
}
interface Schema {
  properties: Record<string, { enum?: unknown[] }>;
}

const documentWith = (path: string, operation: object): OpenAPIObject => ({
  openapi: '3.0.0',
  info: { title: 't', version: '1' },
  paths: { [path]: { post: operation as OpenAPIObject['paths'][string]['post'] } },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        properties: {
          count: { type: 'number' },
          createdAt: { type: 'string' },
          state: { type: 'string', nullable: true, enum: ['a', 'b'] },
        },
      },
    },
  },
});

describe(completeContract.name, () => {
  const postOf = (document: OpenAPIObject, path: string) => document.paths[path].post as unknown as Operation;
  const operation = (extra: object = {}): Operation => ({
    requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
    responses: {
      201: { description: 'made', headers: {} },
      409: {
        description: 'Error: `THING_TAKEN`',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
      },
    },
    ...extra,
  });

  it('adds the answers every operation may give, after the operation’s own codes for a status', () => {
    const sut = completeContract(documentWith('/v1/things', operation({ 'x-dispatch-restricted': true })));
    const op = postOf(sut, '/v1/things');
    expect(Object.keys(op.responses).sort()).toEqual(
      ['201', '400', '401', '403', '409', '413', '415', '429', '503'].sort(),
    );
    expect(op.responses['409'].description).toBe('Error: `THING_TAKEN`');
    expect(op.responses['400'].description).toBe(
      'Error: `VALIDATION_FAILED`, `MALFORMED_JSON`, `BAD_REQUEST`',
    );
    expect(op.responses['400'].content?.['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ErrorResponse',
    });
    expect(op.security).toEqual([{ bearer: [] }]);
    expect(op['x-dispatch-restricted']).toBeUndefined();
  });

  it('appends the common codes to a status the operation already answers, once each', () => {
    const own = operation();
    own.responses['503'] = {
      description: 'Error: `SERVICE_UNAVAILABLE`, `PAYMENT_PROVIDER_UNAVAILABLE`',
      headers: {},
    };
    const op = postOf(completeContract(documentWith('/v1/things', own)), '/v1/things');
    expect(op.responses['503'].description).toBe(
      'Error: `SERVICE_UNAVAILABLE`, `PAYMENT_PROVIDER_UNAVAILABLE`, `TRANSACTION_CONFLICT`',
    );
  });

  it('documents X-Correlation-Id on the request and every response, Retry-After on 429 and 503', () => {
    const op = postOf(completeContract(documentWith('/v1/things', operation())), '/v1/things');
    expect(op.parameters).toEqual([
      expect.objectContaining({ name: 'X-Correlation-Id', in: 'header', required: false }),
    ]);
    for (const [status, response] of Object.entries(op.responses)) {
      expect([status, response.headers!['X-Correlation-Id']]).toEqual([
        status,
        expect.objectContaining({ required: true }),
      ]);
      expect([status, 'Retry-After' in response.headers!]).toEqual([
        status,
        status === '429' || status === '503',
      ]);
    }
  });

  it('marks public operations with security: [] and gives them no 401', () => {
    const op = postOf(
      completeContract(documentWith('/v1/things', operation({ 'x-dispatch-public': true }))),
      '/v1/things',
    );
    expect(op.security).toEqual([]);
    expect(op.responses['401']).toBeUndefined();
  });

  it('leaves 429 off the health probes and the webhook, which skip the rate limit', () => {
    for (const path of ['/v1/health/live', '/v1/payments/webhook']) {
      const op = postOf(completeContract(documentWith(path, operation())), path);
      expect([path, op.responses['429']]).toEqual([path, undefined]);
    }
  });

  it('types numbers as integers, …At strings as date-time, and lets a nullable enum hold null', () => {
    const sut = completeContract(documentWith('/v1/things', operation()));
    const thing = (sut.components!.schemas!.Thing as Schema).properties;
    expect(thing.count).toEqual({ type: 'integer' });
    expect(thing.createdAt).toEqual({ type: 'string', format: 'date-time' });
    expect(thing.state.enum).toEqual(['a', 'b', null]);
  });
});
