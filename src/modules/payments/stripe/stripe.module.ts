import { Global, Inject, Logger, Module, OnApplicationShutdown, Optional } from '@nestjs/common';

import { AppConfig } from '../../../config/app-config';
import { Metrics } from '../../../infra/metrics/metrics.service';
import { FakeStripeServer } from './fake/fake-stripe.server';
import { StripeClient } from './stripe.client';

/** The in-process fake Stripe this process started (null when another process already serves the port). */
export const FAKE_STRIPE = Symbol('FAKE_STRIPE');

function isAddressInUse(error: unknown): boolean {
  return (error as { code?: string })?.code === 'EADDRINUSE';
}

@Global()
@Module({
  providers: [
    {
      provide: FAKE_STRIPE,
      inject: [AppConfig],
      useFactory: async (config: AppConfig): Promise<FakeStripeServer | null> => {
        if (config.stripe.mode !== 'fake') return null;
        try {
          const server = await FakeStripeServer.start({ port: config.stripe.fakePort });
          server.configureWebhook({
            url: `http://127.0.0.1:${config.http.port}/v1/payments/webhook`,
            secret: config.stripe.webhookSecret,
          });
          return server;
        } catch (error) {
          // api and worker started separately: the first one serves the fake, the other uses it.
          if (isAddressInUse(error)) {
            new Logger('StripeModule').log(
              { port: config.stripe.fakePort },
              'using the fake Stripe of another process',
            );
            return null;
          }
          throw error;
        }
      },
    },
    {
      provide: StripeClient,
      inject: [AppConfig, Metrics, FAKE_STRIPE],
      useFactory: (config: AppConfig, metrics: Metrics, fake: FakeStripeServer | null) => {
        if (config.stripe.mode === 'fake') {
          return new StripeClient(config, metrics, {
            host: '127.0.0.1',
            port: fake?.port ?? config.stripe.fakePort,
            protocol: 'http',
          });
        }
        if (config.stripe.mode === 'mock' && config.stripe.apiUrl) {
          const url = new URL(config.stripe.apiUrl);
          const protocol = url.protocol === 'https:' ? 'https' : 'http';
          return new StripeClient(config, metrics, {
            host: url.hostname,
            port: Number(url.port || (protocol === 'https' ? 443 : 80)),
            protocol,
          });
        }
        return new StripeClient(config, metrics, null);
      },
    },
  ],
  exports: [StripeClient, FAKE_STRIPE],
})
export class StripeModule implements OnApplicationShutdown {
  constructor(@Optional() @Inject(FAKE_STRIPE) private readonly fake: FakeStripeServer | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.fake?.stop();
  }
}
