import type { Writable } from 'node:stream';

import { Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

import { AppConfig } from '../../config/app-config';
import { BootReport } from './boot-report';
import { pinoHttpOptions } from './logger-options';

/** Where log lines go: null means stdout. Tests override it to read the lines the app writes. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

@Global()
@Module({
  providers: [{ provide: LOG_DESTINATION, useValue: null }, BootReport],
  exports: [LOG_DESTINATION, BootReport],
})
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
        // No pino-http middleware on any route: registerRequestLog (configureApp) writes the request lines.
        forRoutes: [],
        pinoHttp: withDestination(destination, pinoHttpOptions(config)),
      }),
    }),
  ],
})
export class LoggingModule {}
