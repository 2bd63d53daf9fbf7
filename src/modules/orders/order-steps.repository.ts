import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export type OrderStepState = 'pending' | 'done' | 'failed';

export interface OrderStep {
  step: string;
  state: OrderStepState;
  attempts: number;
  lastError: string | null;
  doneAt: string | null;
  updatedAt: string;
}

/**
 * Per-order progress of every side effect (inventory committed, each email, invoice, ERP submission):
 * what `GET /orders/:id/jobs` shows next to the raw job runs.
 */
@Injectable()
export class OrderStepsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async mark(
    em: EntityManager,
    orderId: string,
    step: string,
    state: OrderStepState,
    error?: string,
  ): Promise<void> {
    await em.query(
      `INSERT INTO order_steps (order_id, step, state, attempts, last_error, done_at)
       VALUES ($1, $2, $3, 1, $4, CASE WHEN $3 = 'done' THEN now() END)
       ON CONFLICT (order_id, step) DO UPDATE SET
         state = CASE WHEN order_steps.state = 'done' THEN 'done' ELSE EXCLUDED.state END,
         attempts = order_steps.attempts + 1,
         last_error = COALESCE(EXCLUDED.last_error, order_steps.last_error),
         done_at = COALESCE(order_steps.done_at, EXCLUDED.done_at),
         updated_at = now()`,
      [orderId, step, state, error?.slice(0, 1000) ?? null],
    );
  }

  async forOrder(orderId: string): Promise<OrderStep[]> {
    const rows: {
      step: string;
      state: OrderStepState;
      attempts: number;
      last_error: string | null;
      done_at: Date | null;
      updated_at: Date;
    }[] = await this.dataSource.query(`SELECT * FROM order_steps WHERE order_id = $1 ORDER BY step`, [
      orderId,
    ]);
    return rows.map((r) => ({
      step: r.step,
      state: r.state,
      attempts: r.attempts,
      lastError: r.last_error,
      doneAt: r.done_at?.toISOString() ?? null,
      updatedAt: r.updated_at.toISOString(),
    }));
  }
}
