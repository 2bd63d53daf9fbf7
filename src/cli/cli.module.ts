import { DynamicModule, Module } from '@nestjs/common';

import { AppConfig } from '../config/app-config';
import { DatabaseModule } from '../infra/database/database.module';
import { FailpointsModule } from '../infra/failpoints/failpoints';
import { DependencyMonitorModule } from '../infra/health/dependency-monitor.module';
import { MetricsModule } from '../infra/metrics/metrics.module';
import { QueueModule } from '../infra/queue/queue.module';
import { RedisModule } from '../infra/redis/redis.module';
import { OperatorConsoleModule } from '../modules/ops/operator/operator-console.module';
import { StripeModule } from '../modules/payments/stripe/stripe.module';

/** The configuration the command line validated (with migrations off), for every module. */
@Module({})
class CliConfigModule {}

/**
 * What `dispatch` commands boot: the operator console's services and what they stand on (Postgres, Redis,
 * the queues), and nothing that serves or works: no HTTP, no processors, no relay loop, no reconciler.
 * Migrations never run as a side effect of a command; `dispatch migrate` runs them.
 */
@Module({})
export class CliModule {
  static forConfig(config: AppConfig): DynamicModule {
    const cliConfig = Object.assign(new AppConfig(), config, { db: { ...config.db, runMigrations: false } });
    return {
      module: CliModule,
      imports: [
        {
          module: CliConfigModule,
          global: true,
          providers: [{ provide: AppConfig, useValue: cliConfig }],
          exports: [AppConfig],
        },
        FailpointsModule.register(),
        DependencyMonitorModule,
        DatabaseModule,
        RedisModule,
        MetricsModule,
        QueueModule,
        StripeModule,
        OperatorConsoleModule,
      ],
    };
  }
}
