import { Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';

import { AppConfig } from '../../config/app-config';
import { OrdersModule } from '../orders/orders.module';
import { OutboxModule } from '../outbox/outbox.module';
import { UsersModule } from '../users/users.module';
import { Mailer } from './mailer';
import { NotificationsSentRepository } from './notifications-sent.repository';
import { MAILER, NotificationsService } from './notifications.service';

@Module({
  imports: [OrdersModule, UsersModule, OutboxModule],
  providers: [
    {
      provide: MAILER,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const logger = new Logger('Mailer');
        return new Mailer({
          host: config.mail.host,
          port: config.mail.port,
          secure: config.mail.secure,
          user: config.mail.user,
          password: config.mail.password,
          from: config.mail.from,
          logger: { log: (obj, msg) => logger.log(obj, msg), warn: (obj, msg) => logger.warn(obj, msg) },
        });
      },
    },
    NotificationsSentRepository,
    NotificationsService,
  ],
  exports: [NotificationsService],
})
export class NotificationsModule implements OnApplicationShutdown {
  constructor(@Inject(MAILER) private readonly mailer: Mailer) {}

  onApplicationShutdown(): void {
    this.mailer.close();
  }
}
