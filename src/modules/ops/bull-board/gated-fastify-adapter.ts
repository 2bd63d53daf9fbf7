import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyPluginCallback, onRequestAsyncHookHandler } from 'fastify';

/**
 * Bull Board's Fastify adapter with `hook` added in front of every route of its plugin. The hook lives in the
 * plugin's own encapsulated context, so it covers exactly Bull Board's page, API and static routes whatever
 * the registration order, and none of the app's. (The `middleware` option of @bull-board/nestjs is applied
 * as Nest middleware to the base route only, which on Fastify leaves `/api/...` unguarded.)
 */
export function gatedFastifyAdapter(hook: onRequestAsyncHookHandler): new () => FastifyAdapter {
  return class GatedFastifyAdapter extends FastifyAdapter {
    override registerPlugin(): FastifyPluginCallback {
      const plugin = super.registerPlugin();
      return (fastify, options, done) => {
        fastify.addHook('onRequest', hook);
        plugin(fastify, options, done);
      };
    }
  };
}
