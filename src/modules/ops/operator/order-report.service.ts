import { Injectable } from '@nestjs/common';

import { TransactionRunner } from '../../../infra/database/transaction-runner';
import { OrderQueriesService } from '../../orders/order-queries.service';
import {
  OrderHistoryResponse,
  OrderJobResponse,
  OrderResponse,
  OrderStepResponse,
  toHistoryResponse,
  toJobResponse,
  toOrderResponse,
} from '../../orders/order.response';
import { OrderNotFoundError } from '../../orders/orders.errors';
import { LedgerFacts, LedgerPayment, LedgerRefund } from '../../payments/ledger/ledger';
import { PaymentLedgerService } from '../../payments/ledger/payment-ledger.service';

/** Everything an operator reads about one order: the order, its money, its transitions and its work. */
export interface OrderReport {
  order: OrderResponse;
  ledger: { facts: LedgerFacts; payment: LedgerPayment | null; refunds: LedgerRefund[] };
  history: OrderHistoryResponse[];
  jobs: OrderJobResponse[];
  steps: OrderStepResponse[];
}

/** One order end to end for operators (`dispatch orders:show`), read through the owners' services. */
@Injectable()
export class OrderReportService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly orders: OrderQueriesService,
    private readonly ledger: PaymentLedgerService,
  ) {}

  /** Throws OrderNotFoundError for an unknown id. */
  async report(orderId: string): Promise<OrderReport> {
    const order = await this.orders.find(orderId);
    if (!order) throw new OrderNotFoundError(orderId);
    // Payment, refunds and the facts derived from them are read in one transaction so they agree.
    const ledger = await this.tx.run(async (em) => {
      const [payment, refunds] = [
        await this.ledger.payment(em, orderId),
        await this.ledger.refundsOf(em, orderId),
      ];
      return { facts: await this.ledger.facts(em, orderId), payment, refunds };
    });
    const [history, work] = await Promise.all([this.orders.historyOf(orderId), this.orders.workOf(orderId)]);
    return {
      order: toOrderResponse(order),
      ledger,
      history: history.map(toHistoryResponse),
      jobs: work.jobs.map(toJobResponse),
      steps: work.steps,
    };
  }
}
