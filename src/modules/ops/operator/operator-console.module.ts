import { Module } from '@nestjs/common';

import { OrdersModule } from '../../orders/orders.module';
import { OutboxModule } from '../../outbox/outbox.module';
import { PaymentLedgerModule } from '../../payments/ledger/payment-ledger.module';
import { UsersModule } from '../../users/users.module';
import { OperatorConsoleController } from './operator-console.controller';
import { OperatorConsoleService } from './operator-console.service';
import { OpsAuditRepository } from './ops-audit.repository';
import { OperatorAccountsService } from './operator-accounts.service';
import { OrderReportService } from './order-report.service';

/**
 * Admin API and command line for operators: failed jobs, stuck outbox rows, retries, re-dispatches, order
 * resolutions and admin accounts, all audited.
 */
@Module({
  imports: [OrdersModule, OutboxModule, PaymentLedgerModule, UsersModule],
  controllers: [OperatorConsoleController],
  providers: [OpsAuditRepository, OperatorConsoleService, OperatorAccountsService, OrderReportService],
  // For the operators' command line (src/cli), which calls the same services as the routes.
  exports: [OperatorConsoleService, OperatorAccountsService, OrderReportService],
})
export class OperatorConsoleModule {}
