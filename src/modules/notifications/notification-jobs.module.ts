import { Module } from '@nestjs/common';

import { OutboxModule } from '../outbox/outbox.module';
import { NotificationJobsProcessor } from './notification-jobs.processor';
import { NotificationsModule } from './notifications.module';

/** Worker side: the notifications queue processor. */
@Module({ imports: [NotificationsModule, OutboxModule], providers: [NotificationJobsProcessor] })
export class NotificationJobsModule {}
