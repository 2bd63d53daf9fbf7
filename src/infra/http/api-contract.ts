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

/**
 * The facts some errors carry in `details` (every other code has none). One object with optional fields rather
 * than one schema per code, so a generated client reads `details.from` without a cast; each field names the
 * codes that send it.
 */
export class ErrorDetailsResponse {
  @ApiPropertyOptional({
    description: 'ILLEGAL_ORDER_TRANSITION, ORDER_TRANSITION_REFUSED: the order’s status',
  })
  from?: string;
  @ApiPropertyOptional({
    description: 'ILLEGAL_ORDER_TRANSITION, ORDER_TRANSITION_REFUSED: the status asked for',
  })
  to?: string;
  @ApiPropertyOptional({ description: 'ORDER_TRANSITION_REFUSED: why (e.g. nothing captured)' })
  reason?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'INSUFFICIENT_STOCK, ORDER_ITEM_NOT_FOUND' })
  itemId?: string;
  @ApiPropertyOptional({ description: 'CURRENCY_NOT_SUPPORTED, ORDER_TOTAL_TOO_SMALL (ISO 4217)' })
  currency?: string;
  @ApiPropertyOptional({
    type: 'integer',
    description: 'ORDER_TOTAL_TOO_LARGE, ORDER_TOTAL_TOO_SMALL (minor units)',
  })
  totalCents?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'ORDER_TOTAL_TOO_LARGE (minor units)' })
  maxCents?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'ORDER_TOTAL_TOO_SMALL (minor units)' })
  minCents?: number;
  @ApiPropertyOptional({
    type: 'integer',
    description: 'REFUND_EXCEEDS_CAPTURED: the amount asked for (minor units)',
  })
  requested?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'REFUND_EXCEEDS_CAPTURED: what is still refundable' })
  refundable?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'ORDER_VERSION_CONFLICT' })
  expectedVersion?: number;
  @ApiPropertyOptional({ description: 'JOB_NOT_FAILED: the job’s state' })
  state?: string;
  @ApiPropertyOptional({ description: 'EXPORT_NOT_READY: the export’s status' })
  status?: string;
  @ApiPropertyOptional({ type: 'integer', description: 'ERP_REJECTED: the ERP’s HTTP status' })
  erpStatus?: number;
  @ApiPropertyOptional({ description: 'PAYMENT_PROVIDER_ERROR: Stripe’s error code' })
  providerCode?: string;
  @ApiPropertyOptional({
    description: 'SERVICE_UNAVAILABLE from /health/ready: up or down per dependency',
    type: 'object',
    additionalProperties: { type: 'string', enum: ['up', 'down'] },
  })
  checks?: Record<string, 'up' | 'down'>;
  @ApiPropertyOptional({
    type: [String],
    description: 'SERVICE_UNAVAILABLE from /health/queues: what is over a threshold',
  })
  problems?: string[];
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
      { $ref: getSchemaPath(ErrorDetailsResponse) },
    ],
  })
  details?: FieldErrorResponse[] | ErrorDetailsResponse;
  @ApiProperty({ description: 'the request’s correlation id (also in X-Correlation-Id)' })
  correlationId: string;
}

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 422 | 502 | 503;

export interface ContractOptions {
  summary: string;
  description?: string;
  /** The stable error codes this operation answers beyond those every operation may (see completeContract). */
  errors?: Partial<Record<ErrorStatus, string[]>>;
}

const listCodes = (codes: string[]) => codes.map((code) => `\`${code}\``).join(', ');

const errorResponseObject = (codes: string[]): Json => ({
  description: `Error: ${listCodes(codes)}`,
  content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorResponse) } } },
});

const errorResponse = (status: number, codes: string[]) =>
  ApiResponse({ status, description: `Error: ${listCodes(codes)}`, type: ErrorResponse });

/** Summary, description and the operation's own error answers (with their codes) in the OpenAPI document. */
export function ApiContract(options: ContractOptions): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiOperation({ summary: options.summary, description: options.description }),
    ...Object.entries(options.errors ?? {}).map(([status, codes]) => errorResponse(Number(status), codes!)),
  );
}

/** A binary answer (a PDF, a CSV) of the given media type. */
export const ApiBinaryResponse = (mediaType: string, description: string, status = 200) =>
  ApiResponse({
    status,
    description,
    content: { [mediaType]: { schema: { type: 'string', format: 'binary' } } },
  });

/** Marks an operation (or controller) that needs no access token: `security: []` in the document. */
export const ApiPublic = () => ApiExtension('x-dispatch-public', true);
/** Marks an operation (or controller) limited to some roles: it may answer 403 FORBIDDEN. */
export const ApiRestricted = () => ApiExtension('x-dispatch-restricted', true);

type Json = Record<string, unknown>;
const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const CORRELATION_HEADER = {
  required: true,
  description:
    'The request’s correlation id: the client’s own when well-formed (8–128 of A-Z a-z 0-9 . _ : -), else a new one',
  schema: { type: 'string' },
};
const CORRELATION_PARAMETER = {
  name: 'X-Correlation-Id',
  in: 'header',
  required: false,
  description:
    'Optional: ties the request to the client’s own logs; echoed on the response and in every log line',
  schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{8,128}$' },
};
const RETRY_AFTER = { description: 'Seconds to wait before retrying', schema: { type: 'integer' } };

/**
 * Adds to every operation what every operation of Dispatch may answer, so the document says it once here and
 * not at 40 call sites: 400 for invalid input, 401/403 by its security, 413/415 for a body, 429, 503 (with
 * Retry-After), X-Correlation-Id on every request (optional) and response, `security: []` on public operations. Every number on the
 * wire is an integer (amounts in minor units, counts, pages), every `…At` string a date-time, and a nullable
 * enum lists null.
 */
export function completeContract(document: OpenAPIObject): OpenAPIObject {
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
      // An operation's own codes for a status come first; the ones every operation may answer are appended.
      const add = (status: number, codes: string[]) => {
        const own = responses[status];
        if (!own) {
          responses[status] = errorResponseObject(codes);
          return;
        }
        const extra = codes.filter((code) => !String(own.description).includes(`\`${code}\``));
        if (extra.length) own.description = `${String(own.description)}, ${listCodes(extra)}`;
      };
      if (ops.requestBody || ops.parameters?.length)
        add(400, ['VALIDATION_FAILED', 'MALFORMED_JSON', 'BAD_REQUEST']);
      if (!isPublic) add(401, ['UNAUTHENTICATED', 'INVALID_ACCESS_TOKEN']);
      if (restricted) add(403, ['FORBIDDEN']);
      if (ops.requestBody) {
        add(413, ['PAYLOAD_TOO_LARGE']);
        add(415, ['UNSUPPORTED_MEDIA_TYPE']);
      }
      if (!route.includes('/health/') && !route.endsWith('/payments/webhook')) add(429, ['RATE_LIMITED']);
      add(503, ['SERVICE_UNAVAILABLE', 'TRANSACTION_CONFLICT']);
      for (const [status, response] of Object.entries(responses)) {
        const retry = status === '429' || status === '503' ? { 'Retry-After': RETRY_AFTER } : {};
        response.headers = {
          'X-Correlation-Id': CORRELATION_HEADER,
          ...retry,
          ...((response.headers as Json) ?? {}),
        };
      }
      op.responses = responses;
      ops.parameters = [...(ops.parameters ?? []), CORRELATION_PARAMETER];
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
