import { AsyncResource } from 'node:async_hooks';

import type { FastifyInstance, FastifyRequest } from 'fastify';

import { CorrelationContext } from './correlation-context';

const scope = Symbol('correlationScope');
type ScopedRequest = FastifyRequest & { [scope]?: AsyncResource };

/**
 * Runs each request inside the CorrelationContext of its id (Fastify's request id, which the adapter's
 * genReqId takes from a well-formed X-Correlation-Id header or generates) and echoes it in the response.
 * Body parsing runs on socket callbacks outside the context, so the context is re-entered before
 * validation and the handler.
 */
export function registerCorrelationHooks(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request: ScopedRequest, reply, done) => {
    void reply.header('X-Correlation-Id', request.id);
    CorrelationContext.run(request.id, () => {
      const resource = new AsyncResource('dispatch-correlation');
      request[scope] = resource;
      resource.runInAsyncScope(done, request.raw);
    });
  });
  fastify.addHook('preValidation', (request: ScopedRequest, _reply, done) => {
    const resource = request[scope];
    if (resource) resource.runInAsyncScope(done, request.raw);
    else done();
  });
}
