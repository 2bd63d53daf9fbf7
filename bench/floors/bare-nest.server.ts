/** The floor with Nest: a bare Nest + Fastify hello route on this machine (`node bare-nest.server.js PORT`). */
import 'reflect-metadata';

import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';

@Controller()
class HelloController {
  @Get()
  hello(): { status: string } {
    return { status: 'ok' };
  }
}

@Module({ controllers: [HelloController] })
class HelloModule {}

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const app = await NestFactory.create<NestFastifyApplication>(HelloModule, new FastifyAdapter(), {
    logger: false,
  });
  await app.listen(port, '127.0.0.1');
  process.stdout.write(`bare nest listening on ${port}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
