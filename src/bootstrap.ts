import 'reflect-metadata';

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';

import { AppExtensions, AppModule, ProcessRole } from './app.module';
import { AppConfig } from './config/app-config';
import { fallbackLogConfig, loadProcessConfig } from './config/load-config';
import { configureApp, createHttpAdapter } from './infra/http/configure-app';
import { AppLogger } from './infra/logging/app-logger';
import { BootReport, bootFailureLine, bootLine } from './infra/logging/boot-report';
import { startWorkerMetricsServer } from './infra/metrics/metrics-endpoint';
import { Metrics } from './infra/metrics/metrics.service';
import { Logger } from 'nestjs-pino';

/**
 * Development tooling (src/dev) for a process whose configuration asks for a fake, the seed or failpoints.
 * Required by a computed path so that the production build, which leaves src/dev out, does not follow it.
 */
function loadDevTooling(config: AppConfig, role: ProcessRole): AppExtensions {
  if (!config.dev.enabled) return {};
  const entry = path.join(__dirname, 'dev', 'dev-tooling');
  let devTooling: (config: AppConfig, role: ProcessRole) => AppExtensions;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the one optional module, see above
    ({ devTooling } = require(entry) as { devTooling: typeof devTooling });
  } catch (error) {
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND' && String(error).includes(entry)) {
      throw new Error(
        'This is a production build, without development tooling (src/dev): set STRIPE_MODE=live or mock, ' +
          'ERP_MODE=http, SMTP_CAPTURE=false and SEED_TEST_DATA=false, or run a development build (npm run build:dev)',
      );
    }
    throw error;
  }
  return devTooling(config, role);
}

/** Where a Node server listens, as a base URL (a wildcard address is shown as the loopback one). */
function serverUrl(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  const host = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Starts one Dispatch process. Shared by main.ts (api), worker.ts and all.ts. */
export async function bootstrap(role: ProcessRole, config: AppConfig, logger: AppLogger): Promise<void> {
  const modules = AppModule.forRole(role, loadDevTooling(config, role));
  // abortOnError: false, so a failed boot reaches run() (one fatal line) instead of Nest's process.exit.
  if (role === 'worker') {
    const app = await NestFactory.createApplicationContext(modules, { logger, abortOnError: false });
    app.useLogger(new AppLogger(app.get(Logger)));
    app.enableShutdownHooks();
    await app.init();
    const metricsServer = await startWorkerMetricsServer(app.get(Metrics), config);
    process.once('SIGTERM', () => metricsServer.close());
    announce(app.get(BootReport), role, { metrics: `${serverUrl(metricsServer)}/metrics` });
    return;
  }
  const app = await NestFactory.create<NestFastifyApplication>(modules, createHttpAdapter(config), {
    logger,
    abortOnError: false,
    rawBody: true,
  });
  await configureApp(app, app.get(AppConfig));
  await app.listen(config.http.port, config.http.host);
  announce(app.get(BootReport), role, { apiBase: serverUrl(app.getHttpServer()) });
}

function announce(report: BootReport, role: ProcessRole, listening: Parameters<typeof bootLine>[1]): void {
  const { fields, message } = bootLine(role, listening, report.entries());
  new NestLogger('Bootstrap').log(fields, message);
}

/** Boots the process; a boot that fails logs one fatal line (in the configured format) and exits 1. */
export function run(role: ProcessRole): void {
  let config: AppConfig;
  try {
    // Validate before anything connects, so a bad environment stops the process with every problem listed.
    config = loadProcessConfig();
  } catch (error) {
    fail(AppLogger.forBoot(fallbackLogConfig()), error);
  }
  const logger = AppLogger.forBoot(config);
  // A crash still ends the process, as Node's default does, but as a log line rather than a raw stack.
  const crash = (error: unknown) => {
    logger.fatal(
      { err: error },
      `process crashed: ${error instanceof Error ? error.message : String(error)}`,
      'Bootstrap',
    );
    process.exit(1);
  };
  process.once('uncaughtException', crash);
  process.once('unhandledRejection', crash);
  bootstrap(role, config, logger).catch((error: unknown) => fail(logger, error));
}

function fail(logger: AppLogger, error: unknown): never {
  const { fields, message } = bootFailureLine(error);
  logger.fatal(fields, message, 'Bootstrap');
  // pino flushes on exit; open connections (a pool, reconnecting Redis clients) must not keep the process.
  process.exit(1);
}
