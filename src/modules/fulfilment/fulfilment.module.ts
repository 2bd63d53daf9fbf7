import { Logger, Module } from '@nestjs/common';

import { AppConfig } from '../../config/app-config';
import { Metrics } from '../../infra/metrics/metrics.service';
import { CircuitBreaker, CircuitState } from '../../infra/resilience/circuit-breaker';
import { OrdersModule } from '../orders/orders.module';
import { UsersModule } from '../users/users.module';
import { ErpClient } from './erp.client';
import { ERP_CLIENT, ErpSubmissionService } from './erp-submission.service';
import { ErpUnavailableError } from './fulfilment.errors';

const CIRCUIT_GAUGE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.HalfOpen]: 1,
  [CircuitState.Open]: 2,
};

@Module({
  imports: [OrdersModule, UsersModule],
  providers: [
    {
      provide: ERP_CLIENT,
      inject: [AppConfig, Metrics],
      useFactory: (config: AppConfig, metrics: Metrics) => {
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
        return new ErpClient({
          // Set in http mode, and in fake mode where it defaults to our fake ERP's port (config validates it).
          baseUrl: config.erp.url!,
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
  exports: [ErpSubmissionService, ERP_CLIENT],
})
export class FulfilmentModule {}
