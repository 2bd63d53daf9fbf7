import { LoggerService } from '@nestjs/common';
import { Logger, PinoLogger } from 'nestjs-pino';

import { AppConfig } from '../../config/app-config';
import { pinoHttpOptions } from './logger-options';

/**
 * Nest's own boot chatter: a line per module initialised, per controller and per route mapped (~90 in all)
 * and "application started". Debug detail: the process's boot line (bootstrap.ts) says what an operator needs.
 */
const BOOT_CHATTER = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);
/** Nest logs a failed boot here before rethrowing it; bootstrap.ts logs that failure once, as fatal. */
const BOOT_FAILURE_ECHO = 'ExceptionHandler';

const contextOf = (params: unknown[]): unknown => params[params.length - 1];

/**
 * The logger Nest is given (app.useLogger): nestjs-pino's, with Nest's boot chatter moved to debug.
 * `forBoot` builds one before the application exists, so Nest's lines from the very first are the same
 * JSON (or pretty) lines as the rest, and a boot that fails says so in that format too.
 */
export class AppLogger implements LoggerService {
  constructor(private readonly inner: Logger) {}

  static forBoot(config: Pick<AppConfig, 'log'>): AppLogger {
    // The first PinoLogger made sets nestjs-pino's root logger, which LoggingModule then reuses.
    return new AppLogger(new Logger(new PinoLogger({ pinoHttp: pinoHttpOptions(config) }), {}));
  }

  log(message: unknown, ...params: unknown[]): void {
    if (BOOT_CHATTER.has(contextOf(params) as string)) this.inner.debug(message, ...params);
    else this.inner.log(message, ...params);
  }

  error(message: unknown, ...params: unknown[]): void {
    if (contextOf(params) === BOOT_FAILURE_ECHO) this.inner.debug(message, ...params);
    else this.inner.error(message, ...params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.inner.warn(message, ...params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.inner.debug(message, ...params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.inner.verbose(message, ...params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.inner.fatal(message, ...params);
  }
}
