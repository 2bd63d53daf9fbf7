import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { TransactionRunner } from '../../infra/database/transaction-runner';
import { OrdersRepository } from './orders.repository';
import { OrderStepState, OrderStepsRepository } from './order-steps.repository';
import { OrderNotFoundError } from './orders.errors';

/**
 * What other modules record about an order (the orders module owns its tables; they go through here): the
 * progress of each side effect, the ERP's answer, an operator's note in the history.
 */
@Injectable()
export class OrderRecordsService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly orders: OrdersRepository,
    private readonly steps: OrderStepsRepository,
  ) {}

  /** The state of one side-effect step (`email:<KIND>`, `invoice`, `erp_submission`, …). */
  markStep(orderId: string, step: string, state: OrderStepState, error?: string): Promise<void> {
    return this.tx.run((em) => this.steps.mark(em, orderId, step, state, error));
  }

  /** Stores the ERP's reference and answer once (a later submission changes nothing) and the step. */
  async recordErpSubmission(orderId: string, result: { reference: string; body: unknown }): Promise<void> {
    await this.tx.run(async (em) => {
      const order = await this.orders.lock(em, orderId);
      if (order && !order.erpReference) {
        await this.orders.update(em, order, {
          erp_reference: result.reference,
          erp_response: JSON.stringify(result.body),
          erp_submitted_at: new Date(),
        });
      }
      await this.steps.mark(em, orderId, 'erp_submission', 'done');
    });
  }

  /**
   * An operator's note in the order's history (same status before and after), in the caller's transaction
   * (the operator console writes its audit row with it). Returns the order's status.
   */
  async addOperatorNote(em: EntityManager, orderId: string, actor: string, note: string): Promise<string> {
    const order = await this.orders.lock(em, orderId);
    if (!order) throw new OrderNotFoundError(orderId);
    await this.orders.addNote(em, order, actor, note);
    return order.status;
  }
}
