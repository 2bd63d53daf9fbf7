import type { FastifyInstance } from 'fastify';
import { PinoLogger } from 'nestjs-pino';

/**
 * One `request completed` line per request (info; error for a 5xx), written from Fastify's onResponse hook with
 * the process's root logger: `{ req: { method, url }, res: { statusCode }, responseTime, correlationId }`.
 * It replaces pino-http's middleware, which ran through Nest's middleware layer (@fastify/middie), built a child
 * logger and entered an AsyncLocalStorage scope for every request; lines logged inside a request get their
 * correlation id from CorrelationContext (the logger's mixin) either way.
 */
export function registerRequestLog(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const logger = PinoLogger.root;
    const statusCode = reply.statusCode;
    const level = statusCode >= 500 ? 'error' : 'info';
    if (logger?.isLevelEnabled(level)) {
      logger[level](
        {
          req: { method: request.method, url: request.url },
          res: { statusCode },
          responseTime: Math.round(reply.elapsedTime),
          correlationId: request.id,
        },
        'request completed',
      );
    }
    done();
  });
}
