import { DynamicModule, Module, Provider, Type } from '@nestjs/common';

import { AppConfig } from '../config/app-config';
import { CatalogModule } from '../modules/catalog/catalog.module';
import { OrdersModule } from '../modules/orders/orders.module';
import { UsersModule } from '../modules/users/users.module';
import { DevMailboxController } from './dev-mailbox.controller';
import { DevPaymentsController } from './dev-payments.controller';
import { FakeControlClient } from './fake-control.client';
import { FakeServersHost } from './fake-servers.host';
import { SeedService } from './seed/seed.service';

/**
 * Every piece of development tooling a process was configured for, in one module: the fakes it serves
 * (DEV_SERVE_FAKES), the dev routes of an api (pay or decline at the fake Stripe, the mailbox), and the demo
 * seed. Loaded by the composition root only when configuration asks for a fake, the seed or failpoints;
 * never part of the production build.
 */
@Module({})
export class DevModule {
  static forRole(config: AppConfig, role: 'api' | 'worker' | 'all'): DynamicModule {
    const api = role !== 'worker';
    const controllers: Type[] = [];
    if (api && config.dev.stripe) controllers.push(DevPaymentsController);
    if (api && config.dev.smtpCapture) controllers.push(DevMailboxController);
    const providers: Provider[] = [FakeControlClient];
    if (config.dev.serveFakes) providers.push(FakeServersHost);
    if (api && config.dev.seed.enabled) providers.push(SeedService);
    return {
      module: DevModule,
      imports: [OrdersModule, UsersModule, CatalogModule],
      controllers,
      providers,
    };
  }
}
