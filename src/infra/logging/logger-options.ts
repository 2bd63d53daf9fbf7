import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Options } from 'pino-http';

import { AppConfig } from '../../config/app-config';
import { CorrelationContext } from './correlation-context';

/** pino (and pino-http) options of every Dispatch process: the boot logger and LoggingModule share them. */
export function pinoHttpOptions(config: Pick<AppConfig, 'log'>): Options {
  return {
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
  };
}
