import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';

import { AppModule, ProcessRole } from './app.module';
import { AppConfig } from './config/app-config';
import { loadProcessConfig } from './config/load-config';
import { configureApp, createHttpAdapter } from './infra/http/configure-app';
import { startWorkerMetricsServer } from './infra/metrics/metrics-endpoint';
import { Metrics } from './infra/metrics/metrics.service';
import { Logger } from 'nestjs-pino';

/** Starts one Dispatch process. Shared by main.ts (api), worker.ts and all.ts. */
export async function bootstrap(role: ProcessRole): Promise<void> {
  // Validate before anything connects, so a bad environment stops the process with every problem listed.
  const config = loadProcessConfig();
  if (role === 'worker') {
    const app = await NestFactory.createApplicationContext(AppModule.forRole(role), { bufferLogs: true });
    app.useLogger(app.get(Logger));
    app.flushLogs();
    app.enableShutdownHooks();
    await app.init();
    const metricsServer = await startWorkerMetricsServer(app.get(Metrics), config);
    process.once('SIGTERM', () => metricsServer.close());
    app.get(Logger).log('worker started', 'Bootstrap');
    return;
  }
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRole(role),
    createHttpAdapter(config),
    {
      bufferLogs: true,
      rawBody: true,
    },
  );
  await configureApp(app, app.get(AppConfig));
  await app.listen(config.http.port, config.http.host);
}

export function run(role: ProcessRole): void {
  bootstrap(role).catch((error: unknown) => {
    console.error(
      error instanceof Error ? (error.name === 'InvalidConfigError' ? error.message : error.stack) : error,
    );
    process.exit(1);
  });
}
