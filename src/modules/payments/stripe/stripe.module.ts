import { Global, Module } from '@nestjs/common';

import { AppConfig } from '../../../config/app-config';
import { Metrics } from '../../../infra/metrics/metrics.service';
import { PAYMENT_GATEWAY } from './payment-gateway';
import { StripeClient } from './stripe.client';

/** Where the SDK talks to: api.stripe.com (live), or the configured URL (our fake, or stripe-mock). */
function endpointOf(
  apiUrl: string | undefined,
): { host: string; port: number; protocol: 'http' | 'https' } | null {
  if (!apiUrl) return null;
  const url = new URL(apiUrl);
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  return { host: url.hostname, port: Number(url.port || (protocol === 'https' ? 443 : 80)), protocol };
}

/** The payment provider: StripeClient behind the PaymentGateway port, for every module that moves money. */
@Global()
@Module({
  providers: [
    {
      provide: StripeClient,
      inject: [AppConfig, Metrics],
      useFactory: (config: AppConfig, metrics: Metrics) =>
        new StripeClient(
          config,
          metrics,
          config.stripe.mode === 'live' ? null : endpointOf(config.stripe.apiUrl),
        ),
    },
    { provide: PAYMENT_GATEWAY, useExisting: StripeClient },
  ],
  exports: [StripeClient, PAYMENT_GATEWAY],
})
export class StripeModule {}
