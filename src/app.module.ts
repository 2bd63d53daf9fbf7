import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';

import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { Failpoints, FailpointsModule } from './infra/failpoints/failpoints';
import { DatabaseModule } from './infra/database/database.module';
import { DependencyMonitorModule } from './infra/health/dependency-monitor.module';
import { HttpExceptionFilter } from './infra/http/http-exception.filter';
import { rateLimitOptions } from './infra/http/rate-limit';
import { TrackerThrottlerGuard } from './infra/http/tracker-throttler.guard';
import { createValidationPipe } from './infra/http/validation.pipe';
import { LoggingModule } from './infra/logging/logging.module';
import { MetricsModule } from './infra/metrics/metrics.module';
import { QueueModule } from './infra/queue/queue.module';
import { RedisModule } from './infra/redis/redis.module';
import { REDIS_CLIENT } from './infra/redis/redis.tokens';
import { AuthGuard } from './modules/auth/auth.guard';
import { AuthModule } from './modules/auth/auth.module';
import { RolesGuard } from './modules/auth/roles.guard';
import { CatalogModule } from './modules/catalog/catalog.module';
import { DocumentJobsModule } from './modules/documents/document-jobs.module';
import { DocumentsModule } from './modules/documents/documents.module';
import { FulfilmentJobsModule } from './modules/fulfilment/fulfilment-jobs.module';
import { FulfilmentModule } from './modules/fulfilment/fulfilment.module';
import { HealthModule } from './modules/health/health.module';
import { NotificationJobsModule } from './modules/notifications/notification-jobs.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { BullBoardAccessModule } from './modules/ops/bull-board/bull-board-access.module';
import { OperatorConsoleModule } from './modules/ops/operator/operator-console.module';
import { OrderJobsModule } from './modules/orders/jobs/order-jobs.module';
import { OrdersModule } from './modules/orders/orders.module';
import { OutboxRelayModule } from './modules/outbox/outbox-relay.module';
import { PaymentsModule } from './modules/payments/payments.module';
import { StripeModule } from './modules/payments/stripe/stripe.module';
import { UsersModule } from './modules/users/users.module';

/** api: HTTP only. worker: relay, processors, reconciler. all: both in one process (dev default). */
export type ProcessRole = 'api' | 'worker' | 'all';

/**
 * What the composition root may add to a process: development tooling (src/dev, loaded only when
 * configuration asks for it; not in the production build) brings its module and the failpoints that kill.
 */
export interface AppExtensions {
  imports?: DynamicModule[];
  failpoints?: Type<Failpoints>;
}

const httpProviders: Provider[] = [
  { provide: APP_FILTER, useClass: HttpExceptionFilter },
  { provide: APP_PIPE, useFactory: createValidationPipe },
  // Order matters: authentication sets request.user, which roles and per-user rate limits read.
  { provide: APP_GUARD, useExisting: AuthGuard },
  { provide: APP_GUARD, useExisting: RolesGuard },
  { provide: APP_GUARD, useClass: TrackerThrottlerGuard },
];

@Module({})
export class AppModule {
  static forRole(role: ProcessRole, extensions: AppExtensions = {}): DynamicModule {
    const api = role !== 'worker';
    const worker = role !== 'api';
    return {
      module: AppModule,
      imports: [
        AppConfigModule,
        LoggingModule,
        FailpointsModule.register(extensions.failpoints),
        DependencyMonitorModule,
        DatabaseModule,
        RedisModule,
        MetricsModule,
        QueueModule,
        StripeModule,
        ThrottlerModule.forRootAsync({ inject: [AppConfig, REDIS_CLIENT], useFactory: rateLimitOptions }),
        AuthModule,
        UsersModule,
        CatalogModule,
        OrdersModule,
        PaymentsModule,
        NotificationsModule,
        DocumentsModule,
        FulfilmentModule,
        HealthModule,
        ...(api ? [BullBoardAccessModule, OperatorConsoleModule] : []),
        ...(worker
          ? [
              OutboxRelayModule,
              OrderJobsModule,
              NotificationJobsModule,
              DocumentJobsModule,
              FulfilmentJobsModule,
            ]
          : []),
        ...(extensions.imports ?? []),
      ],
      providers: api ? httpProviders : [],
    };
  }
}
