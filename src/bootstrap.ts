import 'reflect-metadata';

import path from 'node:path';

import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';

import { AppExtensions, AppModule, ProcessRole } from './app.module';
import { AppConfig } from './config/app-config';
import { loadProcessConfig } from './config/load-config';
import { configureApp, createHttpAdapter } from './infra/http/configure-app';
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

/** Starts one Dispatch process. Shared by main.ts (api), worker.ts and all.ts. */
export async function bootstrap(role: ProcessRole): Promise<void> {
  // Validate before anything connects, so a bad environment stops the process with every problem listed.
  const config = loadProcessConfig();
  if (role === 'worker') {
    const app = await NestFactory.createApplicationContext(
      AppModule.forRole(role, loadDevTooling(config, role)),
      { bufferLogs: true },
    );
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
    AppModule.forRole(role, loadDevTooling(config, role)),
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
