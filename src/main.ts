import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';

import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { loadEnvFile } from './config/env-file';
import { loadConfig } from './config/load-config';
import { configureApp, createHttpAdapter } from './infra/http/configure-app';

async function bootstrap(): Promise<void> {
  loadEnvFile();
  // Validate before anything connects, so a bad environment stops the app with every problem listed.
  const config = loadConfig(process.env);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createHttpAdapter(config), {
    bufferLogs: true,
  });
  await configureApp(app, app.get(AppConfig));
  await app.listen(config.http.port, config.http.host);
}

bootstrap().catch((error: unknown) => {
  console.error(
    error instanceof Error ? (error.name === 'InvalidConfigError' ? error.message : error.stack) : error,
  );
  process.exit(1);
});
