import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { FieldError } from '../errors/common.errors';
import { Language, pickLanguage } from '../i18n/language';
import { localisedMessage } from '../i18n/messages';
import { CorrelationContext } from '../logging/correlation-context';
import { describeError } from './error-response';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: unknown;
  correlationId: string;
}

/**
 * The one place errors become HTTP responses: `{ statusCode, code, message, details?, correlationId }`,
 * with the message localised by Accept-Language. Unknown errors are logged with their stack once, here.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const lang = pickLanguage(request.headers['accept-language']);
    const problem = describeError(exception);
    const correlationId = String(request.id ?? CorrelationContext.current());

    if (problem.code === 'SERVICE_UNAVAILABLE') {
      this.logger.warn(
        { err: exception, correlationId, url: request.url },
        'dependency unavailable: answered 503',
      );
    }
    if (problem.unexpected) {
      this.logger.error({ err: exception, correlationId, url: request.url }, 'unhandled error');
    }

    const body: ErrorBody = {
      statusCode: problem.status,
      code: problem.code,
      message: localisedMessage('errors', problem.code, lang, problem.fallbackMessage, problem.params),
      correlationId,
    };
    if (problem.details !== undefined) {
      body.details =
        problem.code === 'VALIDATION_FAILED' ? this.localiseFields(problem.details, lang) : problem.details;
    }
    if (!reply.sent) {
      if (problem.status === 503) void reply.header('Retry-After', '1');
      void reply.header('X-Correlation-Id', correlationId).status(problem.status).send(body);
    }
  }

  private localiseFields(details: unknown, lang: Language): FieldError[] {
    return (details as FieldError[]).map((f) => ({
      ...f,
      message: localisedMessage('validation', f.code, lang, f.message, { field: f.field }),
    }));
  }
}
