import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

import { AppConfig } from '../../config/app-config';
import { CorrelationContext } from './correlation-context';

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        forRoutes: ['{*path}'],
        pinoHttp: {
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
          customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
        },
      }),
    }),
  ],
})
export class LoggingModule {}
