import path from 'node:path';

import { Module } from '@nestjs/common';

import { AppConfig } from '../../config/app-config';
import { OrdersModule } from '../orders/orders.module';
import { OutboxModule } from '../outbox/outbox.module';
import { UsersModule } from '../users/users.module';
import { ExportsController } from './exports.controller';
import { ExportsRepository } from './exports.repository';
import { ExportsService } from './exports.service';
import { InvoicesController } from './invoices.controller';
import { InvoicesRepository } from './invoices.repository';
import { InvoicesService } from './invoices.service';
import { DiskDocumentStorage } from './storage/disk-document.storage';
import { DocumentStorage } from './storage/document.storage';

@Module({
  imports: [OrdersModule, UsersModule, OutboxModule],
  controllers: [InvoicesController, ExportsController],
  providers: [
    // The storage port: disk today; an S3 adapter would be another DocumentStorage implementation.
    {
      provide: DocumentStorage,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new DiskDocumentStorage(path.resolve(config.documents.dir)),
    },
    InvoicesRepository,
    ExportsRepository,
    InvoicesService,
    ExportsService,
  ],
  exports: [InvoicesService, ExportsService],
})
export class DocumentsModule {}
