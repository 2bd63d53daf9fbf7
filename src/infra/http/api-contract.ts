import { applyDecorators } from '@nestjs/common';
import {
  ApiExtension,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';

/** One entry of `details` of a 400 VALIDATION_FAILED: which field broke which rule. */
export class FieldErrorResponse {
  @ApiProperty({ example: 'items.0.quantity' }) field: string;
  @ApiProperty({ example: 'isInt', description: 'the rule (stable, machine-readable)' }) code: string;
  @ApiProperty() message: string;
}

/** The body of every error answer. */
export class ErrorResponse {
  @ApiProperty({ type: 'integer', example: 409 }) statusCode: number;
  @ApiProperty({
    example: 'ILLEGAL_ORDER_TRANSITION',
    description: 'stable, machine-readable; listed per operation',
  })
  code: string;
  @ApiProperty({ description: 'human-readable, in English or Brazilian Portuguese by Accept-Language' })
  message: string;
  @ApiPropertyOptional({
    description:
      'VALIDATION_FAILED: one entry per field and rule; other codes: an object with the facts of the error ' +
      '(e.g. { from, to } of an illegal transition, { requested, refundable } of a refund)',
    oneOf: [
      { type: 'array', items: { $ref: getSchemaPath(FieldErrorResponse) } },
      { type: 'object', additionalProperties: true },
    ],
  })
  details?: FieldErrorResponse[] | Record<string, unknown>;
  @ApiProperty({ description: 'the request’s correlation id (also in X-Correlation-Id)' })
  correlationId: string;
}

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 502 | 503;

export interface ContractOptions {
  summary: string;
  description?: string;
  /** The stable error codes this operation answers beyond those every operation may (see completeContract). */
  errors?: Partial<Record<ErrorStatus, string[]>>;
}

const errorResponse = (status: number, codes: string[]) =>
  ApiResponse({
    status,
    description: `Error: ${codes.map((code) => `\`${code}\``).join(', ')}`,
    type: ErrorResponse,
  });

/** Summary, description and the operation's own error answers (with their codes) in the OpenAPI document. */
export function ApiContract(options: ContractOptions): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiOperation({ summary: options.summary, description: options.description }),
    ...Object.entries(options.errors ?? {}).map(([status, codes]) => errorResponse(Number(status), codes!)),
  );
}

/** Marks an operation (or controller) that needs no access token: `security: []` in the document. */
export const ApiPublic = () => ApiExtension('x-dispatch-public', true);
/** Marks an operation (or controller) limited to some roles: it may answer 403 FORBIDDEN. */
export const ApiRestricted = () => ApiExtension('x-dispatch-restricted', true);

type Json = Record<string, unknown>;
const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const CORRELATION_HEADER = {
  description:
    'The request’s correlation id: the client’s own when well-formed (8–128 of A-Z a-z 0-9 . _ : -), else a new one',
  schema: { type: 'string' },
};
const RETRY_AFTER = { description: 'Seconds to wait before retrying', schema: { type: 'integer' } };

/**
 * Adds to every operation what every operation of Dispatch may answer, so the document says it once here and
 * not at 40 call sites: 400 for invalid input, 401/403 by its security, 413/415 for a body, 429, 503 (with
 * Retry-After), X-Correlation-Id on every response, `security: []` on public operations. Every number on the
 * wire is an integer (amounts in minor units, counts, pages), every `…At` string a date-time, and a nullable
 * enum lists null.
 */
export function completeContract(document: OpenAPIObject): OpenAPIObject {
  const error = (description: string, headers: Json = {}) => ({
    description,
    headers: { 'X-Correlation-Id': CORRELATION_HEADER, ...headers },
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorResponse) } } },
  });
  for (const [route, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const op = (item as Json)[method] as Json | undefined;
      if (!op) continue;
      const responses = (op.responses ?? {}) as Record<string, Json>;
      const ops = op as Json & { parameters?: Json[]; requestBody?: Json };
      const isPublic = Boolean(op['x-dispatch-public']);
      delete op['x-dispatch-public'];
      const restricted = Boolean(op['x-dispatch-restricted']);
      delete op['x-dispatch-restricted'];
      if (isPublic) op.security = [];
      else if (!op.security) op.security = [{ bearer: [] }];
      const add = (status: string, description: string, headers?: Json) => {
        if (!responses[status]) responses[status] = error(description, headers);
      };
      if (ops.requestBody || ops.parameters?.length)
        add('400', 'Error: `VALIDATION_FAILED`, `MALFORMED_JSON`, `BAD_REQUEST`');
      if (!isPublic)
        add('401', 'Error: `UNAUTHENTICATED`, `INVALID_ACCESS_TOKEN` (missing, invalid, expired or revoked)');
      if (restricted) add('403', 'Error: `FORBIDDEN` (the caller’s role may not do this)');
      if (ops.requestBody) {
        add('413', 'Error: `PAYLOAD_TOO_LARGE` (body over 64 KB)');
        add('415', 'Error: `UNSUPPORTED_MEDIA_TYPE`');
      }
      if (!route.includes('/health/') && !route.endsWith('/payments/webhook'))
        add('429', 'Error: `RATE_LIMITED`', { 'Retry-After': RETRY_AFTER });
      add('503', 'Error: `SERVICE_UNAVAILABLE` (Postgres or Redis unreachable), `TRANSACTION_CONFLICT`', {
        'Retry-After': RETRY_AFTER,
      });
      for (const response of Object.values(responses)) {
        response.headers = { 'X-Correlation-Id': CORRELATION_HEADER, ...((response.headers as Json) ?? {}) };
      }
      op.responses = responses;
    }
  }
  normaliseSchemas(document);
  return document;
}

function normaliseSchemas(node: unknown, key?: string): void {
  if (Array.isArray(node)) {
    for (const child of node) normaliseSchemas(child);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const schema = node as Json;
  if (schema.type === 'number') schema.type = 'integer';
  if (schema.type === 'string' && key && /At$/.test(key) && !schema.format) schema.format = 'date-time';
  if (schema.nullable === true && Array.isArray(schema.enum) && !schema.enum.includes(null))
    schema.enum.push(null);
  for (const [childKey, child] of Object.entries(schema)) {
    if (childKey === 'properties' && child && typeof child === 'object') {
      for (const [name, property] of Object.entries(child as Json)) normaliseSchemas(property, name);
    } else {
      normaliseSchemas(child);
    }
  }
}
