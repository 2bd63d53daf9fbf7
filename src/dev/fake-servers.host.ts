import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';

import { AppConfig } from '../config/app-config';
import { BootReport } from '../infra/logging/boot-report';
import { FakeServers } from './fakes/fake-servers';

/**
 * DEV_SERVE_FAKES=true: this process runs the fakes on their configured ports (the process of a development
 * setup that was told to; every other process uses them over the network at the same endpoints). A port
 * already taken stops the start with a message saying so, never a silent "someone else has it".
 */
@Injectable()
export class FakeServersHost implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(FakeServersHost.name);
  private servers?: FakeServers;

  constructor(
    private readonly config: AppConfig,
    private readonly bootReport: BootReport,
  ) {}

  async onModuleInit(): Promise<void> {
    const { dev, stripe, erp, mail, http } = this.config;
    try {
      this.servers = await FakeServers.start({
        stripe: dev.stripe
          ? {
              port: dev.stripe.port,
              webhook: {
                url: `http://127.0.0.1:${http.port}/v1/payments/webhook`,
                secret: stripe.webhookSecret,
              },
            }
          : undefined,
        erp: dev.erp ? { port: dev.erp.port, username: erp.username, password: erp.password } : undefined,
        smtp: dev.smtpCapture
          ? { port: mail.port, apiPort: Number(new URL(dev.smtpCapture.apiUrl).port) }
          : undefined,
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'EADDRINUSE') {
        throw new Error(
          `A fake's port is taken (${(error as Error).message}): another process already serves the fakes. ` +
            'Set DEV_SERVE_FAKES=false on every process but one.',
        );
      }
      throw error;
    }
    const urls = {
      fakeStripe: this.servers.stripe?.url,
      fakeErp: this.servers.erp ? `http://127.0.0.1:${this.servers.erp.port}` : undefined,
      smtpCapture: this.servers.smtp ? `smtp://127.0.0.1:${this.servers.smtp.port}` : undefined,
      mailbox: this.servers.smtpApi?.url,
    };
    // The process's boot line lists them (bootstrap.ts); this is the detail.
    for (const [name, url] of Object.entries(urls)) if (url) this.bootReport.add(name, url);
    this.logger.debug(urls, 'development fakes started (not for production)');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.servers?.stop();
  }
}
