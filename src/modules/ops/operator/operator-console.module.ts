import { Module } from '@nestjs/common';

import { PaymentLedgerModule } from '../../payments/ledger/payment-ledger.module';
import { OperatorConsoleController } from './operator-console.controller';
import { OperatorConsoleService } from './operator-console.service';

/** Admin API for operators: failed jobs, stuck outbox rows, retries and order resolutions, all audited. */
@Module({
  imports: [PaymentLedgerModule],
  controllers: [OperatorConsoleController],
  providers: [OperatorConsoleService],
})
export class OperatorConsoleModule {}
