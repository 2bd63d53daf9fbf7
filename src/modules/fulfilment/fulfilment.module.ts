import { Inject, Logger, Module, OnApplicationShutdown, Optional } from '@nestjs/common';

import { AppConfig } from '../../config/app-config';
import { Metrics } from '../../infra/metrics/metrics.service';
import { CircuitBreaker, CircuitState } from '../../infra/resilience/circuit-breaker';
import { OrdersModule } from '../orders/orders.module';
import { UsersModule } from '../users/users.module';
import { ErpClient } from './erp.client';
import { ERP_CLIENT, ErpSubmissionService } from './erp-submission.service';
import { FakeErpServer } from './fake/fake-erp.server';
import { ErpUnavailableError } from './fulfilment.errors';

const CIRCUIT_GAUGE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.HalfOpen]: 1,
  [CircuitState.Open]: 2,
};

/** The in-process fake ERP this process started (ERP_MODE=fake; null when another process serves it). */
export const FAKE_ERP = Symbol('FAKE_ERP');

@Module({
  imports: [OrdersModule, UsersModule],
  providers: [
    {
      provide: FAKE_ERP,
      inject: [AppConfig],
      useFactory: async (config: AppConfig): Promise<FakeErpServer | null> => {
        if (config.erp.mode !== 'fake') return null;
        try {
          return await FakeErpServer.start({
            port: config.erp.fakePort,
            username: config.erp.username,
            password: config.erp.password,
          });
        } catch (error) {
          if ((error as { code?: string }).code === 'EADDRINUSE') return null;
          throw error;
        }
      },
    },
    {
      provide: ERP_CLIENT,
      inject: [AppConfig, Metrics, FAKE_ERP],
      useFactory: (config: AppConfig, metrics: Metrics, fake: FakeErpServer | null) => {
        const logger = new Logger(ErpClient.name);
        const breaker = new CircuitBreaker({
          name: 'erp',
          failureThreshold: config.erp.breakerFailures,
          openMs: config.erp.breakerOpenMs,
          // Only "the ERP is not answering properly" trips the breaker; a rejected order does not.
          isFailure: (error) => error instanceof ErpUnavailableError,
          onStateChange: (state, previous) => {
            logger.warn({ state, previous }, 'ERP circuit changed state');
            metrics.circuitState.set({ circuit: 'erp' }, CIRCUIT_GAUGE[state]);
          },
        });
        metrics.circuitState.set({ circuit: 'erp' }, CIRCUIT_GAUGE[breaker.state]);
        const baseUrl =
          config.erp.mode === 'fake'
            ? `http://127.0.0.1:${fake?.port ?? config.erp.fakePort}`
            : config.erp.url!;
        return new ErpClient({
          baseUrl,
          username: config.erp.username,
          password: config.erp.password,
          timeoutMs: config.erp.timeoutMs,
          breaker,
          logger: { log: (f, m) => logger.log(f, m), warn: (f, m) => logger.warn(f, m) },
        });
      },
    },
    ErpSubmissionService,
  ],
  exports: [ErpSubmissionService, FAKE_ERP, ERP_CLIENT],
})
export class FulfilmentModule implements OnApplicationShutdown {
  constructor(@Optional() @Inject(FAKE_ERP) private readonly fake: FakeErpServer | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.fake?.stop();
  }
}
