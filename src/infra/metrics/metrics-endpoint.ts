import { timingSafeEqual } from 'node:crypto';
import { createServer, Server } from 'node:http';

import type { FastifyInstance } from 'fastify';

import { AppConfig } from '../../config/app-config';
import { Metrics } from './metrics.service';

/** True when no token is configured (development) or the request carries `Authorization: Bearer <token>`. */
export function metricsAuthorized(config: AppConfig, authorization: string | undefined): boolean {
  const token = config.metrics.token;
  if (!token) return true;
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(authorization ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * api processes: `/metrics` on the api port (outside /v1), and an HTTP latency histogram fed by every
 * response, labelled by route pattern (never the raw URL, which would explode cardinality).
 */
export function registerHttpMetrics(fastify: FastifyInstance, metrics: Metrics, config: AppConfig): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route !== '/metrics') {
      metrics.httpDuration.observe(
        { method: request.method, route, status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    }
    done();
  });
  fastify.get('/metrics', async (request, reply) => {
    if (!metricsAuthorized(config, request.headers.authorization)) {
      return reply.status(401).send({
        statusCode: 401,
        code: 'UNAUTHENTICATED',
        message: 'metrics token required',
        correlationId: request.id,
      });
    }
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });
}

/** Worker processes have no HTTP api: they serve `/metrics` on METRICS_PORT (9464 by default). */
export function startWorkerMetricsServer(metrics: Metrics, config: AppConfig): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    if (!metricsAuthorized(config, req.headers.authorization)) {
      res.writeHead(401).end();
      return;
    }
    metrics
      .render()
      .then(({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body))
      .catch(() => res.writeHead(500).end());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.metrics.workerPort, config.http.host, () => resolve(server));
  });
}
