import type { IncomingMessage } from 'node:http';

import helmet from '@fastify/helmet';
import { NestFastifyApplication, FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';

import { AppConfig } from '../../config/app-config';
import { CORRELATION_HEADER, CorrelationContext } from '../logging/correlation-context';
import { registerCorrelationHooks } from '../logging/correlation-hooks';

export const API_PREFIX = 'v1';

export function createHttpAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    // Fastify's own request logging is off: pino-http (nestjs-pino) does it.
    logger: false,
    routerOptions: { maxParamLength: 200 },
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => CorrelationContext.fromHeader(req.headers[CORRELATION_HEADER]),
  });
}

/** Everything main.ts and the e2e tests must share so that tests boot exactly the shipped app. */
export async function configureApp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  app.useLogger(app.get(Logger));
  app.flushLogs();
  registerCorrelationHooks(app.getHttpAdapter().getInstance());
  app.setGlobalPrefix(API_PREFIX);
  app.enableShutdownHooks();
  if (config.http.corsOrigins.length) app.enableCors({ origin: config.http.corsOrigins, credentials: true });
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // Swagger UI at /docs needs inline styles and its bundled scripts.
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Dispatch API')
      .setDescription('Order management: auth, catalog, orders, payments, operations')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
