import type { IncomingMessage } from 'node:http';

import cookie from '@fastify/cookie';
import { NestFastifyApplication, FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';

import { AppConfig } from '../../config/app-config';
import { registerHttpMetrics } from '../metrics/metrics-endpoint';
import { Metrics } from '../metrics/metrics.service';
import { AppLogger } from '../logging/app-logger';
import { CORRELATION_HEADER, CorrelationContext } from '../logging/correlation-context';
import { registerCorrelationHooks } from '../logging/correlation-hooks';
import { registerRequestLog } from '../logging/request-log';
import { registerSecurityHeaders } from './security-headers';
import { completeContract, ErrorDetailsResponse, ErrorResponse, FieldErrorResponse } from './api-contract';
import { describeError } from './error-response';

export const API_PREFIX = 'v1';
/** Bull Board (modules/ops/bull-board): a browser UI, served outside API_PREFIX. */
export const BULL_BOARD_PATH = 'bull-board';

export function createHttpAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    // Fastify's own request logging is off: registerRequestLog writes one line per request.
    logger: false,
    routerOptions: { maxParamLength: 200 },
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => CorrelationContext.fromHeader(req.headers[CORRELATION_HEADER]),
    // The router's own errors (a path with a malformed %-escape) are answered before any Nest filter runs:
    // give them the API's error shape too, instead of Fastify's `{ error, code: 'FST_ERR_BAD_URL', ... }`.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const { status, code, fallbackMessage } = describeError(error);
      const correlationId = String(request.id);
      void reply
        .code(status)
        .header('X-Correlation-Id', correlationId)
        .send({ statusCode: status, code, message: fallbackMessage, correlationId });
    },
  });
}

/** Everything main.ts and the e2e tests must share so that tests boot exactly the shipped app. */
export async function configureApp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  app.useLogger(new AppLogger(app.get(Logger)));
  app.flushLogs();
  registerCorrelationHooks(app.getHttpAdapter().getInstance());
  registerRequestLog(app.getHttpAdapter().getInstance());
  registerHttpMetrics(app.getHttpAdapter().getInstance(), app.get(Metrics), config);
  app.setGlobalPrefix(API_PREFIX, { exclude: [`${BULL_BOARD_PATH}{/*path}`] });
  app.enableShutdownHooks();
  if (config.http.corsOrigins.length) app.enableCors({ origin: config.http.corsOrigins, credentials: true });
  // Signed cookies: the Bull Board login (browsers cannot send a Bearer header there).
  await app.register(cookie, { secret: config.auth.jwtSecret });
  registerSecurityHeaders(app.getHttpAdapter().getInstance());

  const document = completeContract(
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Dispatch API')
        .setDescription(
          'Order management: auth, catalog, orders, payments, operations. Errors always have the shape ' +
            'ErrorResponse with a stable `code`; each operation lists the codes it answers.',
        )
        .setVersion('1')
        .setLicense('UNLICENSED', 'https://spdx.org/licenses/')
        .addServer('/', 'the server that serves this document')
        .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
        .addTag('auth', 'Sign-up, sign-in, token refresh and sign-out')
        .addTag('users', 'The signed-in user’s profile and password')
        .addTag('catalog', 'Items for sale (reads are public and cached)')
        .addTag('orders', 'Placing, following and (admins) fulfilling, cancelling and refunding orders')
        .addTag('payments', 'Stripe webhooks')
        .addTag('documents', 'Invoices and CSV exports')
        .addTag('ops', 'The operator console (admins)')
        .addTag('health', 'Liveness, readiness and queue health')
        .build(),
      { extraModels: [ErrorResponse, ErrorDetailsResponse, FieldErrorResponse] },
    ),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
