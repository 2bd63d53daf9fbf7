import { ConsoleLogger, LogLevel } from '@nestjs/common';

import { AppConfig } from '../config/app-config';

/**
 * Nest's console logger writing every line to stderr, so that stdout carries only the command's output
 * (`--json` stays parseable). Warnings and errors only, unless LOG_LEVEL asks for debug or trace.
 */
export class StderrLogger extends ConsoleLogger {
  constructor(config: AppConfig) {
    const level = config.log.level;
    const levels: LogLevel[] =
      level === 'silent'
        ? []
        : level === 'debug' || level === 'trace'
          ? ['fatal', 'error', 'warn', 'log', 'debug', 'verbose']
          : ['fatal', 'error', 'warn'];
    super({ logLevels: levels });
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    _writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    super.printMessages(messages, context, logLevel, 'stderr', errorStack);
  }
}
