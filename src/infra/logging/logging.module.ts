import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';

import { Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

import { AppConfig } from '../../config/app-config';
import { CorrelationContext } from './correlation-context';

/** Where log lines go: null means stdout. Tests override it to read the lines the app writes. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

@Global()
@Module({ providers: [{ provide: LOG_DESTINATION, useValue: null }], exports: [LOG_DESTINATION] })
class LogDestinationModule {}

function withDestination<T extends object>(destination: Writable | null, options: T): T | [T, Writable] {
  return destination ? [{ ...options, transport: undefined }, destination] : options;
}

@Module({
  imports: [
    LogDestinationModule,
    LoggerModule.forRootAsync({
      inject: [AppConfig, LOG_DESTINATION],
      useFactory: (config: AppConfig, destination: Writable | null) => ({
        forRoutes: ['{*path}'],
        pinoHttp: withDestination(destination, {
          level: config.log.level,
          transport: config.log.pretty
            ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
            : undefined,
          // Every line logged inside a request or job carries its correlation id (AsyncLocalStorage).
          mixin: () => {
            const correlationId = CorrelationContext.current();
            return correlationId ? { correlationId } : {};
          },
          redact: {
            paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["stripe-signature"]'],
            censor: '[redacted]',
          },
          serializers: {
            req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
            err || res.statusCode >= 500 ? 'error' : 'info',
        }),
      }),
    }),
  ],
})
export class LoggingModule {}
