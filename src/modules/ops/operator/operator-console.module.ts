import { Module } from '@nestjs/common';

import { OrdersModule } from '../../orders/orders.module';
import { OutboxModule } from '../../outbox/outbox.module';
import { PaymentLedgerModule } from '../../payments/ledger/payment-ledger.module';
import { OperatorConsoleController } from './operator-console.controller';
import { OperatorConsoleService } from './operator-console.service';
import { OpsAuditRepository } from './ops-audit.repository';

/** Admin API for operators: failed jobs, stuck outbox rows, retries and order resolutions, all audited. */
@Module({
  imports: [OrdersModule, OutboxModule, PaymentLedgerModule],
  controllers: [OperatorConsoleController],
  providers: [OpsAuditRepository, OperatorConsoleService],
})
export class OperatorConsoleModule {}
