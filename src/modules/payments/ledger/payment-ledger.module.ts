import { Module } from '@nestjs/common';

import { PaymentLedgerService } from './payment-ledger.service';
import { PaymentsRepository } from './payments.repository';
import { RefundsRepository } from './refunds.repository';
import { UnmatchedPaymentsRepository } from './unmatched-payments.repository';

/** The payment ledger (payments, refunds, unmatched_payments): its service is the only way to its tables. */
@Module({
  providers: [PaymentsRepository, RefundsRepository, UnmatchedPaymentsRepository, PaymentLedgerService],
  exports: [PaymentLedgerService],
})
export class PaymentLedgerModule {}
