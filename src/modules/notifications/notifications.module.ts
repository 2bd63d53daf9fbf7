import { Inject, Logger, Module, OnApplicationShutdown, Optional } from '@nestjs/common';

import { AppConfig } from '../../config/app-config';
import { OrdersModule } from '../orders/orders.module';
import { OutboxModule } from '../outbox/outbox.module';
import { UsersModule } from '../users/users.module';
import { DevMailboxController } from './dev-mailbox.controller';
import { Mailer } from './mailer';
import { SMTP_CAPTURE } from './notifications.module-tokens';
import { MAILER, NotificationsService } from './notifications.service';
import { SmtpCaptureServer } from './smtp/smtp-capture.server';

@Module({
  imports: [OrdersModule, UsersModule, OutboxModule],
  controllers: [DevMailboxController],
  providers: [
    {
      provide: SMTP_CAPTURE,
      inject: [AppConfig],
      useFactory: async (config: AppConfig): Promise<SmtpCaptureServer | null> => {
        if (!config.mail.capture) return null;
        try {
          return await SmtpCaptureServer.start({ port: config.mail.port });
        } catch (error) {
          // api and worker started separately: the first serves the capture, the other sends to it.
          if ((error as { code?: string }).code === 'EADDRINUSE') return null;
          throw error;
        }
      },
    },
    {
      provide: MAILER,
      inject: [AppConfig, SMTP_CAPTURE],
      useFactory: (config: AppConfig, capture: SmtpCaptureServer | null) => {
        const logger = new Logger('Mailer');
        return new Mailer({
          host: capture ? '127.0.0.1' : config.mail.host,
          port: capture?.port ?? config.mail.port,
          secure: config.mail.secure,
          user: config.mail.user,
          password: config.mail.password,
          from: config.mail.from,
          logger: { log: (obj, msg) => logger.log(obj, msg), warn: (obj, msg) => logger.warn(obj, msg) },
        });
      },
    },
    NotificationsService,
  ],
  exports: [NotificationsService, SMTP_CAPTURE],
})
export class NotificationsModule implements OnApplicationShutdown {
  constructor(
    @Inject(MAILER) private readonly mailer: Mailer,
    @Optional() @Inject(SMTP_CAPTURE) private readonly capture: SmtpCaptureServer | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.mailer.close();
    await this.capture?.stop();
  }
}
