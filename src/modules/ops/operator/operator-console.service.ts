import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { TransactionRunner } from '../../../infra/database/transaction-runner';
import { CorrelationContext } from '../../../infra/logging/correlation-context';
import { QueueName } from '../../../infra/queue/queue-names';
import { QueueRegistry } from '../../../infra/queue/queue-registry';
import { OrderNotFoundError } from '../../orders/orders.errors';
import { PaymentLedgerService } from '../../payments/ledger/payment-ledger.service';
import { UnmatchedPayment } from '../../payments/ledger/unmatched-payments.repository';
import { outboxIdOf } from '../../outbox/outbox-message';
import { JobNotFailedError, JobNotFoundError } from './operator-console.errors';

export interface FailedJob {
  jobId: string;
  queue: string;
  name: string;
  orderId: string;
  attempts: number;
  lastError: string | null;
  correlationId: string | null;
  failedAt: string;
}

export interface StuckOutboxRow {
  outboxId: string;
  type: string;
  orderId: string;
  correlationId: string | null;
  occurredAt: string;
  ageSeconds: number;
}

/**
 * The operator console: what is broken (failed jobs, outbox rows the relay has not sent) with the order and
 * correlation id to follow it in the logs, and the two repairs (retry a job, resolve a compensated order).
 * Every repair is written to ops_audit with the admin, the reason and the request's correlation id.
 */
@Injectable()
export class OperatorConsoleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly queues: QueueRegistry,
    private readonly ledger: PaymentLedgerService,
  ) {}

  unmatchedPayments(limit: number): Promise<UnmatchedPayment[]> {
    return this.ledger.unmatchedPayments(limit);
  }

  async failedJobs(limit: number): Promise<FailedJob[]> {
    const rows: {
      job_id: string;
      queue: string;
      name: string;
      aggregate_id: string;
      attempts: number;
      last_error: string | null;
      correlation_id: string | null;
      updated_at: Date;
    }[] = await this.dataSource.query(
      `SELECT * FROM job_runs WHERE state = 'failed' ORDER BY updated_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      jobId: r.job_id,
      queue: r.queue,
      name: r.name,
      orderId: r.aggregate_id,
      attempts: r.attempts,
      lastError: r.last_error,
      correlationId: r.correlation_id,
      failedAt: r.updated_at.toISOString(),
    }));
  }

  async stuckOutbox(olderThanSeconds: number, limit: number): Promise<StuckOutboxRow[]> {
    const rows: {
      id: string;
      type: string;
      aggregate_id: string;
      correlation_id: string | null;
      occurred_at: Date;
      age: number;
    }[] = await this.dataSource.query(
      `SELECT id, type, aggregate_id, correlation_id, occurred_at, extract(epoch FROM now() - occurred_at)::float8 AS age
           FROM outbox WHERE sent_at IS NULL AND occurred_at < now() - make_interval(secs => $1) ORDER BY id LIMIT $2`,
      [olderThanSeconds, limit],
    );
    return rows.map((r) => ({
      outboxId: String(r.id),
      type: r.type,
      orderId: r.aggregate_id,
      correlationId: r.correlation_id,
      occurredAt: r.occurred_at.toISOString(),
      ageSeconds: Math.round(r.age),
    }));
  }

  /**
   * Retries a failed job. If Redis lost it, its outbox row is re-sent instead, so the relay re-creates it
   * under the same job id.
   */
  async retryJob(
    admin: string,
    queueName: QueueName,
    jobId: string,
    reason: string,
  ): Promise<{ jobId: string; action: 'retried' | 'redispatched' }> {
    const job = await this.queues.get(queueName)?.getJob(jobId);
    let action: 'retried' | 'redispatched';
    if (job) {
      const state = await job.getState();
      if (state !== 'failed') throw new JobNotFailedError(jobId, state);
      await job.retry('failed');
      action = 'retried';
    } else {
      const outboxId = outboxIdOf(jobId);
      const [, changed]: [unknown, number] = outboxId
        ? await this.dataSource.query(`UPDATE outbox SET sent_at = NULL WHERE id = $1`, [outboxId])
        : [null, 0];
      if (!changed) throw new JobNotFoundError(jobId);
      action = 'redispatched';
    }
    await this.tx.run(async (em) => {
      await em.query(`UPDATE job_runs SET state = 'queued', updated_at = now() WHERE job_id = $1`, [jobId]);
      await this.audit(em, admin, `job.${action}`, `${queueName}/${jobId}`, reason, {});
    });
    return { jobId, action };
  }

  /** Records an operator's resolution of a (compensated) order in its history; the status does not change. */
  async resolveOrder(
    admin: string,
    orderId: string,
    reason: string,
  ): Promise<{ orderId: string; status: string }> {
    return this.tx.run(async (em) => {
      const rows: { status: string }[] = await em.query(
        `SELECT status FROM orders WHERE id = $1 FOR UPDATE`,
        [orderId],
      );
      if (!rows[0]) throw new OrderNotFoundError(orderId);
      await em.query(
        `INSERT INTO order_history (order_id, from_status, to_status, actor, reason, correlation_id) VALUES ($1, $2, $2, $3, $4, $5)`,
        [orderId, rows[0].status, admin, `resolved: ${reason}`, CorrelationContext.current() ?? null],
      );
      await this.audit(em, admin, 'order.resolved', `order/${orderId}`, reason, { status: rows[0].status });
      return { orderId, status: rows[0].status };
    });
  }

  async auditTrail(target?: string, limit = 100): Promise<unknown[]> {
    const rows: {
      id: string;
      actor: string;
      action: string;
      target: string;
      reason: string | null;
      details: unknown;
      correlation_id: string | null;
      created_at: Date;
    }[] = await this.dataSource.query(
      `SELECT * FROM ops_audit WHERE ($1::text IS NULL OR target = $1) ORDER BY id DESC LIMIT $2`,
      [target ?? null, limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      actor: r.actor,
      action: r.action,
      target: r.target,
      reason: r.reason,
      details: r.details,
      correlationId: r.correlation_id,
      at: r.created_at.toISOString(),
    }));
  }

  private async audit(
    em: EntityManager,
    actor: string,
    action: string,
    target: string,
    reason: string,
    details: object,
  ): Promise<void> {
    await em.query(
      `INSERT INTO ops_audit (actor, action, target, reason, details, correlation_id) VALUES ($1, $2, $3, $4, $5::jsonb, $6)`,
      [actor, action, target, reason, JSON.stringify(details), CorrelationContext.current() ?? null],
    );
  }
}
